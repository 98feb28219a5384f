#!/usr/bin/env bash
# Runs once, when the postgres-data volume is first initialised (postgres image entrypoint).
# Creates two unprivileged roles, each owning only its own databases:
#   jml       -> database jml                            (evidence, HR inbox)
#   temporal  -> databases temporal, temporal_visibility (Temporal persistence + visibility)
# Passwords come from the container environment (see deploy/compose.env.example). Changing them
# later in .env does not change them here: use ALTER ROLE ... PASSWORD on the running server.
set -euo pipefail

: "${JML_DB_PASSWORD:?JML_DB_PASSWORD is not set}"
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is not set}"

# psql variables (:'name') quote the passwords, so any characters are safe here.
psql -v ON_ERROR_STOP=1 \
  --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v jml_password="$JML_DB_PASSWORD" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE jml LOGIN PASSWORD :'jml_password';
CREATE DATABASE jml OWNER jml;
REVOKE ALL ON DATABASE jml FROM PUBLIC;

CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
REVOKE ALL ON DATABASE temporal, temporal_visibility FROM PUBLIC;
SQL
