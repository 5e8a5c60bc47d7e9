"""18.0.2.0.0: an opportunity's Xero invoice moved from loose fields on
crm_lead to its binding, xero.invoice.link.  Copy what the old columns hold."""


def migrate(cr, version):
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'crm_lead' AND column_name = 'xero_invoice_id'
    """)
    if not cr.fetchone():
        return
    cr.execute("""
        INSERT INTO xero_invoice_link (connection_id, company_id, lead_id, invoice_id, number,
                                       status, currency_id, total, amount_due, refreshed_at,
                                       account_code, open, create_uid, write_uid, create_date,
                                       write_date)
        SELECT l.xero_connection_id, c.company_id, l.id, l.xero_invoice_id,
               l.xero_invoice_number, l.xero_invoice_status, l.xero_invoice_currency_id,
               l.xero_invoice_total, l.xero_invoice_amount_due, l.xero_invoice_refreshed_at,
               l.xero_invoice_account_code,
               l.xero_invoice_status NOT IN ('DELETED', 'VOIDED'),
               1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM crm_lead l JOIN xero_connection c ON c.id = l.xero_connection_id
         WHERE l.xero_invoice_id IS NOT NULL
        ON CONFLICT (connection_id, lead_id) DO NOTHING
    """)
