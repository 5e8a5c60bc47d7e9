#!/usr/bin/env bash
# `make run`: the Xero sandbox on 127.0.0.1, then Odoo on :8069 with a demo
# database (Odoo's demo data plus crm_xero) pointed at the sandbox. With
# XERO_CLIENT_ID and XERO_CLIENT_SECRET set, it targets real Xero instead.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"

db=${DEMO_DB:-crm_xero_demo}
http_port=${ODOO_PORT:-8069}
interface=${ODOO_INTERFACE:-127.0.0.1}
sandbox_port=${SANDBOX_PORT:-8070}
base_url=${WEB_BASE_URL:-http://localhost:$http_port}
export WEB_BASE_URL=$base_url

sandbox_pid=""
odoo_pid=""
# Stop what we started, by process id, however this script ends.
stop_servers() {
    for pid in $odoo_pid $sandbox_pid; do kill "$pid" 2>/dev/null || true; done
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

if [ -n "${XERO_CLIENT_ID:-}" ] && [ -n "${XERO_CLIENT_SECRET:-}" ]; then
    say "Using real Xero with the app credentials from XERO_CLIENT_ID / XERO_CLIENT_SECRET"
    export CRM_XERO_LOGIN_URL=https://login.xero.com CRM_XERO_IDENTITY_URL=https://identity.xero.com
    export CRM_XERO_API_URL=https://api.xero.com CRM_XERO_GO_URL=https://go.xero.com
    export CRM_XERO_CLIENT_ID=$XERO_CLIENT_ID CRM_XERO_CLIENT_SECRET=$XERO_CLIENT_SECRET
    target="real Xero (add $base_url/crm_xero/oauth/callback as a redirect URI of your Xero app)"
else
    say "Starting the Xero sandbox on http://127.0.0.1:$sandbox_port"
    "$VENV/bin/python" -m xero_sandbox --host 127.0.0.1 --port "$sandbox_port" \
        > "$VAR/sandbox.log" 2>&1 &
    sandbox_pid=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$VAR/sandbox.log" 2>/dev/null && break
        kill -0 "$sandbox_pid" 2>/dev/null || die "the sandbox stopped: see $VAR/sandbox.log"
        sleep 0.2
    done
    sandbox_url="http://127.0.0.1:$sandbox_port"
    export CRM_XERO_LOGIN_URL=$sandbox_url CRM_XERO_IDENTITY_URL=$sandbox_url
    export CRM_XERO_API_URL=$sandbox_url CRM_XERO_GO_URL=$sandbox_url
    export CRM_XERO_CLIENT_ID=sandbox-client-id CRM_XERO_CLIENT_SECRET=sandbox-client-secret
    export CRM_XERO_SANDBOX_FRESH=1
    target="the local Xero sandbox ($sandbox_url)"
fi

if ! "$VENV/bin/python" -m scripts.odoo_db exists "$db"; then
    say "Creating the demo database '$db' (Odoo demo data + crm_xero; about a minute)"
    "${ODOO_BIN[@]}" -d "$db" -i crm_xero --stop-after-init --data-dir "$VAR/data" \
        --log-level warn
else
    say "Updating crm_xero in the demo database '$db'"
    "${ODOO_BIN[@]}" -d "$db" -u crm_xero --stop-after-init --data-dir "$VAR/data" \
        --log-level warn
fi
"${ODOO_SHELL[@]}" -d "$db" --no-http --data-dir "$VAR/data" --log-level warn \
    < "$ROOT/scripts/configure_demo.py"

cat <<MSG

  crm_xero demo: $base_url   (database $db, login admin / password admin)
  Xero: $target
  First: Settings > CRM > Xero > Setup, then "Allow access" on the Xero page.
  Stop with Ctrl-C.

MSG
"${ODOO_BIN[@]}" -d "$db" --db-filter "^$db\$" --http-interface "$interface" \
    --http-port "$http_port" --data-dir "$VAR/data" &
odoo_pid=$!
wait "$odoo_pid"
