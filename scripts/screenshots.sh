#!/usr/bin/env bash
# `make screenshots`: the README's screenshots (docs/NN-*.png), taken by the
# browser tours themselves (addons/crm_xero/tests/test_tours.py) in a fresh
# database, against a sandbox the tests start (or XERO_SANDBOX_URL).  Only the
# tour tests run.  Fails if a tour fails or if no screenshot was written.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR" docs

command -v "${CHROME_BIN:-chromium}" >/dev/null \
    || die "Chromium is missing: the browser tours need it (scripts/bootstrap.sh installs Debian's chromium)."

db=${SCREENSHOTS_DB:-crm_xero_screenshots}
log="$VAR/screenshots.log"
shots="$VAR/screenshots"   # docs/ changes only once every tour passed
rm -rf "$shots" && mkdir -p "$shots"

say "Screenshots: fresh database '$db', the tours in Chromium, pictures in docs/"
"$VENV/bin/python" -m scripts.odoo_db drop "$db" || die "could not drop database $db"
CRM_XERO_SCREENSHOTS="$shots" "${ODOO_BIN[@]}" -d "$db" -i crm_xero --without-demo=all \
    --test-enable --test-tags /crm_xero:TestTours --stop-after-init \
    --http-interface 127.0.0.1 --http-port "$(free_port)" \
    --data-dir "$VAR/data" --log-level test 2>&1 | tee "$log"
odoo_rc=${PIPESTATUS[0]}

# Odoo's runner exits 0 when no test ran at all: count what it says it ran.
grep -q "crm_xero: [1-9][0-9]* tests" "$log" \
    || die "no tour ran (is test_tours imported in addons/crm_xero/tests/__init__.py?): see $log"
grep -qE "(FAIL|ERROR): TestTours" "$log" && die "a tour failed: see $log"
[ "$odoo_rc" -eq 0 ] || die "Odoo's test run failed ($odoo_rc): see $log"
ls "$shots"/[0-9][0-9]-*.png >/dev/null 2>&1 || die "the tours wrote no screenshot: see $log"
# The tours' pictures replace the previous ones (a renamed step leaves none behind).
rm -f docs/[0-9][0-9]-*.png
mv "$shots"/[0-9][0-9]-*.png docs/
say "Screenshots written:"
ls docs/[0-9][0-9]-*.png
# The Apps page (static/description/index.html) shows four of them.
description=addons/crm_xero/static/description
cp docs/03-settings-connected.png "$description/screenshot_settings.png"
cp docs/07-account-figures.png "$description/screenshot_account.png"
cp docs/11-invoice-wizard.png "$description/screenshot_invoice_wizard.png"
cp docs/15-live-paid.png "$description/screenshot_live_paid.png"
