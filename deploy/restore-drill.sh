#!/usr/bin/env bash
# deploy/restore-drill.sh BACKUP [SCRATCH_SERVER_URL]
# Restores a backup made by backup.sh somewhere harmless and shows what is in it, so a backup
# is known to restore before the day it must:
#   *.db    copied to a temporary file, checked with PRAGMA integrity_check;
#   *.dump  restored with pg_restore into a new database "csol_drill_<time>" on the server of
#           SCRATCH_SERVER_URL (a postgresql:// URL whose user may create databases), which
#           is dropped afterwards (KEEP=1 keeps it).
# Prints "revision <alembic revision>" and "<table> <rows>" for each table; exits non-zero
# when the restore or the check fails. Compare the counts with the live database.
set -euo pipefail
backup=${1:?usage: restore-drill.sh BACKUP [SCRATCH_SERVER_URL]}
tables=$(cat <<'LIST'
users customers contacts orders invoices payments contracts installed_items enquiries enquiry_events inbound_messages outbound_messages audit_log
LIST
)
case "$backup" in
    *.db)
        scratch=$(mktemp -d)
        trap 'rm -rf "$scratch"' EXIT
        cp "$backup" "$scratch/restored.db"
        check=$(sqlite3 "$scratch/restored.db" "PRAGMA integrity_check")
        if [ "$check" != "ok" ]; then
            echo "integrity check failed: $check" >&2
            exit 1
        fi
        echo "revision $(sqlite3 "$scratch/restored.db" "SELECT version_num FROM alembic_version")"
        for t in $tables; do
            echo "$t $(sqlite3 "$scratch/restored.db" "SELECT count(*) FROM $t")"
        done
        ;;
    *.dump)
        server=${2:?a .dump needs SCRATCH_SERVER_URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres}
        server=$(printf '%s' "$server" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#')
        name="csol_drill_$(date -u +%Y%m%d%H%M%S)_$$"
        # The same server, another database: swap the URL's path (and keep its query).
        target=$(printf '%s' "$server" | sed -E "s#^(postgresql://[^/]*)(/[^?]*)?#\\1/$name#")
        psql -q -v ON_ERROR_STOP=1 "$server" -c "CREATE DATABASE \"$name\""
        if [ "${KEEP:-0}" != "1" ]; then
            trap 'psql -q "$server" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"' EXIT
        fi
        pg_restore --exit-on-error --no-owner --no-privileges --dbname "$target" "$backup"
        echo "revision $(psql -At "$target" -c "SELECT version_num FROM alembic_version")"
        for t in $tables; do
            echo "$t $(psql -At "$target" -c "SELECT count(*) FROM $t")"
        done
        ;;
    *)
        echo "restore-drill.sh: a .db or .dump file from backup.sh" >&2
        exit 2
        ;;
esac
