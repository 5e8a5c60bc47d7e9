#!/usr/bin/env bash
# `make run`: the Xero sandbox on 127.0.0.1, then Odoo on :8069 with a demo
# database (Odoo's demo data plus crm_xero) pointed at the sandbox. With
# XERO_CLIENT_ID and XERO_CLIENT_SECRET set, it targets real Xero instead.
# ODOO_SERIES=19.0 runs it on Odoo 19.0 (its own demo database, crm_xero_demo_19).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"

db=${DEMO_DB:-crm_xero_demo}
[ "$SERIES" = "$DEFAULT_SERIES" ] || db=${DEMO_DB:-crm_xero_demo_$(series_major "$SERIES")}
http_port=${ODOO_PORT:-8069}
interface=${ODOO_INTERFACE:-127.0.0.1}
sandbox_port=${SANDBOX_PORT:-8070}
browser_port=${SANDBOX_BROWSER_PORT:-$((sandbox_port + 1))}
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
    export CRM_XERO_CA_FILE=""   # real Xero: certifi's authorities only
    target="real Xero (add $base_url/crm_xero/oauth/callback as a redirect URI of your Xero app)"
else
    # The sandbox keeps its organisations, grants and tokens in a state file:
    # a restart needs no reconnect and keeps what was exported.
    state_file="$VAR/sandbox-state.json"
    [ "$SERIES" = "$DEFAULT_SERIES" ] || state_file="$VAR/sandbox-state-$SERIES.json"
    fresh=""
    [ -f "$state_file" ] || fresh=1
    # Xero's identity and API hosts over HTTPS (the local CA's certificate,
    # trusted by Odoo for these addresses only); the consent page and links
    # into Xero on plain HTTP, so the browser shows no certificate warning.
    say "Starting the Xero sandbox on https://127.0.0.1:$sandbox_port and http://127.0.0.1:$browser_port (state: $state_file)"
    "$VENV/bin/python" -m xero_sandbox --host 127.0.0.1 --port "$sandbox_port" \
        --browser-port "$browser_port" --tls-dir "$VAR/ca" \
        --state-file "$state_file" > "$VAR/sandbox.log" 2>&1 &
    sandbox_pid=$!
    for _ in $(seq 50); do
        grep -q "CA certificate" "$VAR/sandbox.log" 2>/dev/null && break
        kill -0 "$sandbox_pid" 2>/dev/null || die "the sandbox stopped: see $VAR/sandbox.log"
        sleep 0.2
    done
    sandbox_url="https://127.0.0.1:$sandbox_port"
    browser_url="http://127.0.0.1:$browser_port"
    export CRM_XERO_LOGIN_URL=$browser_url CRM_XERO_IDENTITY_URL=$sandbox_url
    export CRM_XERO_API_URL=$sandbox_url CRM_XERO_GO_URL=$browser_url
    export CRM_XERO_CA_FILE="$VAR/ca/ca.pem"
    export CRM_XERO_CLIENT_ID=sandbox-client-id CRM_XERO_CLIENT_SECRET=sandbox-client-secret
    export CRM_XERO_SANDBOX_FRESH=$fresh
    # Webhooks, as Xero sends them: the sandbox posts to Odoo, signed with this key.
    key_file="$VAR/webhook-key"
    [ -f "$key_file" ] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$key_file"
    export CRM_XERO_WEBHOOK_KEY=$(cat "$key_file")
    "$VENV/bin/python" "$ROOT/scripts/sandbox_webhooks.py" "$browser_url" \
        "$base_url/crm_xero/webhook" "$CRM_XERO_WEBHOOK_KEY" \
        || warn "could not subscribe the sandbox's webhooks"
    target="the local Xero sandbox ($sandbox_url; its pages for the browser on $browser_url)"
fi

if ! "$VENV/bin/python" -m scripts.odoo_db exists "$db"; then
    say "Creating the demo database '$db' (Odoo $SERIES demo data + crm_xero; about a minute)"
    # shellcheck disable=SC2046
    "${ODOO_BIN[@]}" -d "$db" -i crm_xero $(demo_options yes) --stop-after-init \
        --data-dir "$VAR/data" --log-level warn
else
    say "Updating crm_xero in the demo database '$db'"
    "${ODOO_BIN[@]}" -d "$db" -u crm_xero --stop-after-init --data-dir "$VAR/data" \
        --log-level warn
fi
"${ODOO_SHELL[@]}" -d "$db" --no-http --data-dir "$VAR/data" --log-level warn \
    < "$ROOT/scripts/configure_demo.py"

state=$("${ODOO_SHELL[@]}" -d "$db" --no-http --data-dir "$VAR/data" --log-level warn \
        <<< 'print("XERO_STATE=" + (env["xero.connection"].sudo().search([], limit=1).state or "not_connected"))' \
        2>/dev/null | sed -n 's/^XERO_STATE=//p')
case "$state" in
    connected) next="Xero is connected: open Contacts or CRM and use the Xero buttons." ;;
    needs_reconnect) next="Settings > CRM > Xero > Reconnect, then \"Allow access\" on the Xero page." ;;
    *) next="Settings > CRM > Xero > Setup, then \"Allow access\" on the Xero page." ;;
esac
cat <<MSG

  crm_xero demo: $base_url   (Odoo $SERIES, database $db, login admin / password admin)
  Xero: $target
  Next: $next
  Stop with Ctrl-C.

MSG
"${ODOO_BIN[@]}" -d "$db" --db-filter "^$db\$" --http-interface "$interface" \
    --http-port "$http_port" --data-dir "$VAR/data" &
odoo_pid=$!
wait "$odoo_pid"
