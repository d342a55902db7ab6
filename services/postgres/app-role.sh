#!/bin/sh
# Compose's Postgres, first start only (/docker-entrypoint-initdb.d): the app's own role, which owns
# the lab's database and is not a superuser. The native runtime runs the same statements
# (racelab.runtime.services.ServicePrograms.postgres_setup). psql quotes the values (:"x", :'x').
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_user="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" -v app_db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
ALTER DATABASE :"app_db" OWNER TO :"app_user";
SQL
