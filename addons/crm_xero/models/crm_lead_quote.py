"""Xero quotes from an opportunity: Create Quote on Xero (the wizard of the
invoice, as a quote: wizard/xero_invoice_wizard.py), Update Quote on Xero,
View, the quote's PDF, and what the opportunity shows of it (read from the
binding, models/xero_quote_link.py).

A quote is made of the deal as the invoice is (the quotation's lines with
sale_crm, else one line), in its currency, with tracking, branding theme,
title, summary, terms and expiry date.  Every write goes through the one
write path (models/xero_write.py): one quote in Xero, linked here at once.
Once the customer accepted it, Create Draft Invoice starts from its lines.
"""
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..xero import invoices as xero_invoices
from ..xero import quotes as xero_quotes
from .xero_actions import RELOAD, dialog, notification, open_url
from .xero_errors import xero_action

# crm.lead field -> xero.quote.link field it shows
_SHOWN = {
    "xero_quote_id": "quote_id", "xero_quote_number": "number", "xero_quote_status": "status",
    "xero_quote_currency_id": "currency_id", "xero_quote_total": "total",
    "xero_quote_subtotal": "subtotal", "xero_quote_rate": "currency_rate",
    "xero_quote_base_currency_id": "base_currency_id", "xero_quote_total_base": "total_base",
    "xero_quote_expiry_date": "expiry_date", "xero_quote_title": "title",
    "xero_quote_refreshed_at": "refreshed_at", "xero_quote_open": "open",
}
# A quote's default validity, from today.
QUOTE_VALID_DAYS = 30


