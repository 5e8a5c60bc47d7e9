#!/usr/bin/env bash
# `make test-workers` (and the last part of `make test`): Odoo as production runs
# it, in prefork mode (--workers=3 --max-cron-threads=2) on 127.0.0.1 and a free
# port, with the sandbox, and concurrent clicks fired over HTTP (JSON-RPC) by
# tests_prefork/.  The database is a copy of --from (make test's template, with
# the modules installed) when given, else a fresh install.  Odoo and the sandbox
# are stopped by their process ids.  Figures: var/workers-figures-<series>.json.
#   bash scripts/test_workers.sh [--series 19.0] [--from DATABASE]
set -uo pipefail
source "$(dirname "$0")/lib.sh"
series="" template=""
while [ $# -gt 0 ]; do
    case "$1" in
        --series) series=$2; shift 2 ;;
        --from) template=$2; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done
load_env "$series"
cd "$ROOT"
mkdir -p "$VAR"

db="${TEST_DB:-crm_xero_test}_$(series_major "$SERIES")_workers"
"$VENV/bin/python" -m scripts.odoo_db drop "$db" || die "could not drop database $db"
if [ -n "$template" ] && "$VENV/bin/python" -m scripts.odoo_db exists "$template"; then
    "$VENV/bin/python" -m scripts.odoo_db copy "$template" "$db" || die "could not copy $template"
else
    say "Installing crm_xero into '$db' (Odoo $SERIES)"
    # shellcheck disable=SC2046
    "${ODOO_BIN[@]}" -d "$db" -i crm_xero $(demo_options no) --stop-after-init \
        --data-dir "$VAR/data" --log-level warn || die "could not install crm_xero into $db"
fi

SANDBOX_PID=""
if [ -z "${XERO_SANDBOX_URL:-}" ]; then
    start_sandbox "$VAR/workers-sandbox-$SERIES.log"
    export XERO_SANDBOX_URL=$SANDBOX_URL XERO_SANDBOX_CA=$SANDBOX_CA
fi

http_port=$(free_port)
"${ODOO_BIN[@]}" -d "$db" --db-filter "^$db\$" --workers=3 --max-cron-threads=2 \
    --http-interface 127.0.0.1 --http-port "$http_port" --gevent-port "$(free_port)" \
    --limit-time-real 120 --data-dir "$VAR/data" --logfile "$VAR/workers-odoo-$SERIES.log" \
    --log-level info &
odoo_pid=$!
stop_servers() {
    kill "$odoo_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$odoo_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$odoo_pid" 2>/dev/null || true
    [ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null || true
}
trap stop_servers EXIT

export ODOO_URL="http://127.0.0.1:$http_port" ODOO_DB="$db" ODOO_PID="$odoo_pid"
export WORKERS_FIGURES="$VAR/workers-figures-$SERIES.json"
export WORKERS_ODOO_LOG="$VAR/workers-odoo-$SERIES.log" ODOO_SERIES=$SERIES
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -p no:odoo tests_prefork \
    --junitxml="$VAR/junit-workers-$SERIES.xml"
rc=$?
[ -f "$WORKERS_FIGURES" ] && cat "$WORKERS_FIGURES"
exit $rc
