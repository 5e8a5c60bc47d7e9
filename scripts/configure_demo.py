"""Point a database's crm_xero at the Xero to use. Run inside `odoo shell`:

    CRM_XERO_LOGIN_URL=... odoo-bin shell -d DB < scripts/configure_demo.py

Reads CRM_XERO_LOGIN_URL, CRM_XERO_IDENTITY_URL, CRM_XERO_API_URL,
CRM_XERO_GO_URL, CRM_XERO_CA_FILE (the local sandbox's CA; empty for real
Xero), CRM_XERO_CLIENT_ID, CRM_XERO_CLIENT_SECRET, CRM_XERO_WEBHOOK_KEY and
WEB_BASE_URL from the environment; a variable that is unset leaves its
parameter as it is.
CRM_XERO_SANDBOX_FRESH=1 (the sandbox started without its state file) forgets
the Xero links of the last run and marks connected companies "needs reconnect".
"""
import os

PARAMETERS = {
    "crm_xero.login_url": "CRM_XERO_LOGIN_URL",
    "crm_xero.identity_url": "CRM_XERO_IDENTITY_URL",
    "crm_xero.api_url": "CRM_XERO_API_URL",
    "crm_xero.go_url": "CRM_XERO_GO_URL",
    "crm_xero.ca_file": "CRM_XERO_CA_FILE",
    "crm_xero.client_id": "CRM_XERO_CLIENT_ID",
    "crm_xero.client_secret": "CRM_XERO_CLIENT_SECRET",
    "crm_xero.webhook_key": "CRM_XERO_WEBHOOK_KEY",
    "web.base.url": "WEB_BASE_URL",
}
params = env["ir.config_parameter"].sudo()  # noqa: F821 (odoo shell's env)
for key, variable in PARAMETERS.items():
    if variable in os.environ:
        params.set_param(key, os.environ[variable] or False)
if os.environ.get("CRM_XERO_SANDBOX_FRESH"):
    # The sandbox keeps its data in memory and has just started afresh: the
    # tokens, contacts and invoices Odoo knows from an earlier run are not in it.
    # Forget them (as when switching organisation) and say so, before any
    # button trips over them.
    connections = env["xero.connection"].sudo().search([("tenant_id", "!=", False)])  # noqa: F821
    for connection in connections:
        connection._xero_forget_organisation()
    connections.filtered(lambda c: c.state == "connected").write({
        "state": "needs_reconnect", "status_level": "warning",
        "status_message": "The local Xero sandbox started afresh (its state file "
                          "var/sandbox-state.json was missing), so Odoo forgot the Xero links of "
                          "the last run: click Reconnect.",
    })
env.cr.commit()  # noqa: F821
print("crm_xero configured: %s" % ", ".join(
    f"{k}={'***' if 'secret' in k or 'key' in k else params.get_param(k)}"
    for k in PARAMETERS))
