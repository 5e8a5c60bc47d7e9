"""The sync journal: every write to Xero (models/xero_write.py), as a Xero
manager reads it without debug mode (Settings > CRM > Xero > Sync journal,
CRM > Reporting > Xero sync journal): the account or opportunity it was for
(a link), the Xero record (name or number, and id), how many times it was
tried, its state in plain words, and Retry on what failed or is pending.

Retry never makes a new write: the write path settles the link's
unfinished writes with their own Idempotency-Keys, as the record's own
button or the recovery job would.
"""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .xero_actions import RELOAD, notification, open_record
from .xero_errors import xero_action
from .xero_write import UNSETTLED

# Writes whose record is gone from Xero afterwards: no link to open it there.
DELETES = ("invoice_delete", "quote_delete")


class XeroWrite(models.Model):
    _inherit = "xero.write"

    # The Odoo record, kept as it was when written (its name stays when it is deleted).
    partner_id = fields.Many2one("res.partner", "Account", compute="_compute_record",
                                 store=True, readonly=True, ondelete="set null")
    lead_id = fields.Many2one("crm.lead", "Opportunity", compute="_compute_record",
                              store=True, readonly=True, ondelete="set null")
    record_name = fields.Char("Account or opportunity", compute="_compute_record", store=True,
                              readonly=True)
    xero_url = fields.Char("Open in Xero", compute="_compute_xero_url")
    can_retry = fields.Boolean(compute="_compute_can_retry")
    state_help = fields.Char("What it means", compute="_compute_can_retry")

    @api.depends("operation", "record_name")
    def _compute_display_name(self):
        labels = dict(self._fields["operation"]._description_selection(self.env))
        for write in self:
            write.display_name = _("%(what)s: %(record)s", what=labels.get(write.operation),
                                   record=write.record_name or "?")

    @api.depends("link_model", "link_id")
    def _compute_record(self):
        for write in self:
            link = self.env[write.link_model].sudo().browse(write.link_id).exists() \
                if write.link_model in self.env else None
            partner = link.partner_id if link and "partner_id" in link._fields else None
            lead = link.lead_id if link and "lead_id" in link._fields else None
            write.partner_id = partner or False
            write.lead_id = lead or False
            write.record_name = (partner or lead).name if (partner or lead) else False

    @api.depends("target_id", "operation", "connection_id.short_code")
    def _compute_xero_url(self):
        for write in self:
            connection = write.connection_id.sudo()
            endpoints = connection._xero_endpoints() if connection.short_code else None
            if not (endpoints and write.target_id) or write.operation in DELETES:
                write.xero_url = False
            elif write.operation.startswith("contact"):
                write.xero_url = endpoints.contact_link(connection.short_code, write.target_id)
            elif write.operation.startswith("quote"):
                write.xero_url = endpoints.quote_link(connection.short_code, write.target_id)
            else:
                write.xero_url = endpoints.invoice_link(connection.short_code, write.target_id)

    @api.depends("state")
    def _compute_can_retry(self):
        helps = {
            "pending": _("Sent to Xero, or about to be, and not confirmed: Retry sends it again "
                         "with the same key, and Xero does it once."),
            "answered": _("Xero has it; Odoo has not shown it yet: Retry shows it."),
            "done": _("Xero has it, and Odoo shows it."),
            "refused": _("Xero refused it; nothing was changed in Xero. Correct the record, "
                         "then click its button again."),
            "failed": _("Odoo's scheduled retries gave up: Retry finishes it with the same key "
                        "(the record's own button does too)."),
        }
        for write in self:
            write.can_retry = write.state in UNSETTLED
            write.state_help = helps.get(write.state, False)

    def action_xero_open_record(self):
        """Open the account or opportunity the write was for (as the user:
        their own rights apply)."""
        self.ensure_one()
        record = self.partner_id or self.lead_id
        if not record:
            raise UserError(_("%s no longer exists in Odoo.", self.record_name or _("The record")))
        record.check_access("read")
        return open_record(record)

    # -- Retry (the journal's button) -------------------------------------------------------
    @xero_action
    def action_xero_retry(self):
        """Retry what failed or is pending: settled by the write path, with
        its own Idempotency-Key (the link's other unfinished writes too, in
        their order), never as a new write."""
        self.check_access("read")
        if not self.env.user.has_group("crm_xero.group_xero_manager"):
            raise AccessError(_("Only Xero managers can retry Xero writes."))
        writes = self.filtered("can_retry")
        if not writes:
            raise UserError(_("Nothing to retry: these writes are done or were refused by Xero."))
        for write in writes:
            write.connection_id._xero_check_usable()
            link = self.env[write.link_model].sudo().browse(write.link_id).exists()
            if not link:
                raise UserError(_("The account or opportunity of this write no longer exists."))
            with self._xero_link_lock(link):
                self.sudo()._xero_settle_open(link)
        # As settled (committed in transactions of their own, newer than this one's snapshot).
        with self.env["xero.connection"]._xero_fresh_env() as env:
            settled = writes.with_env(env)
            failed = settled.filtered(lambda w: w.state != "done")
            if failed:
                return notification(_("Not done yet: %s", failed[0].error
                                      or failed[0].state_help), "warning", RELOAD)
            return notification(_("Done: %s.", "; ".join(settled.mapped("display_name"))),
                                "success", RELOAD)
