#!/usr/bin/env bash
# Generated clients, proven: a Python client (openapi-python-client) and a TypeScript one
# (openapi-typescript + openapi-fetch), both generated from the committed document with
# no warning, each run as a smoke program (clients/python, clients/ts) against a live
# server (debug build) on a fresh embedded database.
# Usage: .ci/clients.sh PATH_TO_VENV_WITH_OPENAPI_PYTHON_CLIENT
set -euo pipefail
venv=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$repo/target/debug/herstelbrug"
work=$(mktemp -d)

no_warnings() { # LABEL FILE
  if grep -qi 'warn' "$2"; then
    cat "$2"
    echo "FATAL: $1 generation warned" >&2
    exit 1
  fi
}

echo "-- Python client: openapi-python-client $("$venv/bin/openapi-python-client" --version | awk '{print $NF}')"
"$venv/bin/openapi-python-client" generate --path "$repo/openapi/openapi.json" --meta none \
  --config "$repo/clients/python/generator.yaml" \
  --output-path "$work/python/herstelbrug_client" > "$work/python-gen.log" 2>&1
cat "$work/python-gen.log"
no_warnings "Python client" "$work/python-gen.log"

echo "-- TypeScript client: openapi-typescript + openapi-fetch (clients/ts/package-lock.json)"
(cd "$repo/clients/ts" && npm ci --no-audit --no-fund --loglevel=error \
  && npm run --silent generate && npx tsc -p .) > "$work/ts-gen.log" 2>&1 \
  || { cat "$work/ts-gen.log"; exit 1; }
cat "$work/ts-gen.log"
no_warnings "TypeScript client" "$work/ts-gen.log"

. "$repo/.ci/live-server.sh"
live_server 18082

PYTHONPATH="$work/python" "$venv/bin/python" "$repo/clients/python/smoke.py"
(cd "$repo/clients/ts" && node dist/smoke.js)
