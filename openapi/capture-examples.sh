#!/usr/bin/env bash
# Captures the document's body examples from a real exchange: starts the server (debug
# build) on a fresh embedded database, runs capture_examples.py through every operation
# with fictional Dutch data, and writes openapi/examples/captured.json, which the
# document's examples pass attaches to each operation. Run after changing a body, then
# regenerate openapi/openapi.json.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$repo/target/debug/herstelbrug"
base=http://127.0.0.1:18083
work=$(mktemp -d)
cd "$work"
HERSTELBRUG_LISTEN=127.0.0.1:18083 HERSTELBRUG_RATE_LIMIT_PER_MINUTE=0 \
  HERSTELBRUG_WEBHOOKS_ALLOW_HTTP_LOOPBACK=true "$bin" > server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
token() { "$bin" token --org "$1" --scope "$2"; }
HERSTELBRUG_URL=$base \
  PROVIDER_TOKEN=$(token agb:12345678 provider) \
  MUNICIPALITY_TOKEN=$(token gemeente:0268 municipality) \
  DASHBOARD_TOKEN=$(token gemeente:0268 dashboard) \
  ADMIN_TOKEN=$(token agb:00000001 admin) \
  python3 "$repo/openapi/capture_examples.py" > "$repo/openapi/examples/captured.json"
echo "wrote openapi/examples/captured.json"
