#!/bin/sh
# Create the PostgreSQL role and database of a nianbao archive and migrate it (idempotent: run
# it again after upgrading nianbao to migrate). Connects as a superuser the usual libpq way
# (PGHOST, PGPORT, PGUSER, PGPASSWORD; on the database server `sudo -u postgres` is enough),
# then prints the NIANBAO_DATABASE_URL line for /etc/nianbao/env.
#
#   sudo -u postgres deploy/postgres-setup.sh
#   PGHOST=db.example.cn PGUSER=postgres deploy/postgres-setup.sh --db nianbao --role nianbao --password '…'
set -eu

db=nianbao
role=nianbao
password=
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
nianbao=$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/nianbao
while [ $# -gt 0 ]; do
    case "$1" in
        --db) db=$2; shift 2 ;;
        --role) role=$2; shift 2 ;;
        --password) password=$2; shift 2 ;;
        *) echo "usage: $0 [--db NAME] [--role NAME] [--password SECRET]" >&2; exit 2 ;;
    esac
done
if [ ! -x "$nianbao" ]; then
    echo "postgres-setup.sh: $nianbao is missing: run 'make setup' first" >&2
    exit 1
fi

# The role logs in and owns the database (and so the tables `nianbao db upgrade` creates).
psql -X -q -v ON_ERROR_STOP=1 -v db="$db" -v role="$role" -v password="$password" \
     -h "$host" -p "$port" -d "${PGDATABASE:-postgres}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'password') WHERE :'password' <> '' \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'role', 'UTF8')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL

secret=$("$(dirname "$nianbao")/python" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$password")
url="postgresql://$role${password:+:$secret}@$host:$port/$db"
"$nianbao" db upgrade --db "$url"
echo "for /etc/nianbao/env (with the password in place of ***, percent-encoded):"
echo "NIANBAO_DATABASE_URL=postgresql://$role${password:+:***}@$host:$port/$db"
