#!/usr/bin/env bash
# `make wheels` (and a step of `make test`): the addons as pip wheels, one per
# addon and supported Odoo series, in var/wheels/<series>/, built by whool (as
# `pip wheel addons/crm_xero` does), then checked: every file the manifest
# names (data, assets, demo) is inside, under odoo/addons/<addon>/.
# The manifest's version carries no series (Odoo adds its own), so each
# series' wheel is built from a copy of the addon whose manifest says it
# ("19.0.2.2.0") and whose pyproject.toml names that series for whool.
#   bash scripts/wheels.sh              build and check
#   bash scripts/wheels.sh --install    then, per series, install them into a
#       fresh virtualenv beside Odoo and install the addons into a new
#       database from there (a few minutes)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
install=""
[ "${1:-}" = "--install" ] && install=1
load_env "$DEFAULT_SERIES"
cd "$ROOT"
ADDONS="crm_xero crm_xero_sale"
rm -rf "$VAR/wheels"
# The copies live outside the repository: whool asks git for an addon's files,
# and inside it (var/ is ignored) git would answer none.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
for series in $SUPPORTED_SERIES; do
    out="$VAR/wheels/$series"
    mkdir -p "$out"
    for addon in $ADDONS; do
        src="$build/$series/$addon"
        # The addon's files as git knows them (tracked, and new ones not ignored).
        git ls-files -co --exclude-standard -- "addons/$addon" | while read -r file; do
            mkdir -p "$src/$(dirname "${file#addons/$addon/}")"
            cp "$file" "$src/${file#addons/$addon/}"
        done
        "$VENV/bin/python" -m scripts.check_wheel prepare "$src" "$series"
        "$VENV/bin/pip" wheel --quiet --disable-pip-version-check --no-deps \
            --no-build-isolation -w "$out" "$src" 2>&1 | grep -v "^WARNING: Location" || true
    done
    "$VENV/bin/python" -m scripts.check_wheel check "$out" "$series" $ADDONS
done

[ -n "$install" ] || exit 0
for series in $SUPPORTED_SERIES; do
    load_env "$series"
    venv="$VAR/wheels/venv-$series"
    db="crm_xero_wheels_$(series_major "$series")"
    say "[$series] A fresh virtualenv beside Odoo ($venv), the wheels installed into it"
    rm -rf "$venv"
    python3 -m venv "$venv"
    # Odoo's own requirements come from the series' virtualenv: only the
    # addons are new here (Odoo itself is a source tree, not a pip package:
    # hence --no-deps for the odoo==<series>.* requirement).
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$site" > "$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/odoo-series-venv.pth"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$VAR/wheels/$series"/*.whl \
        2>&1 | grep -v "^WARNING: Location" || true
    say "[$series] Installing crm_xero and crm_xero_sale from the wheels into '$db'"
    "$VENV/bin/python" -m scripts.odoo_db drop "$db"
    # The addons path has Odoo's addons only: ours come from the wheels.
    # shellcheck disable=SC2046
    (cd /tmp && "$venv/bin/python" "$ODOO_SRC/odoo-bin" -c "$ROOT/odoo.conf" \
        --addons-path="$ODOO_SRC/addons" -d "$db" -i crm_xero,sale_crm,crm_xero_sale \
        $(demo_options no) --stop-after-init --no-http --data-dir "$VAR/data" --log-level warn) \
        || die "[$series] installing the addons from the wheels failed"
    "$venv/bin/python" - "$db" "$ODOO_SRC" <<'PY' || die "[$series] the addons are not installed from the wheels"
import sys
sys.path.insert(0, sys.argv[2])
import psycopg2
import odoo.addons.crm_xero as addon
assert "site-packages" in addon.__file__, addon.__file__
with psycopg2.connect(dbname=sys.argv[1]) as conn, conn.cursor() as cr:
    cr.execute("SELECT name, state, latest_version FROM ir_module_module"
               " WHERE name IN ('crm_xero', 'crm_xero_sale') ORDER BY name")
    rows = cr.fetchall()
assert len(rows) == 2 and all(state == "installed" for _n, state, _v in rows), rows
print("installed from %s: %s" % (addon.__file__.rsplit("/crm_xero/", 1)[0], rows))
PY
    "$VENV/bin/python" -m scripts.odoo_db drop "$db"
done
