#!/usr/bin/env bash
# deploy/backup.sh DATABASE_URL DIR
# A consistent backup of a running database into DIR, named by the time (UTC):
#   PostgreSQL: DIR/csol-YYYYMMDDTHHMMSSZ.dump (pg_dump, custom format: pg_restore reads it)
#   SQLite:     DIR/csol-YYYYMMDDTHHMMSSZ.db   (sqlite3 .backup: the online backup API, safe
#               while the app writes)
# Prints the file written. Run it from a timer or cron as the csol user (docs/deploy.md).
set -euo pipefail
url=${1:?usage: backup.sh DATABASE_URL DIR}
dir=${2:?usage: backup.sh DATABASE_URL DIR}
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
case "$url" in
    postgresql*|postgres*)
        libpq_url=$(printf '%s' "$url" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#')
        out="$dir/csol-$stamp.dump"
        pg_dump --format=custom --no-owner --no-privileges --file "$out.part" "$libpq_url"
        ;;
    sqlite:///*)
        db=${url#sqlite:///}
        out="$dir/csol-$stamp.db"
        sqlite3 "$db" ".backup '$out.part'"
        ;;
    *)
        echo "backup.sh: unknown database URL (postgresql://… or sqlite:///…)" >&2
        exit 2
        ;;
esac
mv "$out.part" "$out"
echo "$out"
