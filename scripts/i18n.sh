#!/usr/bin/env bash
# `make i18n`: regenerate addons/crm_xero/i18n/crm_xero.pot from the code (in a
# throwaway database with crm_xero installed, as Odoo's own export does it) and
# merge it into each translation; new texts arrive untranslated, changed ones
# fuzzy, and the translations test fails until a translator has seen them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p "$VAR"
command -v msgmerge >/dev/null || die "msgmerge is missing (Debian: apt-get install gettext)."
db=${I18N_DB:-crm_xero_i18n_$(series_major "$SERIES")}
i18n=addons/crm_xero/i18n
"$VENV/bin/python" -m scripts.odoo_db drop "$db"
"${ODOO_BIN[@]}" -d "$db" -i crm_xero $(demo_options no) --stop-after-init --no-http \
    --data-dir "$VAR/data" --log-level warn > "$VAR/i18n.log" 2>&1 \
    || die "installing crm_xero failed: see $VAR/i18n.log"
"${ODOO_BIN[@]}" -d "$db" --i18n-export="$i18n/crm_xero.pot" --modules=crm_xero \
    --stop-after-init --no-http --data-dir "$VAR/data" --log-level error >> "$VAR/i18n.log" 2>&1 \
    || die "the export failed: see $VAR/i18n.log"
"$VENV/bin/python" -m scripts.odoo_db drop "$db"
for po in "$i18n"/*.po; do
    msgmerge --quiet --update --backup=none --no-wrap "$po" "$i18n/crm_xero.pot"
    say "$po: $(msgfmt --statistics -o /dev/null "$po" 2>&1)"
done
say "$i18n/crm_xero.pot: $(msgfmt --statistics -o /dev/null "$i18n/crm_xero.pot" 2>&1)"
