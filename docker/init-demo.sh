#!/bin/bash
# One-shot (docker-compose's odoo-init): create the demo database with
# crm_xero once, then point crm_xero at the sandbox. Runs in the Odoo image.
set -e
db=${DEMO_DB:-crm_xero_demo}
args=(-c /etc/odoo/crm_xero.conf --db_host "$HOST" --db_user "$USER" --db_password "$PASSWORD"
      --addons-path=/mnt/extra-addons,/usr/lib/python3/dist-packages/odoo/addons)
state=$(PGPASSWORD=$PASSWORD psql -h "$HOST" -U "$USER" -d "$db" -tAc \
        "SELECT state FROM ir_module_module WHERE name = 'crm_xero'" 2>/dev/null || true)
# Odoo 18.0 loads demo data into a new database by default; 19.0 only when asked.
demo=()
[ "${ODOO_SERIES:-18.0}" = "18.0" ] || demo=(--with-demo)
if [ "$state" != "installed" ]; then
    odoo "${args[@]}" -d "$db" -i crm_xero "${demo[@]}" --stop-after-init
fi
odoo "${args[@]}" shell -d "$db" --no-http < /opt/crm_xero/configure_demo.py
# Webhooks, as Xero sends them: the sandbox posts to Odoo, signed with the key.
python3 /opt/crm_xero/sandbox_webhooks.py "$SANDBOX_URL" "$WEBHOOK_URL" "$CRM_XERO_WEBHOOK_KEY"
