{
    "name": "CRM ↔ Xero",
    "summary": "Link each company to a Xero organisation: accounts become Xero contacts, "
               "opportunities become Xero invoices, and what customers owe shows in the CRM",
    # No series prefix: Odoo prefixes its own (18.0.2.2.0 on 18.0, 19.0.2.2.0
    # on 19.0), so one tree serves both; see compat.py.
    "version": "2.2.0",
    "category": "Sales/CRM",
    "author": "crm_xero",
    "website": "https://github.com/crm-xero/crm_xero",
    "license": "LGPL-3",
    "depends": ["crm", "mail"],
    "external_dependencies": {
        "python": ["xero-python", "requests-oauthlib", "oauthlib"],
    },
    "data": [
        "security/crm_xero_security.xml",
        "security/ir.model.access.csv",
        "data/crm_xero_data.xml",
        "data/ir_cron.xml",
        "wizard/xero_wizard_views.xml",
        "wizard/xero_invoice_wizard_views.xml",
        "wizard/xero_import_wizard_views.xml",
        "views/xero_import_run_views.xml",
        "views/xero_write_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/res_partner_contact_fields_views.xml",
        "views/crm_lead_views.xml",
        # Last: what differs between Odoo 18.0 and 19.0 (compat.py).
        "data/crm_xero_series.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_xero/static/src/**/*",
        ],
        "web.assets_tests": [
            "crm_xero/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
