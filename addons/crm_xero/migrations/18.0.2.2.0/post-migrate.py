"""18.0.2.2.0: Xero calls grow with what changed.  The figures job reads what
changed hourly (it re-read every account every 6 hours), and opportunities'
invoices come with it (they were read by id every hour): the two scheduled
actions' intervals move with them, unless an administrator changed them.
Accounts' figures are read again once, organisation-wide, at the first pass
(no watermark yet)."""

MOVES = {
    # xml id: (old interval, new interval)
    "ir_cron_refresh_figures": ((6, "hours"), (1, "hours")),
    "ir_cron_xero_refresh_invoices": ((1, "hours"), (1, "days")),
}


def migrate(cr, version):
    for name, (old, new) in MOVES.items():
        cr.execute("""
            UPDATE ir_cron SET interval_number = %s, interval_type = %s
             WHERE id = (SELECT res_id FROM ir_model_data WHERE module = 'crm_xero'
                            AND model = 'ir.cron' AND name = %s)
               AND interval_number = %s AND interval_type = %s
        """, [new[0], new[1], name, old[0], old[1]])
