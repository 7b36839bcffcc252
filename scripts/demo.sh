#!/usr/bin/env bash
# Builds a demo Open WebUI deployment under .demo/ (recreated on every run) and shows what
# backplan makes of it:
#   .demo/opt/open-webui/docker-compose.yaml   open-webui (bind mount ./data) + ollama (named volume)
#   .demo/opt/open-webui/.env                  WEBUI_SECRET_KEY for compose interpolation (mode 600)
#   .demo/opt/open-webui/data/                 a copy of fixtures/openwebui-0.12.4/data
# then runs `backplan detect --root .demo --compose /opt/open-webui/docker-compose.yaml` and
# `backplan check` (every plan under plans/), compiles a demo plan whose paths point into .demo/, runs
# its daily job twice (the generated script, then `backplan run`) while a writer commits paired rows
# into webui.db, restores the latest snapshot
# into .demo/restored with the generated restore.sh (which verifies it), and shows what it holds.
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

# ---- Compile a plan for the demo deployment and run its daily job, while the app writes ----
ABS=$PWD/$DEMO
DATA=$ABS$APP_DIR/data
mkdir -p "$DEMO/plans"
cat >"$DEMO/plans/demo.yaml" <<YAML
# The demo plan: paths point into $DEMO/ so that it runs here without touching the system.
version: 1
name: demo
deployment:
  data_dir: $DATA
  state_dir: $ABS/state
sources:
  database: {path: webui.db, kind: sqlite}
  vectors: {path: vector_db, kind: chroma}
  uploads: {path: uploads, kind: files}
  # The key that signs sessions (WEBUI_SECRET_KEY): kept under keys/ with mode 0600, never printed.
  secret-key: {path: $ABS$APP_DIR/.env, kind: key}
ignore: [cache]
targets:
  local: {type: local, path: $ABS/backups}
jobs:
  daily:
    schedule: "*-*-* 03:15"
    quiesce: none
    targets: [local]
    retention: {keep_last: 3, keep_daily: 7, keep_weekly: 4}
    verify: deep
YAML

step "backplan compile $DEMO/plans/demo.yaml --generated $DEMO/generated"
"$BACKPLAN" compile "$DEMO/plans/demo.yaml" --generated "$DEMO/generated" 2>&1 | grep -v '^wrote ' || true
ls "$DEMO/generated/demo"

# "The app": a writer committing two rows per transaction into webui.db (WAL mode) all the time.
sqlite3 "$DATA/webui.db" 'CREATE TABLE IF NOT EXISTS demo_writes(n INTEGER, half TEXT);' >/dev/null
(
  n=0
  while :; do
    n=$((n + 1))
    sqlite3 "$DATA/webui.db" ".timeout 5000" \
      "BEGIN; INSERT INTO demo_writes VALUES ($n, 'a'); INSERT INTO demo_writes VALUES ($n, 'b'); COMMIT;" >/dev/null 2>&1 || true
  done
) &
WRITER=$!
trap 'kill "$WRITER" 2>/dev/null || true' EXIT
sleep 1

step "Run 1 of $DEMO/generated/demo/daily.sh (hot: the writer keeps writing)"
"$DEMO/generated/demo/daily.sh"
sleep 1
step "Run 2, by backplan's own runtime: $BACKPLAN run $DEMO/generated/demo/plan.json daily"
echo "(same contract: unchanged uploads are hard-linked to run 1's snapshot, their hashes carried over)"
"$BACKPLAN" run "$DEMO/generated/demo/plan.json" daily
kill "$WRITER" 2>/dev/null || true
wait "$WRITER" 2>/dev/null || true
trap - EXIT

step "$DEMO/generated/demo/restore.sh list local"
"$DEMO/generated/demo/restore.sh" list local

step "restore.sh restore local latest $DEMO/restored (verifies before it reports success)"
"$DEMO/generated/demo/restore.sh" restore local latest "$ABS/restored"
ls "$DEMO/restored"

step "What the restored webui.db holds"
sqlite3 "file:$ABS/restored/webui.db?mode=ro" \
  "SELECT 'users', count(*) FROM user UNION ALL SELECT 'chats', count(*) FROM chat
   UNION ALL SELECT 'rows written during the backups', count(*) FROM demo_writes
   UNION ALL SELECT 'half transactions (must be 0)', count(*) FROM (SELECT n FROM demo_writes GROUP BY n HAVING count(*) != 2)
   UNION ALL SELECT 'integrity_check', (SELECT integrity_check FROM pragma_integrity_check);" | tr '|' '\t'

mapfile -t ids < <(find "$DEMO/backups/demo/daily" -mindepth 1 -maxdepth 1 -name '2*' -printf '%f\n' | sort)
upload=$(cd "$DATA/uploads" && find . -type f -printf '%P\n' | head -n 1)
step "Hard links between the two snapshots, one per executor (same inode = stored once)"
stat -c '%i %n' "$DEMO/backups/demo/daily/${ids[0]}/data/uploads/$upload" "$DEMO/backups/demo/daily/${ids[1]}/data/uploads/$upload"

step "Done. The demo deployment, its snapshots and the restore stay in $DEMO/ until the next run or make clean."
