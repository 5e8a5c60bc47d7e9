"""Create Draft Invoice on Xero: the button, and the work it does.

The button opens the wizard (wizard/xero_invoice_wizard.py: revenue account,
tracking, branding theme, main contact when the customer is exported first,
and the totals Xero will compute); the wizard calls ``_xero_create_invoice``.
Every check runs before the first call; the customer's export and the
invoice then go through the one write path (models/xero_write.py): one
invoice in Xero, linked here at once, whatever happens afterwards.
"""
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import invoices as xero_invoices
from .xero_actions import dialog
from .xero_errors import xero_action


class CrmLead(models.Model):
    _inherit = "crm.lead"

    xero_invoice_hint = fields.Char(
        "Why no Xero invoice yet", compute="_compute_xero_invoice_hint",
        help="What the opportunity lacks for Create Draft Invoice on Xero, said where the "
             "button is.")

    @api.depends("partner_id", "expected_revenue")
    def _compute_xero_invoice_hint(self):
        for lead in self:
            lead.xero_invoice_hint = lead._xero_invoice_missing() or False

    @xero_action
    def action_xero_create_invoice(self):
        """Create Draft Invoice on Xero: checks first, then the wizard."""
        self.ensure_one()
        self._xero_check_can_invoice()
        wizard = self.env["xero.invoice.wizard"]._xero_open(self)
        return dialog(_("Create Draft Invoice on Xero"), wizard)

    def _xero_check_can_invoice(self):
        """The connection the invoice goes to, or why not (no call made)."""
        self.ensure_one()
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise UserError(_("Only the sales team can send opportunities to Xero."))
        self.check_access("write")
        connection = self._xero_invoice_connection()
        self._xero_check_invoiceable()
        customer = self._xero_customer()
        if customer.company_id and customer.company_id != connection.company_id:
            raise UserError(_("The customer %(customer)s belongs to %(company)s, and the "
                              "opportunity to %(lead_company)s: the invoice and its customer "
                              "must be in the same Xero organisation.",
                              customer=customer.display_name, company=customer.company_id.name,
                              lead_company=connection.company_id.name))
        return connection

    def _xero_create_invoice(self, account_code, tracking=(), theme_id=None,
                             export_customer=False, main_person=None):
        """Create the draft invoice in Xero (exporting the customer first if
        asked).  Returns the invoice link's summary (number, status, total,
        and ``sent``: False when another click or worker made it)."""
        self.ensure_one()
        made = self._xero_invoice_made()
        if made:
            return made
        connection = self._xero_check_can_invoice()
        # Read as committed now: the customer may have been linked or exported
        # a moment ago in a transaction of its own.
        with connection._xero_fresh_env() as env:
            customer_link = self.with_env(env)._xero_customer_link(connection)
            if customer_link or not export_customer:
                self.with_env(env)._xero_check_customer(customer_link)
            contact_id = customer_link.contact_id
        # Every check (lines, amounts, currency, tracking...) before any write.
        plan = self._xero_invoice_plan(connection, None, account_code, tracking, theme_id)
        if not contact_id:
            customer = self._xero_customer().with_company(connection.company_id)
            _sent, exported = customer._xero_export(main_person=main_person)
            contact_id = exported["contact_id"]
        plan["payload"]["Contact"]["ContactID"] = contact_id
        link = self.env["xero.invoice.link"]._xero_ensure(connection, self)

        def build(link):
            if link.open:
                # Made already.  By a double click, another worker or a retry:
                # the same invoice, nothing to send.  Or by an earlier click
                # whose answer was lost, settled just now, and the opportunity
                # changed since: the change goes as an update of that invoice,
                # never as a second one.
                change = dict(plan, payload=xero_invoices.as_update(plan["payload"]))
                if link._xero_last_sent() == change["payload"]:
                    return None
                return self._xero_invoice_update_intent(link, change, [])
            return {"operation": "invoice_create", "payload": plan["payload"],
                    "context": {"account_code": account_code, "tracking": list(tracking),
                                "theme_id": theme_id,
                                "expected_total": plan["estimate"]["total"]}}

        sent, summary = self.env["xero.write"]._xero_run(link, build)
        return dict(summary, sent=sent)

    def _xero_invoice_made(self):
        """The summary of the invoice another click (or worker) made of this
        opportunity since the wizard opened, read as committed; else None."""
        connection = self._xero_connection()
        if not connection:
            return None
        with connection._xero_fresh_env() as env:
            link = env["xero.invoice.link"].search([("connection_id", "=", connection.id),
                                                    ("lead_id", "=", self.id)], limit=1)
            return dict(link._xero_summary(), sent=False) if link.open else None
