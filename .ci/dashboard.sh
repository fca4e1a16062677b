#!/usr/bin/env bash
# The dashboard page and the client's own page (/mijn/) in headless Chromium against a live
# server (debug build) filled by `herstelbrug demo`, each view checked by axe-core (from the
# dashboard's npm packages). Screenshots stay in target/ci-artifacts/ (dashboard.png,
# mijn-390.png, mijn-1280.png, mijn-after-withdrawal.png).
# Usage: .ci/dashboard.sh PATH_TO_PYTHON (with selenium installed)
set -euo pipefail
python=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$repo/target/debug/herstelbrug"
base=http://127.0.0.1:18081
artifacts="$repo/target/ci-artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
cd "$work"
"$bin" demo
HERSTELBRUG_LISTEN=127.0.0.1:18081 "$bin" > server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
token=$("$bin" token --org gemeente:0268 --scope dashboard)
"$python" "$repo/tests/browser/dashboard_test.py" "$base" "$token" "$artifacts/dashboard.png" "$repo/dashboard/node_modules/axe-core/axe.min.js"
"$python" "$repo/tests/browser/mijn_test.py" "$base" "$repo/dashboard/node_modules/axe-core/axe.min.js" "$artifacts"
