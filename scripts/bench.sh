#!/usr/bin/env bash
# `make bench`: benchmarks printing JSON (bench/import_contacts.py): 10,000 Xero
# contacts imported into an empty CRM, a re-run, 429s, a naive baseline, the
# ORM's floor, a Xero as slow as the real one, the account views' queries,
# 20 organisations at once, and a simulated day of every scheduled action at
# 10,000 and 100,000 linked accounts (Xero calls and MB a day, the reserve of
# the day kept for clicks).  `make bench-large` (`bench.sh large`): 10,000 and
# 100,000 contacts side by side.
# Sizes: BENCH_CONTACTS (10000), BENCH_NAIVE_CONTACTS (2000), BENCH_LATENCY
# (seconds a page of 1,000 takes at the sandbox: 1.5), BENCH_ORGS (20),
# BENCH_LARGE (100000), BENCH_DAY_SIZES (10000,100000).  Databases:
# BENCH_DB_PREFIX (crm_xero_bench)_base, then _<scenario>.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"
export ODOO_SRC ODOO_SERIES=$SERIES ODOO_NO_DEMO="$(demo_options no)"
if [ "${1:-}" = "large" ]; then
    say "Benchmark: import ${BENCH_CONTACTS:-10000} and ${BENCH_LARGE:-100000} Xero contacts (fresh databases, own sandboxes)"
    "$VENV/bin/python" bench/import_contacts.py --contacts "${BENCH_CONTACTS:-10000}" \
        --large "${BENCH_LARGE:-100000}" | tee "$VAR/bench-large.json"
else
    say "Benchmark: import ${BENCH_CONTACTS:-10000} Xero contacts (fresh databases, own sandbox)"
    "$VENV/bin/python" bench/import_contacts.py --contacts "${BENCH_CONTACTS:-10000}" \
        --naive-contacts "${BENCH_NAIVE_CONTACTS:-2000}" --latency "${BENCH_LATENCY:-1.5}" \
        --orgs "${BENCH_ORGS:-20}" --day-sizes "${BENCH_DAY_SIZES:-10000,100000}" \
        | tee "$VAR/bench-import.json"
fi
