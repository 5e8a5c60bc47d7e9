"""18.0.2.0.0: the scheduled actions moved to the models whose batches they
run, in a noupdate file.  Drop the old ones so the upgrade creates them anew
(an admin's interval changes on these three are not kept: they could not run)."""

OLD_CRONS = ("ir_cron_link_accounts", "ir_cron_refresh_stats", "ir_cron_xero_refresh_invoices")


def migrate(cr, version):
    cr.execute("""
        SELECT res_id FROM ir_model_data
         WHERE module = 'crm_xero' AND model = 'ir.cron' AND name IN %s
    """, [OLD_CRONS])
    cron_ids = [row[0] for row in cr.fetchall()]
    if not cron_ids:
        return
    cr.execute("SELECT ir_actions_server_id FROM ir_cron WHERE id IN %s", [tuple(cron_ids)])
    action_ids = [row[0] for row in cr.fetchall()]
    cr.execute("DELETE FROM ir_cron WHERE id IN %s", [tuple(cron_ids)])
    cr.execute("DELETE FROM ir_act_server WHERE id IN %s", [tuple(action_ids)])
    cr.execute("DELETE FROM ir_model_data WHERE module = 'crm_xero' AND model = 'ir.cron' "
               "AND name IN %s", [OLD_CRONS])
