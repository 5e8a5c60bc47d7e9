#!/usr/bin/env bash
# `make test`: lint, the sandbox's own tests (pytest), then the addon's Odoo tests
# (with their browser tours) in a fresh database with crm_xero installed and a
# second one with sale_crm (so crm_xero_sale) too, run by Odoo's own runner
# against the real PostgreSQL server; then the prefork run (Odoo with
# --workers, clicks over HTTP).  Every Odoo test talks to one sandbox started
# here with --check-spec: each request the addon sends is held against Xero's
# OpenAPI spec, and any violation fails the run.  Ends with one summary line;
# fails if any part failed or if the Odoo tests did not run at all.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"
started=$(date +%s)

say "Lint (ruff, pylint-odoo's mandatory checks)"
bash scripts/lint.sh 2>&1 | tee "$VAR/test-lint.log"
lint_rc=${PIPESTATUS[0]}

say "Sandbox tests (pytest)"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider xero_sandbox/tests \
    --junitxml="$VAR/sandbox-junit.xml" 2>&1 | tee "$VAR/test-sandbox.log"
sandbox_rc=${PIPESTATUS[0]}

# One sandbox for every Odoo test, checking each request against the spec.
sandbox_port=$(free_port)
"$VENV/bin/python" -m xero_sandbox --host 127.0.0.1 --port "$sandbox_port" --check-spec \
    > "$VAR/test-sandbox-server.log" 2>&1 &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    grep -q "listening on" "$VAR/test-sandbox-server.log" 2>/dev/null && break
    kill -0 "$sandbox_pid" 2>/dev/null || die "the sandbox stopped: see $VAR/test-sandbox-server.log"
    sleep 0.2
done
export XERO_SANDBOX_URL="http://127.0.0.1:$sandbox_port"

command -v chromium >/dev/null || command -v google-chrome >/dev/null \
    || command -v chromium-browser >/dev/null \
    || die "Chromium is missing: the browser tours need it (scripts/bootstrap.sh installs Debian's chromium)."

db=${TEST_DB:-crm_xero_test}
say "Odoo tests: fresh database '$db' with crm_xero installed (Odoo's runner, tours in Chromium)"
"$VENV/bin/python" -m scripts.odoo_db drop "$db" || die "could not drop database $db"
"${ODOO_BIN[@]}" -d "$db" -i crm_xero --without-demo=all \
    --test-enable --test-tags /crm_xero --stop-after-init \
    --http-interface 127.0.0.1 --http-port "$(free_port)" \
    --data-dir "$VAR/data" --log-level test 2>&1 | tee "$VAR/test-odoo.log"
odoo_rc=${PIPESTATUS[0]}

sale_db="${db}_sale"
say "Odoo tests with sale_crm (crm_xero_sale): fresh database '$sale_db'"
"$VENV/bin/python" -m scripts.odoo_db drop "$sale_db" || die "could not drop database $sale_db"
"${ODOO_BIN[@]}" -d "$sale_db" -i crm_xero,sale_crm --without-demo=all \
    --test-enable --test-tags /crm_xero_sale --stop-after-init \
    --http-interface 127.0.0.1 --http-port "$(free_port)" \
    --data-dir "$VAR/data" --log-level test 2>&1 | tee "$VAR/test-odoo-sale.log"
sale_rc=${PIPESTATUS[0]}

say "Prefork run: Odoo with --workers=3 --max-cron-threads=2, clicks over HTTP"
TEST_DB="$db" bash scripts/test_workers.sh 2>&1 | tee "$VAR/test-workers.log"
workers_rc=${PIPESTATUS[0]}

"$VENV/bin/python" -m scripts.test_summary \
    --lint-rc "$lint_rc" \
    --sandbox-junit "$VAR/sandbox-junit.xml" --sandbox-rc "$sandbox_rc" \
    --odoo-log "$VAR/test-odoo.log" --odoo-rc "$odoo_rc" \
    --odoo-log "$VAR/test-odoo-sale.log" --odoo-rc "$sale_rc" \
    --workers-junit "$VAR/workers-junit.xml" --workers-rc "$workers_rc" \
    --spec-url "$XERO_SANDBOX_URL" \
    --seconds $(( $(date +%s) - started ))
