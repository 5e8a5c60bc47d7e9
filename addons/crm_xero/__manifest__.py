{
    "name": "CRM ↔ Xero",
    "summary": "Link each company to a Xero organisation: accounts become Xero "
               "contacts, opportunities become Xero draft invoices",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "crm_xero",
    "license": "LGPL-3",
    "depends": ["crm", "mail"],
    "external_dependencies": {
        "python": ["xero_python", "requests_oauthlib"],
    },
    "data": [
        "security/crm_xero_security.xml",
        "security/ir.model.access.csv",
        "data/crm_xero_data.xml",
        "data/ir_cron_invoices.xml",
        "views/xero_wizard_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/xero_invoice_wizard_views.xml",
        "views/crm_lead_views.xml",
        "data/ir_cron_import.xml",
        "views/xero_import_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_xero/static/src/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
