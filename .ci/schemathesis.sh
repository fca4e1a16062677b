#!/usr/bin/env bash
# Schemathesis with every check (`--checks all`) and every phase (examples, coverage,
# fuzzing, and stateful sequences over the document's links) against the live server
# (debug build), seeded with one client's trajectory, consent, referral, alert and webhook
# subscription; as the provider (every operation), as the municipality the referral went
# to (the operations a Wmo system calls), as a dashboard (the figures), and as a client
# signed in at the development issuer (the person's own routes).
# Usage: .ci/schemathesis.sh PATH_TO_ST
set -euo pipefail
st=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$repo/target/debug/herstelbrug"
base=http://127.0.0.1:18080
work=$(mktemp -d)
# Run from the scratch directory: the SQLite file and schemathesis' cache stay out of the repository.
cd "$work"
HERSTELBRUG_RATE_LIMIT_PER_MINUTE=0 HERSTELBRUG_LISTEN=127.0.0.1:18080 \
  HERSTELBRUG_WEBHOOKS_ALLOW_HTTP_LOOPBACK=true "$bin" > server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done

token=$("$bin" token --org agb:12345678 --scope provider)
call() { # METHOD PATH [BODY] [IF-MATCH]
  curl -fsS -X "$1" "$base$2" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${4:+-H "If-Match: \"$4\""} ${3:+-d "$3"}
}
field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

ST_TRAJECTORY=$(call POST /v1/trajectories \
  '{"client_ref": "st-client", "municipality": "gemeente:0268", "started_on": "2026-01-05", "bsn": "111222333"}' | field "['id']")
# Ending treatment with nothing in place opens an alert.
call POST "/v1/trajectories/$ST_TRAJECTORY/transitions" \
  '{"to": "social_support", "reason": "planned_completion"}' 1 >/dev/null
ST_CONSENT=$(call POST "/v1/trajectories/$ST_TRAJECTORY/consents" \
  '{"organisation": "gemeente:0268", "purpose": "Aanmelding Wmo"}' | field "['id']")
ST_REFERRAL=$(call POST "/v1/trajectories/$ST_TRAJECTORY/referrals" \
  '{"kind": "housing", "recipient": "gemeente:0268", "needs": "Woonruimte", "client": {"name": "J. Jansen"}, "referrer": {"name": "M. de Vries", "phone": "024-1234567"}}' | field "['id']")
ST_ALERT=$(call GET /v1/alerts | field "['items'][0]['id']")
# An offer of peer support to Nijmegen (consented) and the provider itself (its own aftercare).
ST_OFFER=$(call POST "/v1/trajectories/$ST_TRAJECTORY/offers" \
  '{"kind": "peer_support", "needs": "Lotgenotencontact", "candidates": [{"recipient": "gemeente:0268"}, {"recipient": "agb:12345678"}]}' | field "['id']")
ST_SUBSCRIPTION=$(call POST /v1/webhook-subscriptions \
  '{"url": "http://127.0.0.1:9/st", "event_types": ["alert.opened"]}' | field "['id']")
ST_MESSAGE=$(call POST "/v1/webhook-subscriptions/$ST_SUBSCRIPTION/test" | field "['message_id']")
ST_PARTICIPANT=$(call POST "/v1/trajectories/$ST_TRAJECTORY/participants" \
  '{"role": "case_manager", "name": "M. de Vries", "organisation": "agb:12345678"}' | field "['id']")
ST_MEETING=$(call POST "/v1/referrals/$ST_REFERRAL/warm-handoff/meetings" \
  '{"planned_at": "2026-12-20T10:00:00Z"}' | field "['id']")
ST_INVITATION=$(call POST "/v1/trajectories/$ST_TRAJECTORY/invitations" | field "['id']")
# The person's own door: the development issuer's fictional client Sanne (a test BSN), her
# trajectory with a consent and a referral, and her token from the code flow with PKCE.
ST_MY_TRAJECTORY=$(call POST /v1/trajectories \
  '{"client_ref": "st-sanne", "municipality": "gemeente:0268", "started_on": "2026-01-05", "bsn": "999990019"}' | field "['id']")
ST_MY_CONSENT=$(call POST "/v1/trajectories/$ST_MY_TRAJECTORY/consents" \
  '{"organisation": "gemeente:0268", "purpose": "Aanmelding Wmo"}' | field "['id']")
call POST "/v1/trajectories/$ST_MY_TRAJECTORY/referrals" \
  '{"kind": "housing", "recipient": "gemeente:0268", "needs": "Woonruimte"}' >/dev/null
person=$(python3 -c "import sys; sys.path.insert(0, '$repo/tests/support'); from dev_sign_in import person_token; print(person_token('$base', 'sanne'))")
export ST_TRAJECTORY ST_CONSENT ST_REFERRAL ST_ALERT ST_SUBSCRIPTION ST_MESSAGE ST_OFFER \
  ST_PARTICIPANT ST_MEETING ST_INVITATION ST_MY_TRAJECTORY ST_MY_CONSENT

run_as() { # LABEL TOKEN [st run options]
  local label=$1 bearer=$2
  shift 2
  echo "== schemathesis as $label =="
  "$st" --config-file "$repo/.ci/schemathesis.toml" run "$base/openapi.json" --checks all \
    -H "Authorization: Bearer $bearer" "$@"
}

run_as provider "$token" --exclude-path-regex '^/v1/(figures|me)(/|$)'
run_as municipality "$("$bin" token --org gemeente:0268 --scope municipality)" \
  --include-path-regex '^/v1/(referrals|alerts|services|organisations)' \
  --exclude-operation-id referral_alternatives --exclude-operation-id poll_referral_outbox_feed
run_as dashboard "$("$bin" token --org gemeente:0268 --scope dashboard)" \
  --include-path-regex '^/v1/figures/' --phases examples,coverage,fuzzing
run_as client "$person" --include-path-regex '^/v1/me(/|$)'
