#!/usr/bin/env bash
# Installs everything backplan's tests, demo and benchmark need on Debian 12 with the Swift
# toolchain already on PATH: Debian packages (apt) and a Python venv at .venv/ (PyPI).
# Idempotent and quiet when everything is present; prints what it installs.
# Runs as root without sudo; as another user it names what is missing and exits 1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

APT_PACKAGES=(
  libyaml-dev libsqlite3-dev sqlite3          # Swift system-library targets, sqlite3 CLI for scripts
  rsync rclone restic                         # backup targets
  shellcheck                                  # lint of generated scripts
  openssh-server openssh-client               # sshd on 127.0.0.1 for rsync/sftp targets
  cron                                        # crontab -n to check generated cron.d files
  jq curl                                     # JSON in scripts and tests; HTTP to moto_server, webhooks
  podman runc catatonit                       # a real container engine for quiesce tests; catatonit is
                                              # podman's container-init (compose `init: true`, `--init`),
                                              # a Recommends that --no-install-recommends leaves out
  busybox-static docker-compose               # the test image's tools; compose v1 against podman's API
  systemd                                     # systemd-analyze verify / calendar (offline)
  python3-venv                                # python3 -m venv for .venv/
  time hyperfine                              # scripts/bench.sh
  util-linux                                  # setpriv: tests run the binary as nobody
)
# The `docker` CLI (client only: podman serves its API). The machine image ships one in
# /usr/local/bin; where none is on PATH, Debian's docker.io provides it (its daemon is never started).
command -v docker >/dev/null 2>&1 || APT_PACKAGES+=(docker.io)
PY_PACKAGES=(check-jsonschema croniter 'moto[server]' cryptography)   # moto_server: S3 API for target tests; cryptography: restic-forge.py
PY_MODULES="check_jsonschema, croniter, moto.server, flask_cors, cryptography"
VENV=.venv

log() { printf 'deps: %s\n' "$*"; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# --- Debian packages ---------------------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} > 0)); then
  if ! is_root; then
    log "missing Debian packages: ${missing[*]}"
    log "install them as root: apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  apt_log=$(mktemp)
  trap 'rm -f "$apt_log"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
  if ! { apt-get "${apt_opts[@]}" update \
         && apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"; } \
       >"$apt_log" 2>&1; then
    cat "$apt_log" >&2
    log "apt-get failed"
    exit 1
  fi
  log "installed: ${missing[*]}"
fi

# --- Python venv -------------------------------------------------------------------------------
if ! "$VENV/bin/python" -c "import $PY_MODULES" >/dev/null 2>&1; then
  if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    # absent, or broken (created by a Python that is no longer there): make it anew
    log "creating Python venv $VENV/"
    python3 -m venv --clear "$VENV"
  fi
  log "installing into $VENV/: ${PY_PACKAGES[*]}"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
  "$VENV/bin/python" -c "import $PY_MODULES"
  log "installed: ${PY_PACKAGES[*]}"
fi

# --- sshd's privilege-separation folder ---------------------------------------------------------
# /usr/sbin/sshd refuses to start without it, and /run is emptied at boot: TestSupport's SSHService
# creates it too.
if is_root && [[ ! -d /run/sshd ]]; then
  mkdir -p /run/sshd && chmod 755 /run/sshd
  log "created /run/sshd"
fi
