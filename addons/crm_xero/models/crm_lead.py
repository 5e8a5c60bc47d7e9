"""Opportunities' Xero draft invoice: the fields the form and list show, the
buttons, and the delete cascade. Building and sending the invoice lives in
crm_lead_xero_invoice.py; batch refreshes in xero_invoice_sync.py."""
import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..xero import invoice_mapping as im
from .ui_actions import RELOAD, xero_notification

_logger = logging.getLogger(__name__)

INVOICE_STATUSES = [
    ("DRAFT", "Draft"), ("SUBMITTED", "Awaiting approval"), ("AUTHORISED", "Awaiting payment"),
    ("PAID", "Paid"), ("VOIDED", "Voided"), ("DELETED", "Deleted"),
]


class CrmLead(models.Model):
    _inherit = "crm.lead"

    xero_connection_id = fields.Many2one(
        "xero.connection", string="Xero organisation link", readonly=True, copy=False,
        index="btree_not_null", help="The company connection the Xero invoice belongs to.")
    xero_invoice_id = fields.Char("Xero invoice id", readonly=True, copy=False,
                                  index="btree_not_null")
    xero_invoice_number = fields.Char("Xero invoice", readonly=True, copy=False)
    xero_invoice_status = fields.Selection(INVOICE_STATUSES, "Xero invoice status",
                                           readonly=True, copy=False)
    xero_invoice_url = fields.Char("Xero invoice link", compute="_compute_xero_invoice_url")
    xero_invoice_currency_id = fields.Many2one("res.currency", "Xero invoice currency",
                                               readonly=True, copy=False)
    xero_invoice_total = fields.Monetary("Xero invoice total", readonly=True, copy=False,
                                         currency_field="xero_invoice_currency_id")
    xero_invoice_amount_due = fields.Monetary("Xero amount due", readonly=True, copy=False,
                                              currency_field="xero_invoice_currency_id")
    xero_invoice_refreshed_at = fields.Datetime("Xero invoice read at", readonly=True, copy=False)
    xero_invoice_account_code = fields.Char("Xero revenue account", readonly=True, copy=False)
    # The Idempotency-Key of a create whose answer Xero never gave: the next
    # attempt sends it again, so Xero replays instead of creating a second invoice.
    xero_invoice_idempotency_key = fields.Char(readonly=True, copy=False)
    xero_connected = fields.Boolean(compute="_compute_xero_connected")
    xero_invoice_open = fields.Boolean(
        "Has a Xero invoice", compute="_compute_xero_invoice_open",
        help="The opportunity has a Xero invoice that was not deleted or voided.")

    # What Xero said: written by the Xero buttons and jobs only (through sudo), so
    # nobody can point an opportunity at someone else's invoice over RPC.
    _XERO_STORED_FIELDS = frozenset({
        "xero_connection_id", "xero_invoice_id", "xero_invoice_number", "xero_invoice_status",
        "xero_invoice_currency_id", "xero_invoice_total", "xero_invoice_amount_due",
        "xero_invoice_refreshed_at", "xero_invoice_account_code", "xero_invoice_idempotency_key",
    })

    def _xero_check_protected_fields(self, fields_written):
        if not self.env.su and self._XERO_STORED_FIELDS & set(fields_written):
            raise AccessError(_("The Xero invoice fields are set by the Xero buttons only."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._xero_check_protected_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._xero_check_protected_fields(vals)
        return super().write(vals)

    @api.depends("xero_connection_id.short_code", "xero_invoice_id")
    def _compute_xero_invoice_url(self):
        for lead in self:
            connection = lead.xero_connection_id.sudo()
            lead.xero_invoice_url = connection._xero_invoice_deep_link(lead.xero_invoice_id) \
                if connection and lead.xero_invoice_id else False

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_xero_connected(self):
        connections = self.env["xero.connection"].sudo().search([("state", "=", "connected")])
        connected = set(connections.company_id.ids)
        for lead in self:
            lead.xero_connected = (lead.company_id or self.env.company).id in connected

    @api.depends("xero_invoice_id", "xero_invoice_status")
    def _compute_xero_invoice_open(self):
        for lead in self:
            lead.xero_invoice_open = bool(lead.xero_invoice_id) \
                and lead.xero_invoice_status not in im.GONE

    # -- buttons -----------------------------------------------------------------
    def action_xero_create_invoice(self):
        """Create Draft Invoice on Xero: checks first, then the wizard that
        picks the revenue account (and exports the customer if needed)."""
        self.ensure_one()
        self._xero_invoice_connection()
        self._xero_check_invoiceable()
        wizard = self.env["xero.invoice.wizard"]._xero_open(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Create Draft Invoice on Xero"),
            "res_model": "xero.invoice.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_xero_update_invoice(self):
        self.ensure_one()
        return self._xero_update_invoice()

    def action_xero_view_invoice(self):
        self.ensure_one()
        if not self.xero_invoice_url:
            raise UserError(_("This opportunity has no Xero invoice to open."))
        return {"type": "ir.actions.act_url", "url": self.xero_invoice_url, "target": "new"}

    def action_xero_refresh_invoice(self):
        """Read status, total and amount due of the selected opportunities'
        invoices from Xero now (one call per 100 invoices)."""
        leads = self.filtered("xero_invoice_id")
        if not leads:
            raise UserError(_("None of these opportunities has a Xero invoice."))
        refreshed = failed = self.browse()
        for connection, group in leads.grouped("xero_connection_id").items():
            if not connection:
                failed |= group
                continue
            connection._xero_check_usable()
            done, bad = connection._xero_refresh_lead_invoices(group)
            refreshed |= done
            failed |= bad
        if failed:
            return xero_notification(
                _("%(done)s invoice(s) refreshed; %(failed)s could not be read from Xero "
                  "(see their chatter).", done=len(refreshed), failed=len(failed)),
                "warning", RELOAD)
        if len(refreshed) == 1:
            message = _("%(number)s is %(status)s in Xero.", number=refreshed.xero_invoice_number,
                        status=refreshed._xero_status_label())
        else:
            message = _("%s invoices refreshed from Xero.", len(refreshed))
        return xero_notification(message, "success", RELOAD)

    # -- delete cascade ------------------------------------------------------------
    def unlink(self):
        # Before anything is deleted here: if Xero refuses one draft, nothing goes.
        self._xero_delete_invoices()
        return super().unlink()

    @api.model
    def xero_delete_confirmation(self, lead_ids):
        """What the delete prompt adds for these leads (False: nothing).
        Called by the web client before it asks; no call to Xero."""
        leads = self.browse(lead_ids).exists().filtered("xero_invoice_open")
        if not leads:
            return False
        numbers = ", ".join(leads.mapped(lambda l: l.xero_invoice_number or l.xero_invoice_id))
        if len(leads) == 1:
            return _("This opportunity's Xero draft invoice %s is deleted in Xero too. If Xero no "
                     "longer treats it as a draft, nothing is deleted and you are told why.", numbers)
        return _("These opportunities' Xero draft invoices (%s) are deleted in Xero too. If Xero no longer treats "
                 "one of them as a draft, nothing is deleted and you are told why.", numbers)

    # -- small helpers ----------------------------------------------------------------
    def _xero_status_label(self):
        self.ensure_one()
        return dict(INVOICE_STATUSES).get(self.xero_invoice_status, self.xero_invoice_status or "")

    def _xero_forget_invoice(self):
        """Drop every Xero invoice value (the organisation was unlinked)."""
        self.sudo().write({
            "xero_connection_id": False, "xero_invoice_id": False, "xero_invoice_number": False,
            "xero_invoice_status": False, "xero_invoice_currency_id": False,
            "xero_invoice_total": 0.0, "xero_invoice_amount_due": 0.0,
            "xero_invoice_refreshed_at": False, "xero_invoice_account_code": False,
            "xero_invoice_idempotency_key": False,
        })

    def _xero_invoice_write_values(self, invoice):
        values = im.invoice_values(invoice)
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", values["currency"])], limit=1) if values["currency"] else False
        return {
            "xero_invoice_id": values["invoice_id"],
            "xero_invoice_number": values["number"],
            "xero_invoice_status": values["status"],
            "xero_invoice_currency_id": currency.id if currency else False,
            "xero_invoice_total": values["total"],
            "xero_invoice_amount_due": values["amount_due"],
            "xero_invoice_refreshed_at": fields.Datetime.now(),
        }

    def _xero_apply_refresh(self, invoice):
        """Keep what Xero says of the invoice; None: Xero does not know it."""
        self.ensure_one()
        if not invoice:
            raise UserError(_("Xero has no invoice %s in this organisation any more.",
                              self.xero_invoice_number or self.xero_invoice_id))
        old_status = self.xero_invoice_status
        values = self._xero_invoice_write_values(invoice)
        values.pop("xero_invoice_id")
        self.sudo().write(values)
        if old_status and old_status != self.xero_invoice_status:
            self.sudo().message_post(body=_(
                "Xero invoice %(number)s is now %(status)s.", number=self.xero_invoice_number,
                status=self._xero_status_label()))

    def _xero_log_refresh_failure(self, exc):
        for lead in self:
            lead.sudo().message_post(body=_("The Xero invoice could not be refreshed: %s",
                                            getattr(exc, "args", [exc])[0] if exc.args else exc))
