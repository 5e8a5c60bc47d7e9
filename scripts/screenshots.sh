#!/usr/bin/env bash
# `make screenshots`: the README's screenshots (docs/NN-*.png; on another series
# than the first, docs/<series>/NN-*.png), taken by the browser tours themselves
# (addons/crm_xero/tests/test_tours.py, under pytest-odoo) in a fresh database,
# against a sandbox the tests start (or XERO_SANDBOX_URL).  Only the tours run.
# Fails if a tour fails or if no screenshot was written.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"

command -v "${CHROME_BIN:-chromium}" >/dev/null \
    || die "Chromium is missing: the browser tours need it (scripts/bootstrap.sh installs Debian's chromium)."

db=${SCREENSHOTS_DB:-crm_xero_screenshots_$(series_major "$SERIES")}
log="$VAR/screenshots-$SERIES.log"
shots="$VAR/screenshots-$SERIES"   # docs/ changes only once every tour passed
docs=docs
[ "$SERIES" = "$DEFAULT_SERIES" ] || docs="docs/$SERIES"
rm -rf "$shots" && mkdir -p "$shots" "$docs"

say "Screenshots (Odoo $SERIES): fresh database '$db', the tours in Chromium, pictures in $docs/"
"$VENV/bin/python" -m scripts.odoo_db drop "$db" || die "could not drop database $db"
CRM_XERO_SCREENSHOTS="$shots" bash scripts/odoo_pytest.sh --series "$SERIES" --db "$db" \
    addons/crm_xero/tests/test_tours.py 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
"$VENV/bin/python" -m scripts.odoo_db drop "$db"
[ "$rc" -eq 0 ] || die "a tour failed or none ran ($rc): see $log"
ls "$shots"/[0-9][0-9]-*.png >/dev/null 2>&1 || die "the tours wrote no screenshot: see $log"
# The tours' pictures replace the previous ones (a renamed step leaves none behind).
rm -f "$docs"/[0-9][0-9]-*.png
mv "$shots"/[0-9][0-9]-*.png "$docs"/
say "Screenshots written:"
ls "$docs"/[0-9][0-9]-*.png
[ "$SERIES" = "$DEFAULT_SERIES" ] || exit 0
# The Apps page (static/description/index.html) shows four of them.
description=addons/crm_xero/static/description
cp docs/03-settings-connected.png "$description/screenshot_settings.png"
cp docs/07-account-figures.png "$description/screenshot_account.png"
cp docs/11-invoice-wizard.png "$description/screenshot_invoice_wizard.png"
cp docs/15-live-paid.png "$description/screenshot_live_paid.png"
