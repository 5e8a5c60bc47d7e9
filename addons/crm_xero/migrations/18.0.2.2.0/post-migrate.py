"""18.0.2.2.0: Xero calls grow with what changed.  The figures job reads what
changed hourly (it re-read every account every 6 hours), and opportunities'
invoices come with it (they were read by id every hour): the two scheduled
actions' intervals and names move with them, unless an administrator changed
them.  Accounts' figures are read again once, organisation-wide, at the first
pass (no watermark yet)."""

MOVES = {
    # xml id: (old interval, new interval, old name, new name)
    "ir_cron_refresh_figures": (
        (6, "hours"), (1, "hours"), "Xero: refresh account figures and invoice lists",
        "Xero: read what changed (account figures, invoice lists, opportunities' invoices)"),
    "ir_cron_xero_refresh_invoices": (
        (1, "hours"), (1, "days"), "Xero: refresh opportunities' invoices",
        "Xero: opportunities' invoices, overdue and chase (daily net)"),
}


def migrate(cr, version):
    for xmlid, (old, new, old_name, new_name) in MOVES.items():
        cr.execute("""SELECT res_id FROM ir_model_data WHERE module = 'crm_xero'
                         AND model = 'ir.cron' AND name = %s""", [xmlid])
        row = cr.fetchone()
        if not row:
            continue
        cr.execute("""UPDATE ir_cron SET interval_number = %s, interval_type = %s
                       WHERE id = %s AND interval_number = %s AND interval_type = %s""",
                   [new[0], new[1], row[0], old[0], old[1]])
        cr.execute("""UPDATE ir_act_server s SET name = jsonb_build_object('en_US', %s)
                        FROM ir_cron c
                       WHERE c.id = %s AND s.id = c.ir_actions_server_id
                         AND s.name->>'en_US' = %s""", [new_name, row[0], old_name])
