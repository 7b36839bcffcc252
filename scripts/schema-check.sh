#!/usr/bin/env bash
# Checks that `backplan schema` prints a valid JSON Schema and that every committed plan
# (plans/*.yaml) matches it, with check-jsonschema from .venv/ (scripts/deps.sh installs it).
# Exits non-zero when the schema is invalid or any plan does not match.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BACKPLAN=${BACKPLAN:-.build/debug/backplan}
CHECK_JSONSCHEMA=${CHECK_JSONSCHEMA:-.venv/bin/check-jsonschema}

for tool in "$BACKPLAN" "$CHECK_JSONSCHEMA"; do
  if [[ ! -x "$tool" ]]; then
    echo "schema-check: $tool not found (run: make build deps)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== schema-check: backplan schema"
"$BACKPLAN" schema >"$tmp/schema.json"
if ! jq -e 'type == "object"' "$tmp/schema.json" >/dev/null 2>&1; then
  echo "schema-check: 'backplan schema' did not print a JSON object; it printed:" >&2
  head -c 2000 "$tmp/schema.json" >&2
  exit 1
fi
"$CHECK_JSONSCHEMA" --check-metaschema "$tmp/schema.json"

shopt -s nullglob
plans=(plans/*.yaml)
if ((${#plans[@]} == 0)); then
  echo "schema-check: no plans/*.yaml to check"
  exit 0
fi
echo "== schema-check: ${#plans[@]} plan(s) against the schema"
"$CHECK_JSONSCHEMA" --schemafile "$tmp/schema.json" "${plans[@]}"
