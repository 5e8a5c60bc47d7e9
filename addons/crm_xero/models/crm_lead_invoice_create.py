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

    @api.depends("partner_id", "expected_revenue", "xero_quote_link_ids.status")
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
        quote = self._xero_agreed_quote(connection)
        if quote.status == "INVOICED" and not self._xero_open_invoices(connection):
            # Someone made the quote's invoice in Xero itself: a second one
            # from here would bill the customer twice.
            raise UserError(_(
                "Xero quote %s is already invoiced in Xero: its invoice was made there, not "
                "from this opportunity. Look for it among the customer's invoices in Xero "
                "instead of making a second one here.", quote.number))
        customer = self._xero_customer()
        if customer.company_id and customer.company_id != connection.company_id:
            raise UserError(_("The customer %(customer)s belongs to %(company)s, and the "
                              "opportunity to %(lead_company)s: the invoice and its customer "
                              "must be in the same Xero organisation.",
                              customer=customer.display_name, company=customer.company_id.name,
                              lead_company=connection.company_id.name))
        return connection

    def _xero_create_invoice(self, account_code, tracking=(), theme_id=None,
                             export_customer=False, main_person=None, part=None,
                             seen_count=None):
        """Create the draft invoice in Xero (exporting the customer first if
        asked): the whole deal, or a part of it (``part``, see
        ``_xero_invoice_plan``).  ``seen_count``: how many invoices the
        opportunity had when the wizard opened.  Returns the invoice link's
        summary (number, status, total, and ``sent``: False when another
        click or worker made it)."""
        self.ensure_one()
        made = self._xero_invoice_made(seen_count)
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
        plan = self._xero_invoice_plan(connection, None, account_code, tracking, theme_id,
                                       part=part)
        if not contact_id:
            customer = self._xero_customer().with_company(connection.company_id)
            _sent, exported = customer._xero_export(main_person=main_person)
            contact_id = exported["contact_id"]
        plan["payload"]["Contact"]["ContactID"] = contact_id
        link = self.env["xero.invoice.link"]._xero_ensure_slot(connection, self)
        made_meanwhile = {}

        def build(link):
            if not link.open:
                # Under the lock, as committed: has another click (another
                # worker, reading Xero's lists for seconds meanwhile) made an
                # invoice of this opportunity since the plan was made?  Then
                # the plan is stale: the same invoice is said, another refused.
                newer = self.with_env(link.env)._xero_open_invoices(connection) \
                    .filtered(lambda l: l.id not in plan["earlier_ids"]) - link
                if newer:
                    other = newer.sorted("sequence")[-1]
                    if other._xero_last_sent() != xero_invoices.as_update(plan["payload"]):
                        raise UserError(_(
                            "Invoice %(number)s was made for this opportunity a moment ago, by "
                            "another click. Look at its invoices, then create the next one if "
                            "it is still needed.", number=other.number))
                    made_meanwhile.update(other._xero_summary())
                    return None
            if link.open:
                # This place holds an invoice already.  Made by a double
                # click, another worker or a retry: the same invoice, nothing
                # to send.  Made by an earlier click whose answer was lost,
                # settled just now, and the opportunity changed since: the
                # change goes as an update of that invoice, never as a second
                # one.  Made by another click, as another part of the deal,
                # a moment ago: said, and nothing is sent.
                change = dict(plan, payload=xero_invoices.as_update(plan["payload"]))
                if link._xero_last_sent() == change["payload"]:
                    return None
                settled = self.env["xero.write"].sudo().browse(
                    link.env.context.get("xero_settled_ids") or [])
                if "invoice_create" not in settled.mapped("operation"):
                    raise UserError(_(
                        "Invoice %(number)s was made for this opportunity a moment ago, by "
                        "another click. Look at its invoices, then create the next one if it "
                        "is still needed.", number=link.number))
                return self._xero_invoice_update_intent(link, change, [])
            return {"operation": "invoice_create", "payload": plan["payload"],
                    "context": {"account_code": account_code, "tracking": list(tracking),
                                "theme_id": theme_id, "part": plan["part"],
                                "expected_total": plan["estimate"]["total"]}}

        sent, summary = self.env["xero.write"]._xero_run(link, build)
        if made_meanwhile:
            return dict(made_meanwhile, sent=False)
        return dict(summary, sent=sent)

    def _xero_invoice_made(self, seen_count=None):
        """The summary of the invoice another click (or worker) made of this
        opportunity since the wizard opened (when it had ``seen_count``
        invoices), read as committed; else None."""
        connection = self._xero_connection()
        if not connection:
            return None
        with connection._xero_fresh_env() as env:
            links = env["xero.invoice.link"].search([("connection_id", "=", connection.id),
                                                     ("lead_id", "=", self.id),
                                                     ("open", "=", True)], order="sequence")
            if not links or len(links) <= (seen_count or 0):
                return None
            return dict(links[-1]._xero_summary(), sent=False)
