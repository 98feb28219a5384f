#!/usr/bin/env bash
# Runs once, when the postgres-data volume is first initialised (postgres image entrypoint).
# Creates unprivileged roles, none a superuser:
#   jml_owner -> owns database jml and its schema; `jml migrate` runs as it (DATABASE_MIGRATION_URL)
#   jml       -> LOGIN, owns nothing; jml server and jml worker run as it (DATABASE_URL). Each
#                `jml migrate` grants it what the engine needs: on evidence_events only SELECT
#                and INSERT, so the running app cannot change or remove evidence.
#   temporal  -> databases temporal, temporal_visibility (Temporal persistence + visibility)
# Passwords come from the container environment (see deploy/compose.env.example). Changing them
# later in .env does not change them here: use ALTER ROLE ... PASSWORD on the running server.
set -euo pipefail

: "${JML_OWNER_DB_PASSWORD:?JML_OWNER_DB_PASSWORD is not set}"
: "${JML_DB_PASSWORD:?JML_DB_PASSWORD is not set}"
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is not set}"

# psql variables (:'name') quote the passwords, so any characters are safe here.
psql -v ON_ERROR_STOP=1 \
  --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v jml_owner_password="$JML_OWNER_DB_PASSWORD" \
  -v jml_password="$JML_DB_PASSWORD" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE jml_owner LOGIN PASSWORD :'jml_owner_password';
CREATE ROLE jml LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'jml_password';
CREATE DATABASE jml OWNER jml_owner;
REVOKE ALL ON DATABASE jml FROM PUBLIC;
GRANT CONNECT ON DATABASE jml TO jml;

CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
REVOKE ALL ON DATABASE temporal, temporal_visibility FROM PUBLIC;
SQL

# The schema the tables live in belongs to the owner; nobody else may create objects in it.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname jml <<'SQL'
ALTER SCHEMA public OWNER TO jml_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
