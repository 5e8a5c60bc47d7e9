#!/usr/bin/env bash
# `make bench`: benchmarks printing JSON (bench/import_contacts.py: 10,000 Xero
# contacts imported into an empty CRM, a re-run, 429s, a naive baseline).
# BENCH_CONTACTS and BENCH_NAIVE_CONTACTS change the sizes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"
export ODOO_SRC
say "Benchmark: import ${BENCH_CONTACTS:-10000} Xero contacts (fresh databases, own sandbox)"
"$VENV/bin/python" bench/import_contacts.py --contacts "${BENCH_CONTACTS:-10000}" \
    --naive-contacts "${BENCH_NAIVE_CONTACTS:-10000}" | tee "$VAR/bench-import.json"
