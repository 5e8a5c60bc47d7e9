#!/usr/bin/env bash
# `make test-workers` (and the last part of `make test`): Odoo as production runs
# it, in prefork mode (--workers=3 --max-cron-threads=2) on 127.0.0.1 and a free
# port, with the sandbox, and concurrent clicks fired over HTTP (JSON-RPC) by
# tests_prefork/.  The database is a copy of the Odoo tests' one when it exists
# (crm_xero installed), else a fresh install.  Odoo and the sandbox are stopped
# by their process ids.  Figures: var/workers-figures.json.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"

template=${TEST_DB:-crm_xero_test}
db="${template}_workers"
"$VENV/bin/python" -m scripts.odoo_db drop "$db" || die "could not drop database $db"
if "$VENV/bin/python" -m scripts.odoo_db exists "$template"; then
    "$VENV/bin/python" -m scripts.odoo_db copy "$template" "$db" || die "could not copy $template"
else
    say "Installing crm_xero into '$db'"
    "${ODOO_BIN[@]}" -d "$db" -i crm_xero --without-demo=all --stop-after-init \
        --data-dir "$VAR/data" --log-level warn || die "could not install crm_xero into $db"
fi

sandbox_pid=""
if [ -z "${XERO_SANDBOX_URL:-}" ]; then
    port=$(free_port)
    "$VENV/bin/python" -m xero_sandbox --host 127.0.0.1 --port "$port" \
        > "$VAR/workers-sandbox.log" 2>&1 &
    sandbox_pid=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$VAR/workers-sandbox.log" 2>/dev/null && break
        sleep 0.2
    done
    export XERO_SANDBOX_URL="http://127.0.0.1:$port"
fi

http_port=$(free_port)
"${ODOO_BIN[@]}" -d "$db" --db-filter "^$db\$" --workers=3 --max-cron-threads=2 \
    --http-interface 127.0.0.1 --http-port "$http_port" --gevent-port "$(free_port)" \
    --limit-time-real 120 --data-dir "$VAR/data" --logfile "$VAR/workers-odoo.log" \
    --log-level info &
odoo_pid=$!
stop_servers() {
    kill "$odoo_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$odoo_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$odoo_pid" 2>/dev/null || true
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
}
trap stop_servers EXIT

export ODOO_URL="http://127.0.0.1:$http_port" ODOO_DB="$db" ODOO_PID="$odoo_pid"
export WORKERS_FIGURES="$VAR/workers-figures.json" WORKERS_ODOO_LOG="$VAR/workers-odoo.log"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests_prefork \
    --junitxml="$VAR/workers-junit.xml"
rc=$?
[ -f "$VAR/workers-figures.json" ] && cat "$VAR/workers-figures.json"
exit $rc
