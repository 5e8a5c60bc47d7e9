#!/usr/bin/env bash
# `make lint` (and the first step of `make test`): ruff over the whole tree
# (ruff.toml), pylint-odoo's mandatory checks over the addons (.pylintrc), and
# the addons' README.rst / Apps page up to date with their readme/ fragments.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
rc=0
load_env
"$VENV/bin/ruff" check . || rc=1
"$VENV/bin/pylint" --rcfile=.pylintrc addons/crm_xero addons/crm_xero_sale || rc=1
# Each addon's README.rst and Apps page are what its readme/ fragments make.
"$VENV/bin/python" -m scripts.addon_readme --check || rc=1
[ $rc -eq 0 ] && say "lint: clean"
exit $rc
