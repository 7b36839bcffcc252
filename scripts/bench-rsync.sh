#!/usr/bin/env bash
# Benchmarks the rsync target (issue 5): bytes sent to the NAS by the second daily run when 1% of the
# uploads changed, against the bytes that changed (target: at most 1.2x). The "NAS" is a private sshd
# on 127.0.0.1 (RECIPES.md) started here and stopped by its pid; both executors are measured, the job
# script first, then `backplan run`, each after its own 1% change. Figures come from the run's log line
# "rsync sent N bytes" (rsync --stats: "Total bytes sent").
#   BACKPLAN    the binary (default .build/release/backplan)
#   BENCH_MIB   size of the uploads in MiB (default 2048), in files of 2 MiB
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BACKPLAN=${BACKPLAN:-.build/release/backplan}
if [[ $BACKPLAN != /* ]]; then BACKPLAN=$PWD/$BACKPLAN; fi
MIB=${BENCH_MIB:-2048}
OUT=$PWD/bench-out/rsync
step() { printf '\n==> %s\n' "$*"; }

SSHD=''
cleanup() { if [[ -n $SSHD ]]; then kill "$SSHD" 2>/dev/null || true; wait "$SSHD" 2>/dev/null || true; fi; }
trap cleanup EXIT
rm -rf "$OUT"
mkdir -p "$OUT/data/uploads" "$OUT/backups" "$OUT/state" "$OUT/nas" "$OUT/ssh" "$OUT/plans"

step "A private sshd on 127.0.0.1 (the NAS)"
ssh-keygen -q -t ed25519 -N '' -f "$OUT/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$OUT/ssh/client_key"
cp "$OUT/ssh/client_key.pub" "$OUT/ssh/authorized_keys"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$OUT/ssh/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $OUT/ssh/host_key
PidFile $OUT/ssh/sshd.pid
AuthorizedKeysFile $OUT/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
CONF
printf '[127.0.0.1]:%s %s\n' "$PORT" "$(cut -d' ' -f1,2 "$OUT/ssh/host_key.pub")" >"$OUT/ssh/known_hosts"
mkdir -p /run/sshd
/usr/sbin/sshd -D -f "$OUT/ssh/sshd_config" -E "$OUT/ssh/sshd.log" &
SSHD=$!
for _ in $(seq 50); do
  ssh -p "$PORT" -i "$OUT/ssh/client_key" -o BatchMode=yes -o UserKnownHostsFile="$OUT/ssh/known_hosts" root@127.0.0.1 true 2>/dev/null && break
  sleep 0.1
done

step "A data dir with $MIB MiB of uploads (2 MiB files) and the Open WebUI fixture's database"
cp -a fixtures/openwebui-0.12.4/data/webui.db fixtures/openwebui-0.12.4/data/webui.db-wal \
  fixtures/openwebui-0.12.4/data/webui.db-shm "$OUT/data/"
chmod -R u+w "$OUT/data"
FILES=$((MIB / 2))
python3 - "$OUT/data/uploads" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(root, f"upload-{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(2 << 20))
PY

cat >"$OUT/plans/bench-rsync.yaml" <<YAML
version: 1
name: bench-rsync
deployment: {data_dir: $OUT/data, state_dir: $OUT/state}
sources:
  database: {path: webui.db, kind: sqlite}
  uploads: {path: uploads, kind: files}
targets:
  local: {type: local, path: $OUT/backups}
  nas: {type: rsync, host: 127.0.0.1, user: root, port: $PORT, path: $OUT/nas,
        ssh_key: $OUT/ssh/client_key, known_hosts: $OUT/ssh/known_hosts}
jobs:
  daily: {schedule: "*-*-* 03:15", targets: [local, nas], retention: {keep_last: 10}}
YAML
(cd "$OUT" && "$BACKPLAN" compile plans/bench-rsync.yaml --generated generated >/dev/null)
JOB=$OUT/generated/bench-rsync/daily.sh

# change_one_percent: new random content for 1% of the upload files; prints the bytes changed.
change_one_percent() {
  python3 - "$OUT/data/uploads" "$FILES" "$1" <<'PY'
import os, sys
root, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
count = max(1, n // 100)
changed = 0
for k in range(count):
    path = os.path.join(root, f"upload-{(k * 97 + seed) % n:05d}.bin")
    data = os.urandom(2 << 20)
    with open(path, "wb") as f:
        f.write(data)
    changed += len(data)
print(changed)
PY
}

sent_of() { sed -n 's/.*target nas: rsync sent \([0-9]*\) bytes.*/\1/p' "$1" | tail -n 1; }

step "First run (job script): everything is uploaded"
start=$EPOCHREALTIME
"$JOB" 2>"$OUT/run1.log"
printf 'first run: %s s, sent %s bytes\n' "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')" "$(sent_of "$OUT/run1.log")"

rows=()
for executor in script runtime; do
  sleep 1
  changed=$(change_one_percent "$([[ $executor == script ]] && echo 1 || echo 2)")
  start=$EPOCHREALTIME
  if [[ $executor == script ]]; then
    "$JOB" 2>"$OUT/run-$executor.log"
  else
    "$BACKPLAN" run "$OUT/generated/bench-rsync/plan.json" daily 2>"$OUT/run-$executor.log"
  fi
  wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}')
  sent=$(sent_of "$OUT/run-$executor.log")
  rows+=("$(printf '| %s | %d MiB | %d | %d | %.3f | %s s |' "$executor" "$MIB" "$changed" "$sent" \
    "$(awk -v a="$sent" -v b="$changed" 'BEGIN {print a / b}')" "$wall")")
done
step "Result"
{
  printf '| executor | uploads | bytes changed | bytes sent to the NAS | ratio | second run wall |\n'
  printf '|---|---:|---:|---:|---:|---:|\n'
  printf '%s\n' "${rows[@]}"
} | tee "$OUT/result.md"
