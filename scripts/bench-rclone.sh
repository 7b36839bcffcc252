#!/usr/bin/env bash
# Benchmarks the rclone target (issue 5) against moto_server on 127.0.0.1, reached through
# scripts/tcp-proxy.py, which counts the bytes rclone sends to the S3 server.
#   1. upload time of a first snapshot (the publish step of `backplan run`, from its --json log) vs a plain
#      `rclone copy` of the same sealed snapshot folder with the same --transfers (alternating rounds,
#      the bucket emptied before each)
#   2. the second daily run with 1% of the uploads new: bytes sent to the S3 server during the whole run
#      vs the bytes of the files that changed (not in the first snapshot's manifest) plus MANIFEST.sha256
#      and SNAPSHOT.json
# Files go to bench-out/rclone (git-ignored) and are removed at the end; figures in bench-out/rclone/result.md.
#   BACKPLAN           the binary (default .build/release/backplan)
#   BENCH_RCLONE_MIB   size of the uploads in MiB (default 512; moto keeps objects in memory, ~0.5 GB RSS per GB)
#   BENCH_ROUNDS       rounds of part 1 (default 5)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BACKPLAN=${BACKPLAN:-.build/release/backplan}
[[ $BACKPLAN == /* ]] || BACKPLAN=$PWD/$BACKPLAN
MIB=${BENCH_RCLONE_MIB:-512}
ROUNDS=${BENCH_ROUNDS:-5}
OUT=$PWD/bench-out/rclone
TRANSFERS=4
MOTO=$PWD/.venv/bin/moto_server
[[ -x $MOTO ]] || MOTO=$(command -v moto_server || true)
step() { printf '\n==> %s\n' "$*"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

[[ -x "$BACKPLAN" ]] || { echo "bench-rclone: $BACKPLAN not found; build it first (make bench)" >&2; exit 1; }
[[ -n $MOTO ]] || { echo "bench-rclone: moto_server not found; run make deps" >&2; exit 1; }
command -v rclone >/dev/null || { echo "bench-rclone: rclone not found; run make deps" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/data/uploads" "$OUT/backups"
: >"$OUT/result.md"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$OUT/data" "$OUT/backups" "$OUT/state"
}
trap cleanup EXIT

MOTO_PORT=$(free_port)
"$MOTO" -H 127.0.0.1 -p "$MOTO_PORT" >"$OUT/moto.log" 2>&1 &
PIDS+=($!)
PROXY_PORT=$(free_port)
python3 scripts/tcp-proxy.py --to "$MOTO_PORT" --port "$PROXY_PORT" --count-file "$OUT/sent" >"$OUT/proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$MOTO_PORT/moto-api/" && [[ -f $OUT/sent ]] && break; sleep 0.1; done
sent() { cat "$OUT/sent"; }
reset_s3() { curl -sf -X POST -o /dev/null "http://127.0.0.1:$MOTO_PORT/moto-api/reset"; }

# Credentials only in the env file (RCLONE_CONFIG=/dev/null: no config file).
cat >"$OUT/rclone.env" <<EOF
RCLONE_CONFIG=/dev/null
RCLONE_CONFIG_BENCH_TYPE=s3
RCLONE_CONFIG_BENCH_PROVIDER=Other
RCLONE_CONFIG_BENCH_ENDPOINT=http://127.0.0.1:$PROXY_PORT
RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=BENCHKEYID
RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=bench-secret-key
RCLONE_CONFIG_BENCH_NO_HEAD=true
EOF
chmod 600 "$OUT/rclone.env"

step "data: ${MIB} MiB of uploads (1 MiB files) and a small database"
for ((k = 0; k < MIB; k++)); do head -c 1048576 /dev/urandom >"$OUT/data/uploads/file-$k.bin"; done
sqlite3 "$OUT/data/webui.db" "PRAGMA journal_mode=WAL; CREATE TABLE chat(id INTEGER PRIMARY KEY, body BLOB);
  WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000) INSERT INTO chat(body) SELECT randomblob(4000) FROM c;" >/dev/null

cat >"$OUT/bench-rclone.yaml" <<EOF
version: 1
name: bench-rclone
deployment: {data_dir: $OUT/data, state_dir: $OUT/state}
sources:
  database: {path: webui.db, kind: sqlite}
  uploads: {path: uploads, kind: files}
targets:
  local: {type: local, path: $OUT/backups}
  s3: {type: rclone, remote: "bench:bucket", env_file: $OUT/rclone.env, transfers: $TRANSFERS}
jobs:
  daily: {schedule: "*-*-* 03:15", targets: [local, s3], quiesce: none, verify: manifest}
EOF
"$BACKPLAN" compile "$OUT/bench-rclone.yaml" --generated "$OUT/generated" >"$OUT/compile.out" 2>&1
PJ=$OUT/generated/bench-rclone/plan.json

# run NAME: `backplan run` with --json; prints the seconds from "uploading" to "published" on target s3.
run() {
  "$BACKPLAN" run "$PJ" daily --json 2>"$OUT/$1.err" | while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done >"$OUT/$1.log"
  awk '/target s3: uploading/ {s = $1} /target s3: published/ {p = $1} END {printf "%.3f\n", p - s}' "$OUT/$1.log"
}

step "part 1: upload of a first snapshot, backplan vs plain rclone copy ($ROUNDS rounds)"
declare -a up_t=() plain_t=()
for ((i = 1; i <= ROUNDS; i++)); do
  order=(backplan plain)
  ((i % 2 == 0)) && order=(plain backplan)
  for what in "${order[@]}"; do
    reset_s3
    if [[ $what == backplan ]]; then
      rm -rf "$OUT/backups" "$OUT/state"
      t=$(run "p1-run-$i")
      up_t+=("$t")
    else
      snap=$(find "$OUT/backups/bench-rclone/daily" -mindepth 1 -maxdepth 1 -name '2*' | sort | tail -1)
      [[ -n $snap ]] || { reset_s3; rm -rf "$OUT/backups" "$OUT/state"; run "p1-prep-$i" >/dev/null; reset_s3
        snap=$(find "$OUT/backups/bench-rclone/daily" -mindepth 1 -maxdepth 1 -name '2*' | sort | tail -1); }
      start=$EPOCHREALTIME
      (set -a; . "$OUT/rclone.env"; env -u AWS_CA_BUNDLE rclone copy --transfers "$TRANSFERS" "$snap" "bench:bucket/plain/$i")
      t=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f", b - a}')
      plain_t+=("$t")
    fi
    echo "round $i $what: ${t}s"
  done
done
U=$(median "${up_t[@]}")
P=$(median "${plain_t[@]}")

step "part 2: second daily run with 1% of the uploads new"
reset_s3
rm -rf "$OUT/backups" "$OUT/state"
run p2-first >/dev/null
NEW=$(((MIB + 99) / 100))
for ((k = 0; k < NEW; k++)); do head -c 1048576 /dev/urandom >"$OUT/data/uploads/new-$k.bin"; done
sqlite3 "$OUT/data/webui.db" "INSERT INTO chat(body) VALUES (randomblob(4000));"
before=$(sent)
sleep 1
T2=$(run p2-second)
SENT=$(($(sent) - before))
mapfile -t snaps < <(find "$OUT/backups/bench-rclone/daily" -mindepth 1 -maxdepth 1 -name '2*' | sort)
S2=${snaps[-1]}
# The files of the second snapshot whose manifest line is not in the first's, plus its manifest and record.
CHANGED=$(cd "$S2" && { grep -vxF -f "${snaps[-2]}/MANIFEST.sha256" MANIFEST.sha256 | sed 's/^[0-9a-f]*  //'; echo MANIFEST.sha256; echo SNAPSHOT.json; } |
  tr '\n' '\0' | xargs -0 stat -c %s -- | awk '{s += $1} END {print s}')
grep -h 'target s3: sent' "$OUT/p2-second.log" | sed 's/^[0-9.]* //' | head -1

{
  echo "| measure | backplan | baseline | ratio |"
  echo "|---|---|---|---|"
  echo "| upload of a first ${MIB} MiB snapshot (median of $ROUNDS; transfers $TRANSFERS) | ${U} s | ${P} s (rclone copy) | $(ratio "$U" "$P") |"
  echo "| second run, $NEW MiB of new uploads + database: bytes sent to S3 | $SENT | $CHANGED (changed files) | $(ratio "$SENT" "$CHANGED") |"
  echo "| second run: upload time (the unchanged files copied server-side) | ${T2} s | | |"
} >"$OUT/result.md"
step "result (bench-out/rclone/result.md)"
cat "$OUT/result.md"
