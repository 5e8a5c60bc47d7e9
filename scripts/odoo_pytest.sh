#!/usr/bin/env bash
# The addons' Odoo tests under pytest-odoo, against a database where the
# modules are installed (pytest-odoo never installs them): installed here
# first if the database does not exist yet.  Any pytest argument passes
# through, so one test or a -k selection is one line:
#   bash scripts/odoo_pytest.sh addons/crm_xero/tests/test_export.py -k clash
#   bash scripts/odoo_pytest.sh --series 19.0 addons/crm_xero/tests/test_tours.py
# Options: --series S (default ODOO_SERIES or 18.0), --db NAME (default
# crm_xero_test_<major>, the database `make test` leaves), --update (run
# `-u crm_xero,crm_xero_sale` first: after changing XML, fields or data).
# The tests start a Xero sandbox of their own unless XERO_SANDBOX_URL is set.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
series="" db="" update=""
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --series) series=$2; shift 2 ;;
        --db) db=$2; shift 2 ;;
        --update) update=1; shift ;;
        *) args+=("$1"); shift ;;
    esac
done
load_env "$series"
cd "$ROOT"
mkdir -p "$VAR"
db=${db:-${TEST_DB:-crm_xero_test}_$(series_major "$SERIES")}
[ ${#args[@]} -gt 0 ] || args=(addons/crm_xero/tests addons/crm_xero_sale/tests)

if ! "$VENV/bin/python" -m scripts.odoo_db exists "$db"; then
    say "Installing crm_xero, sale_crm and crm_xero_sale into '$db' (Odoo $SERIES) first"
    # shellcheck disable=SC2046
    "${ODOO_BIN[@]}" -d "$db" -i crm_xero,sale_crm,crm_xero_sale $(demo_options no) \
        --stop-after-init --no-http --data-dir "$VAR/data" --log-level warn \
        || die "installing the modules into $db failed"
elif [ -n "$update" ]; then
    "${ODOO_BIN[@]}" -d "$db" -u crm_xero,crm_xero_sale --stop-after-init --no-http \
        --data-dir "$VAR/data" --log-level warn || die "updating the modules in $db failed"
fi

PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" \
    exec "$VENV/bin/python" -m pytest -p no:cacheprovider -o addopts="" --rootdir "$ROOT" \
    --odoo-database "$db" --odoo-config "$ROOT/odoo.conf" \
    --odoo-addons-path "$ODOO_ADDONS_PATH" --odoo-log-level "${ODOO_LOG_LEVEL:-warn}" \
    --odoo-http --odoo-extra "http-interface=127.0.0.1" --odoo-extra "data-dir=$VAR/data" \
    "${args[@]}"
