{
    "name": "CRM ↔ Xero: quotations",
    "summary": "Xero invoices from opportunities carry their quotation's lines, and the "
               "customer's payment terms",
    # No series prefix: Odoo prefixes its own (see crm_xero/compat.py).
    "version": "1.1.0",
    "category": "Sales/CRM",
    "author": "crm_xero",
    "website": "https://github.com/crm-xero/crm_xero",
    "license": "LGPL-3",
    "depends": ["crm_xero", "sale_crm"],
    "data": ["views/sale_order_views.xml"],
    "auto_install": True,
    "installable": True,
}
