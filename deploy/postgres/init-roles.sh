#!/bin/sh
# Runs once, on the first start of the postgres service (an empty data volume), as the superuser that
# only this script and the healthcheck use. Least privilege, one role per job:
#   damrongdham_owner  owns the read model `damrongdham` (tables, migrations): the migrate job only;
#   damrongdham_app    reads and writes its rows, no DDL, nothing else: the app and the workers;
#   temporal           owns Temporal's `temporal` and `temporal_visibility`, and nothing of ours.
# Nobody else (PUBLIC) may connect to any of the three. Passwords come from the service's environment
# (docker-compose.yml requires each one) and reach SQL as psql variables, quoted by psql itself.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$DB_OWNER_PASSWORD" -v app_pw="$APP_DB_PASSWORD" -v temporal_pw="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE damrongdham_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE damrongdham_app LOGIN PASSWORD :'app_pw';
CREATE ROLE temporal LOGIN PASSWORD :'temporal_pw';
ALTER DATABASE damrongdham OWNER TO damrongdham_owner;
REVOKE ALL ON DATABASE damrongdham FROM PUBLIC;
GRANT CONNECT ON DATABASE damrongdham TO damrongdham_app;
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
REVOKE ALL ON DATABASE temporal FROM PUBLIC;
REVOKE ALL ON DATABASE temporal_visibility FROM PUBLIC;
SQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname damrongdham <<'SQL'
ALTER SCHEMA public OWNER TO damrongdham_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO damrongdham_app;
-- Every table and sequence the migrations create: rows for the app, never the schema.
ALTER DEFAULT PRIVILEGES FOR ROLE damrongdham_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO damrongdham_app;
ALTER DEFAULT PRIVILEGES FOR ROLE damrongdham_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO damrongdham_app;
SQL

# Temporal's visibility schema asks for btree_gin; made here by the superuser, so Temporal needs none.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname temporal_visibility \
  -c 'CREATE EXTENSION IF NOT EXISTS btree_gin;'
