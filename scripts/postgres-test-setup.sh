#!/usr/bin/env bash
# Prepares the local PostgreSQL for the tests: starts the cluster if it is down, then
# creates (once) the role contra_test — neither superuser nor BYPASSRLS, so row-level
# security applies to it — and the database contra_test it owns. Run as a user that may
# connect to the local server as a superuser over its socket (root or postgres here).
# Exits non-zero, loudly, when it cannot.
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting the local cluster"
  versions=(/etc/postgresql/*)
  [ -d "${versions[0]}" ] || { echo "no PostgreSQL cluster is installed here" >&2; exit 1; }
  pg_ctlcluster --skip-systemctl-redirect "$(basename "${versions[0]}")" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
fi

admin=(psql -v ON_ERROR_STOP=1 -X -q -d postgres)
if [ "$(id -u)" = "0" ] && ! psql -X -q -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
  admin=(su postgres -c "psql -v ON_ERROR_STOP=1 -X -q -d postgres")
fi
"${admin[@]}" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'contra_test') THEN
    CREATE ROLE contra_test LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
SQL
if ! "${admin[@]}" -tA -c "SELECT 1 FROM pg_database WHERE datname = 'contra_test'" | grep -q 1; then
  "${admin[@]}" -c 'CREATE DATABASE contra_test OWNER contra_test'
fi
psql -X -q "postgres://contra_test@127.0.0.1:5432/contra_test" -c 'SELECT 1' >/dev/null
echo "PostgreSQL test database ready: postgres://contra_test@127.0.0.1:5432/contra_test"