class CrmLead(models.Model):
    _inherit = "crm.lead"

    xero_quote_link_ids = fields.One2many("xero.quote.link", "lead_id", readonly=True,
                                          string="Xero quote links")
    xero_quote_link_id = fields.Many2one("xero.quote.link", "Xero quote binding",
                                         compute="_compute_xero_quote")
    xero_quote_id = fields.Char("Xero quote id", compute="_compute_xero_quote")
    xero_quote_number = fields.Char("Xero quote", compute="_compute_xero_quote")
    xero_quote_status = fields.Selection(xero_quotes.STATUSES, "Xero quote status",
                                         compute="_compute_xero_quote")
    xero_quote_currency_id = fields.Many2one("res.currency", "Xero quote currency",
                                             compute="_compute_xero_quote")
    xero_quote_subtotal = fields.Monetary("Quote subtotal", compute="_compute_xero_quote",
                                          currency_field="xero_quote_currency_id")
    xero_quote_total = fields.Monetary("Quote total", compute="_compute_xero_quote",
                                       currency_field="xero_quote_currency_id")
    xero_quote_rate = fields.Float("Xero's quote rate", digits=(12, 6),
                                   compute="_compute_xero_quote")
    xero_quote_base_currency_id = fields.Many2one("res.currency", compute="_compute_xero_quote")
    xero_quote_total_base = fields.Monetary("Quote total in the organisation's currency",
                                            compute="_compute_xero_quote",
                                            currency_field="xero_quote_base_currency_id")
    xero_quote_expiry_date = fields.Date("Quote expires on", compute="_compute_xero_quote")
    xero_quote_title = fields.Char("Quote title", compute="_compute_xero_quote")
    xero_quote_refreshed_at = fields.Datetime("Quote read from Xero at",
                                              compute="_compute_xero_quote")
    xero_quote_open = fields.Boolean("Has a Xero quote", compute="_compute_xero_quote")
    xero_quote_url = fields.Char("Xero quote link", compute="_compute_xero_quote")
    xero_quote_replaceable = fields.Boolean(compute="_compute_xero_quote")

    @api.depends("xero_quote_link_ids.quote_id", "xero_quote_link_ids.status",
                 "xero_quote_link_ids.total", "xero_quote_link_ids.refreshed_at", "company_id")
    @api.depends_context("company")
    def _compute_xero_quote(self):
        for lead in self:
            links = lead.sudo().xero_quote_link_ids.filtered("quote_id")
            company = lead._xero_company()
            link = links.filtered(lambda l: l.company_id == company)[:1] or links[-1:]
            lead.xero_quote_link_id = link
            for field, source in _SHOWN.items():
                lead[field] = link[source] if link else False
            lead.xero_quote_url = link._xero_url() if link else False
            lead.xero_quote_replaceable = not link or link._xero_replaceable()

    def _xero_quote_link(self):
        self.ensure_one()
        return self.sudo().xero_quote_link_id

    # -- what a quote is made of ----------------------------------------------------------
    def _xero_quote_defaults(self):
        """Title, summary, terms and expiry date the wizard proposes."""
        self.ensure_one()
        return {"title": self.name, "summary": html2plaintext(self.description).strip()
                if self.description else False,
                "expiry_date": self._xero_quote_expiry(), "terms": False}

    def _xero_quote_expiry(self):
        """The quote's expiry date: with sale_crm, the quotation's validity."""
        return fields.Date.context_today(self) + timedelta(days=QUOTE_VALID_DAYS)

    def _xero_quote_plan(self, connection, contact_id, account_code, tracking=(), theme_id=None,
                         header=None, create=True, date=None):
        """The quote for Xero and the totals Xero will compute, or a
        UserError.  ``header``: title, summary, terms, expiry_date."""
        self.ensure_one()
        header = header or {}
        settings = self.env["xero.invoice.link"]._xero_invoice_settings(connection)
        self._xero_raise(xero_invoices.account_problem(account_code, settings["accounts"]))
        self._xero_raise(xero_invoices.tracking_problem(list(tracking), settings["tracking"]))
        self._xero_raise(xero_invoices.theme_problem(theme_id, settings["themes"]))
        deal = self._xero_deal(connection, account_code, settings["items"], from_quote=False)
        currency = deal["currency"]
        self._xero_check_currency(connection, currency, settings)
        lines = xero_invoices.with_tracking(deal["lines"], tracking)
        line_amounts = xero_invoices.line_amount_types(
            settings["organisation"].get("DefaultSalesTax"))
        estimate = xero_invoices.estimate(lines, line_amounts, settings["accounts"],
                                          settings["items"], settings["tax_rates"]) \
            if lines else None
        problem = xero_invoices.lines_problem(lines, estimate)
        if problem and not lines:
            raise UserError(_("There is nothing to quote: enter the expected revenue of the "
                              "opportunity (or add a quotation) first."))
        self._xero_raise(problem)
        expiry = header.get("expiry_date")
        day = date or fields.Date.context_today(self)
        if expiry and expiry < day:
            raise UserError(_("The quote would expire on %(expiry)s, before its date %(date)s: "
                              "pick a later expiry date.", expiry=expiry, date=day))
        payload = xero_quotes.quote_payload(
            contact_id, lines, currency, line_amounts,
            xero_invoices.reference(self.name, deal["source"]), day, expiry_date=expiry,
            title=header.get("title"), summary=header.get("summary"), terms=header.get("terms"),
            branding_theme_id=theme_id, create=create)
        return {"payload": payload, "estimate": estimate, "currency": currency,
                "line_count": len(lines), "quotation": deal["source"]}

    # -- buttons -------------------------------------------------------------------------
    @xero_action
    def action_xero_create_quote(self):
        """Create Quote on Xero: checks first, then the wizard (as a quote)."""
        self.ensure_one()
        self._xero_check_can_quote()
        wizard = self.env["xero.invoice.wizard"]._xero_open(self, document="quote")
        return dialog(_("Create Quote on Xero"), wizard)

    def _xero_check_can_quote(self):
        """The connection the quote goes to, or why not (no call made)."""
        self.ensure_one()
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise UserError(_("Only the sales team can send opportunities to Xero."))
        self.check_access("write")
        if not self.active or self.stage_id.is_won:
            raise UserError(_("This opportunity is %s: a Xero quote is made while the deal is "
                              "open. Restore it to the pipeline first.",
                              _("won") if self.active else _("lost")))
        connection = self._xero_invoice_connection()
        quote = self._xero_quote_link()
        if quote and not quote._xero_replaceable():
            raise UserError(_("This opportunity already has the Xero quote %s: use Update Quote "
                              "on Xero.", quote.number))
        if not self.partner_id:
            raise UserError(_("Set the opportunity's customer first: the Xero quote is "
                              "addressed to that company."))
        customer = self._xero_customer()
        if customer.company_id and customer.company_id != connection.company_id:
            raise UserError(_("The customer %(customer)s belongs to %(company)s, and the "
                              "opportunity to %(lead_company)s: the quote and its customer "
                              "must be in the same Xero organisation.",
                              customer=customer.display_name, company=customer.company_id.name,
                              lead_company=connection.company_id.name))
        return connection

    def _xero_create_quote(self, account_code, tracking=(), theme_id=None, header=None,
                           export_customer=False, main_person=None):
        """Create the draft quote in Xero (exporting the customer first if
        asked).  Returns the quote link's summary, with ``sent``: False when
        another click or worker made it."""
        self.ensure_one()
        connection = self._xero_check_can_quote()
        with connection._xero_fresh_env() as env:
            customer_link = self.with_env(env)._xero_customer_link(connection)
            if customer_link or not export_customer:
                self.with_env(env)._xero_check_customer(customer_link)
            contact_id = customer_link.contact_id
        # Every check (lines, amounts, currency, tracking...) before any write.
        plan = self._xero_quote_plan(connection, None, account_code, tracking, theme_id, header)
        if not contact_id:
            customer = self._xero_customer().with_company(connection.company_id)
            _sent, exported = customer._xero_export(main_person=main_person)
            contact_id = exported["contact_id"]
        plan["payload"]["Contact"]["ContactID"] = contact_id
        link = self.env["xero.quote.link"]._xero_ensure(connection, self)

        def build(link):
            if not link._xero_replaceable():
                # Made already: by a double click, another worker or a retry
                # (the same quote, nothing to send); or by an earlier click
                # whose answer was lost, settled just now, and the opportunity
                # changed since: the change goes as an update of that quote.
                change = dict(plan, payload=dict(xero_quotes.as_update(plan["payload"]),
                                                 Date=link.date.isoformat()
                                                 if link.date else plan["payload"]["Date"]))
                if link._xero_last_sent() in (change["payload"],
                                              xero_quotes.as_update(plan["payload"])):
                    return None
                settled = self.env["xero.write"].sudo().browse(
                    link.env.context.get("xero_settled_ids") or [])
                if "quote_create" not in settled.mapped("operation"):
                    return None
                return self._xero_quote_update_intent(link, change, [])
            return {"operation": "quote_create", "payload": plan["payload"],
                    "context": {"account_code": account_code, "tracking": list(tracking),
                                "theme_id": theme_id}}

        sent, summary = self.env["xero.write"]._xero_run(link, build)
        return dict(summary, sent=sent)

    @xero_action
    def action_xero_update_quote(self):
        self.ensure_one()
        summary, locked = self._xero_update_quote()
        if locked:
            return notification(_(
                "Xero quote %(number)s is %(status)s: Xero only lets draft and sent quotes be "
                "changed. Make further changes in Xero, or make a new quote once it is declined.",
                number=summary["number"], status=summary["status_label"]), "danger", RELOAD)
        return notification(_("Quote %s updated in Xero.", summary["number"]), "success", RELOAD)

    def _xero_update_quote(self):
        """Returns (summary, locked)."""
        self.ensure_one()
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise UserError(_("Only the sales team can send opportunities to Xero."))
        self.check_access("write")
        link = self._xero_quote_link()
        if not link.open:
            raise UserError(_("This opportunity has no Xero quote to update."))
        connection = link.connection_id
        connection._xero_check_usable()
        customer_link = self._xero_customer_link(connection)
        self._xero_check_customer(customer_link)
        header = {"title": link.title, "summary": link.summary, "terms": link.terms,
                  "expiry_date": link.expiry_date}
        plan = self._xero_quote_plan(
            connection, customer_link.contact_id, link.account_code,
            [tuple(pair) for pair in link.tracking or []], link.branding_theme_id or None,
            header, create=False, date=link.date)
        locked = []

        def build(link):
            intent = self._xero_quote_update_intent(link, plan, locked)
            if intent and link._xero_last_sent(("quote_update",)) == plan["payload"]:
                return None   # sent already: a second click, or a retry after a lost answer
            return intent

        _sent, summary = self.env["xero.write"]._xero_run(link, build)
        return summary, bool(locked)

    def _xero_quote_update_intent(self, link, plan, locked):
        """The update of ``link``'s quote to ``plan``: None, and True appended
        to ``locked``, when Xero says the quote can no longer be edited."""
        current = link.connection_id._xero_call(lambda gw: gw.get_quote(link.quote_id))
        if (current.get("Status") or "").upper() not in xero_quotes.UPDATABLE:
            link._xero_apply_refresh(current)
            locked.append(True)
            return None
        # Xero keeps the quote's status through an edit (a sent quote stays sent).
        return {"operation": "quote_update", "payload": plan["payload"],
                "target_id": link.quote_id}

    @xero_action
    def action_xero_view_quote(self):
        self.ensure_one()
        if not self.xero_quote_url:
            raise UserError(_("This opportunity has no Xero quote to open."))
        return open_url(self.xero_quote_url)

    @xero_action
    def action_xero_refresh_quote(self):
        """Read the quote's status and amounts from Xero now."""
        self.ensure_one()
        self.check_access("read")
        link = self._xero_quote_link()
        if not link.quote_id:
            raise UserError(_("This opportunity has no Xero quote."))
        link.connection_id._xero_check_usable()
        link._xero_refresh_one()
        return notification(_("Quote %(number)s is %(status)s in Xero.", number=link.number,
                              status=link._xero_status_label()), "success", RELOAD)

    @xero_action
    def action_xero_attach_quote_pdf(self):
        """Attach Xero's PDF of the quote to the opportunity's chatter."""
        self.ensure_one()
        self.check_access("write")
        link = self._xero_quote_link()
        if not link.open:
            raise UserError(_("This opportunity has no Xero quote to attach."))
        link.connection_id._xero_check_usable()
        link._xero_attach_pdf()
        return notification(_("Xero's PDF of %s is attached to the opportunity.", link.number),
                            "success", RELOAD)
