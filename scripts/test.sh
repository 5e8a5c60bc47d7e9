#!/usr/bin/env bash
# `make test`: everything, against real Odoo and PostgreSQL, on every supported
# Odoo series (18.0 and 19.0), failing loudly if any part fails or cannot run:
#   1. lint (once): ruff and pylint-odoo's mandatory checks;
#   2. the sandbox's own tests (once, pytest); the addons built as wheels, one
#      per series, their contents checked (scripts/wheels.sh);
#   3. per series (scripts/test_series.sh; the series run side by side, each
#      with its own sandbox, databases and logs var/test-<series>-*.log):
#      a template database installed once, the addons' Odoo tests under
#      pytest-odoo (tours in Chromium included), the prefork run;
#   4. the summary: a line per part and series, the total; it fails if any part
#      failed, a test was skipped, a series' Odoo tests did not run, or a
#      request broke Xero's OpenAPI spec.
# TEST_SERIES_JOBS=1 runs the series one after the other; TEST_SERIES="19.0"
# tests only the series named (a developer's shortcut: the summary says so,
# and CI runs every series).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
mkdir -p "$VAR"
started=$(date +%s)
series_list=${TEST_SERIES:-$SUPPORTED_SERIES}
for series in $series_list; do
    check_series "$series"
    [ -f "$VAR/env-$series.sh" ] || die "Odoo $series is not set up: run 'bash scripts/bootstrap.sh all' (make test does)."
done
load_env "$DEFAULT_SERIES"   # lint and the sandbox's tests run once, with this venv

say "Lint (ruff, pylint-odoo's mandatory checks)"
bash scripts/lint.sh 2>&1 | tee "$VAR/test-lint.log"
lint_rc=${PIPESTATUS[0]}

say "Sandbox tests (pytest)"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -p no:odoo xero_sandbox/tests \
    --junitxml="$VAR/junit-sandbox.xml" 2>&1 | tee "$VAR/test-sandbox.log"
sandbox_rc=${PIPESTATUS[0]}

say "Wheels (whool): each addon per series, contents checked"
bash scripts/wheels.sh 2>&1 | tee "$VAR/test-wheels.log"
wheels_rc=${PIPESTATUS[0]}

declare -A series_pid
series_rc=()
run_series() {
    local series=$1
    bash scripts/test_series.sh "$series" > "$VAR/test-$series.log" 2>&1
}
if [ "${TEST_SERIES_JOBS:-2}" -gt 1 ]; then
    say "Odoo $series_list side by side (logs: var/test-<series>.log)"
    for series in $series_list; do
        run_series "$series" &
        series_pid[$series]=$!
    done
    for series in $series_list; do
        wait "${series_pid[$series]}"
        series_rc+=("--series-rc" "$series=$?")
        cat "$VAR/test-$series.log"
    done
else
    for series in $series_list; do
        run_series "$series"
        series_rc+=("--series-rc" "$series=$?")
        cat "$VAR/test-$series.log"
    done
fi

summary_args=()
for series in $series_list; do summary_args+=(--series "$series"); done
[ "$series_list" = "$SUPPORTED_SERIES" ] || summary_args+=(--partial "$SUPPORTED_SERIES")
"$VENV/bin/python" -m scripts.test_summary --var "$VAR" "${summary_args[@]}" "${series_rc[@]}" \
    --lint-rc "$lint_rc" --sandbox-rc "$sandbox_rc" --wheels-rc "$wheels_rc" --seconds $(( $(date +%s) - started ))
