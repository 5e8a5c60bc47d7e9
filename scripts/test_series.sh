#!/usr/bin/env bash
# One Odoo series' part of `make test` (scripts/test.sh runs it per series):
#   1. a template database with crm_xero, sale_crm and crm_xero_sale installed
#      once (Odoo's own install, no test run);
#   2. the addons' Odoo tests (crm_xero's, the browser tours included, and
#      crm_xero_sale's) in ONE pytest-odoo run against a copy of it
#      (--odoo-http: the tours' browser needs Odoo's HTTP server), JUnit report
#      var/junit-odoo-<series>.xml;
#   3. the prefork run (scripts/test_workers.sh) on another copy.
# One sandbox, started here with --check-spec, serves them all; what it
# checked against Xero's OpenAPI spec is saved to var/spec-<series>.json.
# Times of each part: var/test-<series>-times.json.
#   bash scripts/test_series.sh 19.0
set -uo pipefail
source "$(dirname "$0")/lib.sh"
load_env "${1:-}"
cd "$ROOT"
mkdir -p "$VAR"
major=$(series_major "$SERIES")
base=${TEST_DB:-crm_xero_test}_$major
template="${base}_template"
log_prefix="$VAR/test-$SERIES"
times="{}"
clock() { date +%s; }
note_time() {   # note_time part seconds
    times=$("$VENV/bin/python" -c 'import json,sys; t=json.loads(sys.argv[1]); t[sys.argv[2]]=int(sys.argv[3]); print(json.dumps(t))' "$times" "$1" "$2")
}

start_sandbox "$log_prefix-sandbox.log" --check-spec
trap 'kill "$SANDBOX_PID" 2>/dev/null || true' EXIT
export XERO_SANDBOX_URL=$SANDBOX_URL XERO_SANDBOX_CA=$SANDBOX_CA
command -v chromium >/dev/null || command -v google-chrome >/dev/null \
    || command -v chromium-browser >/dev/null \
    || die "Chromium is missing: the browser tours need it (scripts/bootstrap.sh installs Debian's chromium)."

say "[$SERIES] Installing crm_xero, sale_crm and crm_xero_sale into the template '$template' (Odoo $SERIES: $ODOO_SRC)"
t=$(clock)
"$VENV/bin/python" -m scripts.odoo_db drop "$template" || die "could not drop database $template"
# shellcheck disable=SC2046
"${ODOO_BIN[@]}" -d "$template" -i crm_xero,sale_crm,crm_xero_sale $(demo_options no) \
    --stop-after-init --no-http --data-dir "$VAR/data" --log-level warn \
    > "$log_prefix-install.log" 2>&1
install_rc=$?
note_time install $(( $(clock) - t ))
if [ $install_rc -ne 0 ]; then
    tail -n 40 "$log_prefix-install.log"
    die "[$SERIES] installing the modules failed: see $log_prefix-install.log"
fi

say "[$SERIES] Odoo tests under pytest-odoo (crm_xero with its tours, crm_xero_sale) in '$base'"
t=$(clock)
"$VENV/bin/python" -m scripts.odoo_db drop "$base" && \
    "$VENV/bin/python" -m scripts.odoo_db copy "$template" "$base" \
    || die "could not copy $template"
bash scripts/odoo_pytest.sh --series "$SERIES" --db "$base" \
    --junitxml="$VAR/junit-odoo-$SERIES.xml" addons/crm_xero/tests addons/crm_xero_sale/tests \
    > "$log_prefix-odoo.log" 2>&1
odoo_rc=$?
note_time odoo_tests $(( $(clock) - t ))
tail -n 3 "$log_prefix-odoo.log"

say "[$SERIES] Prefork run: Odoo with --workers=3, clicks over HTTP"
t=$(clock)
bash scripts/test_workers.sh --series "$SERIES" --from "$template" > "$log_prefix-workers.log" 2>&1
workers_rc=$?
note_time prefork $(( $(clock) - t ))
tail -n 3 "$log_prefix-workers.log"

curl -s --max-time 10 --cacert "$SANDBOX_CA" "$SANDBOX_URL/_sandbox/spec" > "$VAR/spec-$SERIES.json" \
    || echo '{}' > "$VAR/spec-$SERIES.json"
echo "$times" > "$log_prefix-times.json"
echo "{\"odoo_rc\": $odoo_rc, \"workers_rc\": $workers_rc}" > "$log_prefix-rc.json"
[ $odoo_rc -eq 0 ] && [ $workers_rc -eq 0 ]
