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
base=http://127.0.0.1:18082
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

cd "$work"
HERSTELBRUG_LISTEN=127.0.0.1:18082 HERSTELBRUG_RATE_LIMIT_PER_MINUTE=0 "$bin" > server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done

export HERSTELBRUG_URL=$base
PROVIDER_TOKEN=$("$bin" token --org agb:12345678 --scope provider)
MUNICIPALITY_TOKEN=$("$bin" token --org gemeente:0268 --scope municipality)
export PROVIDER_TOKEN MUNICIPALITY_TOKEN

PYTHONPATH="$work/python" "$venv/bin/python" "$repo/clients/python/smoke.py"
(cd "$repo/clients/ts" && node dist/smoke.js)
