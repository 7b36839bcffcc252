#!/usr/bin/env bash
# Benchmarks the generated job script's second run over many unchanged upload files against
# `rsync -a --link-dest` alone over the same tree (issue 3: under 2x). Both run in this one session,
# alternating, so the ratio holds on a noisy machine; figures are medians.
#   BACKPLAN     the binary that compiles the bench plan (default .build/release/backplan)
#   BENCH_FILES  upload files (default 20000)   BENCH_ROUNDS  measured rounds (default 5)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BACKPLAN=${BACKPLAN:-.build/release/backplan}
FILES=${BENCH_FILES:-20000}
ROUNDS=${BENCH_ROUNDS:-5}
OUT=$PWD/bench-out/job
step() { printf '\n==> %s\n' "$*"; }

rm -rf "$OUT"
mkdir -p "$OUT/data/uploads" "$OUT/plans" "$OUT/backups" "$OUT/state" "$OUT/rsync"
step "A data dir with $FILES upload files and the Open WebUI fixture's database"
cp -a fixtures/openwebui-0.12.4/data/webui.db fixtures/openwebui-0.12.4/data/webui.db-wal \
  fixtures/openwebui-0.12.4/data/webui.db-shm "$OUT/data/"
chmod -R u+w "$OUT/data"
python3 - "$OUT/data/uploads" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"{i % 100:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file-{i:06d}.txt"), "wb") as f:
        f.write(os.urandom(512 + (i * 37) % 4096))
PY
du -sh "$OUT/data/uploads"

cat >"$OUT/plans/bench-job.yaml" <<YAML
version: 1
name: bench-job
deployment: {data_dir: $OUT/data, state_dir: $OUT/state}
sources:
  database: {path: webui.db, kind: sqlite}
  uploads: {path: uploads, kind: files}
targets: {local: {type: local, path: $OUT/backups}}
jobs:
  daily: {schedule: "*-*-* 03:15", targets: [local], retention: {keep_last: 100}}
YAML
(cd "$OUT" && "$OLDPWD/$BACKPLAN" compile plans/bench-job.yaml --generated generated >/dev/null)
JOB=$OUT/generated/bench-job/daily.sh

step "First run (copies everything)"
/usr/bin/time -f '%e s wall' "$JOB" 2>&1 | tail -n 1

elapsed() { local start=$EPOCHREALTIME; "$@" >/dev/null 2>&1; awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.4f\n", b - a}'; }
job_times=()
rsync_times=()
prev=$(find "$OUT/backups/bench-job/daily" -mindepth 1 -maxdepth 1 -name '2*' | sort | tail -n 1)
for ((i = 1; i <= ROUNDS; i++)); do
  sleep 1 # a new snapshot ID each second
  job_times+=("$(elapsed "$JOB")")
  rm -rf "$OUT/rsync/run"
  rsync_times+=("$(elapsed rsync -a --link-dest="$prev/data/uploads" "$OUT/data/uploads/" "$OUT/rsync/run/")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
job=$(median "${job_times[@]}")
base=$(median "${rsync_times[@]}")
step "Result ($ROUNDS rounds, medians)"
printf '| second run, %s unchanged uploads | %.3f s | rsync -a --link-dest alone %.3f s | ratio %.2f |\n' \
  "$FILES" "$job" "$base" "$(awk -v a="$job" -v b="$base" 'BEGIN {print a / b}')" | tee "$OUT/result.md"
