#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (the postgres image runs
# /docker-entrypoint-initdb.d/*.sh): creates the role the API serves as. The owner
# (POSTGRES_USER) runs migrations; `herstelbrug migrate --app-role herstelbrug_app` grants
# this role what it needs and no UPDATE or DELETE on the access log (NEN 7513).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$HERSTELBRUG_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE herstelbrug_app LOGIN PASSWORD :'app_password';
SQL
