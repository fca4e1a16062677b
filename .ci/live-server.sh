#!/usr/bin/env bash
# Sourced by the CI steps that drive a live server: `live_server PORT` starts the debug
# build on a fresh embedded database in a scratch directory (the caller's `work`), stops
# it when the script exits, waits until it is ready, and exports HERSTELBRUG_URL and a
# provider and a municipality token. Needs `bin` and `work` set.
live_server() {
  local port=$1
  cd "$work"
  HERSTELBRUG_LISTEN=127.0.0.1:$port HERSTELBRUG_RATE_LIMIT_PER_MINUTE=0 "$bin" > server.log 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true' EXIT
  export HERSTELBRUG_URL=http://127.0.0.1:$port
  for _ in $(seq 1 50); do curl -fsS "$HERSTELBRUG_URL/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
  PROVIDER_TOKEN=$("$bin" token --org agb:12345678 --scope provider)
  MUNICIPALITY_TOKEN=$("$bin" token --org gemeente:0268 --scope municipality)
  export PROVIDER_TOKEN MUNICIPALITY_TOKEN
}
