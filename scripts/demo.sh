#!/usr/bin/env bash
# Builds a demo Open WebUI deployment under .demo/ (recreated on every run) and shows what
# backplan makes of it:
#   .demo/opt/open-webui/docker-compose.yaml   open-webui (bind mount ./data) + ollama (named volume)
#   .demo/opt/open-webui/.env                  WEBUI_SECRET_KEY for compose interpolation (mode 600)
#   .demo/opt/open-webui/data/                 a copy of fixtures/openwebui-0.12.4/data
# then runs `backplan detect --root .demo --compose /opt/open-webui/docker-compose.yaml` and
# `backplan check` (every plan under plans/).
# The binary is ${BACKPLAN:-.build/debug/backplan} (`make demo` builds it first).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BACKPLAN=${BACKPLAN:-.build/debug/backplan}
FIXTURE=fixtures/openwebui-0.12.4/data
DEMO=.demo
APP_DIR=/opt/open-webui                 # the app's folder as the host sees it (under --root)
COMPOSE=$APP_DIR/docker-compose.yaml

step() { printf '\n==> %s\n' "$*"; }

if [[ ! -d "$FIXTURE" ]]; then
  echo "demo: fixture $FIXTURE not found" >&2
  exit 1
fi

step "Creating a demo Open WebUI deployment in $DEMO$APP_DIR (fresh)"
rm -rf "$DEMO"
mkdir -p "$DEMO$APP_DIR"
# The fixture's files are read-only in CI's clone: copy, then make the copy writable.
cp -a "$FIXTURE" "$DEMO$APP_DIR/data"
chmod -R u+w "$DEMO$APP_DIR/data"
# .keep files only hold empty folders in git; a real data dir has none.
find "$DEMO$APP_DIR/data" -name .keep -type f -delete

cat >"$DEMO$COMPOSE" <<'YAML'
# Open WebUI with Ollama, the usual self-hosted layout (demo made by scripts/demo.sh).
services:
  open-webui:
    image: ghcr.io/open-webui/open-webui:main
    container_name: open-webui
    restart: unless-stopped
    depends_on:
      - ollama
    ports:
      - "127.0.0.1:3000:8080"
    environment:
      OLLAMA_BASE_URL: http://ollama:11434
      # The secret is not in this file: compose takes it from .env beside it.
      WEBUI_SECRET_KEY: ${WEBUI_SECRET_KEY}
    volumes:
      - ./data:/app/backend/data

  ollama:
    image: ollama/ollama:latest
    container_name: ollama
    restart: unless-stopped
    volumes:
      - ollama:/root/.ollama

volumes:
  ollama: {}
YAML

# A random key each run; .demo/ is git-ignored, so it is never committed.
(
  umask 077
  printf 'WEBUI_SECRET_KEY=%s\n' "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" >"$DEMO$APP_DIR/.env"
)

echo "compose file: $DEMO$COMPOSE"
echo "data dir:     $DEMO$APP_DIR/data"
(cd "$DEMO$APP_DIR/data" && find . -mindepth 1 -maxdepth 2 | LC_ALL=C sort | sed 's/^/  /')

if [[ ! -x "$BACKPLAN" ]]; then
  echo "demo: $BACKPLAN not found; build it first (make build, or make demo)" >&2
  exit 1
fi

step "backplan detect --root $DEMO --compose $COMPOSE"
"$BACKPLAN" detect --root "$DEMO" --compose "$COMPOSE"

step "backplan check (every plan under plans/)"
"$BACKPLAN" check

step "Done. The demo deployment stays in $DEMO/ until the next run or make clean."
