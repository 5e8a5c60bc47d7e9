#!/usr/bin/env bash
# `make test`: the sandbox's own tests (pytest), then the addon's Odoo tests in a
# fresh database with crm_xero installed (and a second one with sale_crm too),
# run by Odoo's own test runner against the real PostgreSQL server. Ends with one pytest-style summary line, and fails
# if either suite failed or if the Odoo tests did not run at all.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"
started=$(date +%s)

say "Sandbox tests (pytest)"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider xero_sandbox/tests \
    --junitxml="$VAR/sandbox-junit.xml" 2>&1 | tee "$VAR/test-sandbox.log"
sandbox_rc=${PIPESTATUS[0]}

db=${TEST_DB:-crm_xero_test}
say "Odoo tests: fresh database '$db' with crm_xero installed (Odoo's runner)"
"$VENV/bin/python" -m scripts.odoo_db drop "$db" || die "could not drop database $db"
"${ODOO_BIN[@]}" -d "$db" -i crm_xero --without-demo=all \
    --test-enable --test-tags /crm_xero --stop-after-init \
    --http-interface 127.0.0.1 --http-port "$(free_port)" \
    --data-dir "$VAR/data" --log-level test 2>&1 | tee "$VAR/test-odoo.log"
odoo_rc=${PIPESTATUS[0]}

# crm_xero does not depend on sale_crm, but uses a quotation's lines when it is
# installed: those tests (tag crm_xero_sale) run in a database that has it.
sale_db="${db}_sale"
say "Odoo tests with sale_crm: fresh database '$sale_db'"
"$VENV/bin/python" -m scripts.odoo_db drop "$sale_db" || die "could not drop database $sale_db"
"${ODOO_BIN[@]}" -d "$sale_db" -i crm_xero,sale_crm --without-demo=all \
    --test-enable --test-tags crm_xero_sale --stop-after-init \
    --http-interface 127.0.0.1 --http-port "$(free_port)" \
    --data-dir "$VAR/data" --log-level test 2>&1 | tee "$VAR/test-odoo-sale.log"
sale_rc=${PIPESTATUS[0]}

"$VENV/bin/python" -m scripts.test_summary \
    --sandbox-junit "$VAR/sandbox-junit.xml" --sandbox-rc "$sandbox_rc" \
    --odoo-log "$VAR/test-odoo.log" --odoo-rc "$odoo_rc" \
    --odoo-log "$VAR/test-odoo-sale.log" --odoo-rc "$sale_rc" \
    --seconds $(( $(date +%s) - started ))
