#!/usr/bin/env bash
# The first step of `make test`: every tool the suites call is on PATH, and each real service they
# start works here: podman serving the Docker API and running one container with --init (catatonit),
# moto_server answering S3, and a private sshd accepting a key. Fails in seconds with the missing piece
# named, instead of failures after minutes of tests. Everything it starts is stopped by its pid on
# exit, also when a check fails; it uses a temp folder and free ports on 127.0.0.1 only.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$(date +%s%N)
work=$(mktemp -d "${TMPDIR:-/tmp}/backplan-preflight.XXXXXX")
pids=()
image=""

cleanup() {
  if [[ -n "$image" ]]; then
    DOCKER_HOST="unix://$work/podman.sock" docker rm -f "bp-preflight-$$" >/dev/null 2>&1 || true
    podman rmi -f "$image" >/dev/null 2>&1 || true
  fi
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  printf 'preflight: %s\n' "$1" >&2
  [[ $# -lt 2 || ! -s "$2" ]] || sed 's/^/  | /' "$2" | tail -n 20 >&2
  echo 'preflight: make deps (scripts/deps.sh) installs what the tests need' >&2
  exit 1
}

# Polls `$@` every 0.1 s for up to $seconds; fails when $pid has died or time is up.
wait_for() {
  local what=$1 pid=$2 seconds=$3 log=$4
  shift 4
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "$what exited at once" "$log"
    ((SECONDS < deadline)) || fail "$what did not answer within $seconds s" "$log"
    sleep 0.1
  done
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- tools -----------------------------------------------------------------------------------------
for tool in bash sqlite3 rsync rclone restic shellcheck systemd-analyze crontab jq curl setpriv \
            podman runc docker docker-compose ssh ssh-keygen python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not on PATH"
done
[[ -x /usr/sbin/sshd ]] || fail "/usr/sbin/sshd is missing (openssh-server)"
[[ -x /bin/busybox ]] || fail "/bin/busybox is missing (busybox-static: the test containers' tools)"
[[ -x .venv/bin/moto_server ]] || fail ".venv/bin/moto_server is missing (moto[server] in .venv)"
.venv/bin/python -c 'import croniter, check_jsonschema, cryptography' 2>/dev/null \
  || fail ".venv lacks croniter, check-jsonschema or cryptography"

# --- podman: the Docker API, one container with --init ---------------------------------------------
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n' \
  >"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
podman system service --time=0 "unix://$work/podman.sock" >"$work/podman.log" 2>&1 &
pids+=($!)
wait_for "podman system service" "$!" 20 "$work/podman.log" \
  env DOCKER_HOST="unix://$work/podman.sock" docker version --format '{{.Server.Version}}'
mkdir -p "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/true"
image="localhost/backplan-preflight-$$:latest"
tar -C "$work/rootfs" -c . | podman import - "$image" >"$work/import.log" 2>&1 \
  || fail "podman import of a busybox root file system failed" "$work/import.log"
DOCKER_HOST="unix://$work/podman.sock" docker run --name "bp-preflight-$$" --pull=never --init "$image" /bin/true \
  >"$work/run.log" 2>&1 \
  || fail "a container with --init did not run (catatonit is podman's container-init)" "$work/run.log"

# --- moto_server: the S3 API -----------------------------------------------------------------------
port=$(free_port)
env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 .venv/bin/moto_server -H 127.0.0.1 -p "$port" \
  >"$work/moto.log" 2>&1 &
pids+=($!)
wait_for "moto_server" "$!" 30 "$work/moto.log" curl -sf -o /dev/null "http://127.0.0.1:$port/moto-api/"

# --- sshd: a key login on 127.0.0.1 ------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"
chmod 600 "$work/authorized_keys"
port=$(free_port)
cat >"$work/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
EOF
mkdir -p /run/sshd 2>/dev/null || true
/usr/sbin/sshd -D -f "$work/sshd_config" -E "$work/sshd.log" &
pids+=($!)
wait_for "sshd" "$!" 20 "$work/sshd.log" \
  ssh -F /dev/null -p "$port" -i "$work/client_key" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$(id -un)@127.0.0.1" true

printf 'preflight: tools, podman (+ a container with --init), moto_server and sshd work (%d ms)\n' \
  $((($(date +%s%N) - started) / 1000000))
