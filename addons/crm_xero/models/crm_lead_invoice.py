"""What an opportunity's Xero invoices (and its quote) are made of: the
customer, the deal's lines, currency, taxes (Xero's), tracking, branding
theme, due date and reference; the parts a deal is invoiced in (a deposit,
progress invoices, the final one); and every check that can refuse before
anything is sent.

The deal: once the customer accepted the opportunity's Xero quote, that
quote's lines; else, with sale_crm, the quotation's lines
(addons/crm_xero_sale overrides ``_xero_source``); else one line made from
the opportunity, in its currency (``xero_currency_id``, else the company's).
"""
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, html2plaintext

from ..xero import invoices as xero_invoices
from ..xero import quotes as xero_quotes


class CrmLead(models.Model):
    _inherit = "crm.lead"

    xero_currency_id = fields.Many2one(
        "res.currency", "Currency in Xero",
        help="The currency of the opportunity's Xero quote and invoices, e.g. the customer's; "
             "its expected revenue is read in it. Blank: the company's currency. With a "
             "quotation, the quotation's currency.")
    xero_revenue_currency_id = fields.Many2one(
        "res.currency", compute="_compute_xero_revenue_currency",
        help="The currency the expected revenue is shown in: the currency in Xero, else the "
             "company's.")
    xero_deal_currency_id = fields.Many2one("res.currency", "Deal currency",
                                            compute="_compute_xero_left")
    xero_deal_amount = fields.Monetary(
        "Deal total", currency_field="xero_deal_currency_id", compute="_compute_xero_left",
        help="What the deal's lines add up to (the accepted Xero quote's, the quotation's, or "
             "the expected revenue), before tax when prices exclude tax.")
    xero_invoiced_amount = fields.Monetary(
        "Invoiced in Xero", currency_field="xero_deal_currency_id",
        compute="_compute_xero_left",
        help="What the opportunity's Xero invoices (not voided or deleted) take of the deal.")
    xero_left_to_invoice = fields.Monetary(
        "Left to invoice", currency_field="xero_deal_currency_id", compute="_compute_xero_left")

    @api.depends("xero_currency_id", "company_currency")
    def _compute_xero_revenue_currency(self):
        for lead in self:
            lead.xero_revenue_currency_id = lead.xero_currency_id or lead.company_currency

    @api.depends("xero_invoice_link_ids.lines_amount", "xero_invoice_link_ids.lines_read",
                 "xero_invoice_link_ids.open",
                 "xero_quote_link_ids.status", "expected_revenue", "xero_currency_id",
                 "company_id")
    @api.depends_context("company")
    def _compute_xero_left(self):
        for lead in self:
            connection = lead._xero_connection()
            deal = lead._xero_deal_amount(connection)
            lead.xero_deal_currency_id = self.env["res.currency"].with_context(
                active_test=False).search([("name", "=", deal["currency"])], limit=1)
            invoiced = lead._xero_invoiced(connection)
            lead.xero_deal_amount = deal["amount"]
            lead.xero_invoiced_amount = invoiced
            lead.xero_left_to_invoice = max(deal["amount"] - invoiced, 0.0)

    def _xero_customer(self):
        return self.partner_id.commercial_partner_id

    def _xero_customer_link(self, connection):
        """The customer's link in ``connection``'s organisation, if linked."""
        self.ensure_one()
        return self.env["xero.contact.link"].sudo().search([
            ("connection_id", "=", connection.id), ("partner_id", "=", self._xero_customer().id),
            ("contact_id", "!=", False)], limit=1)

    def _xero_invoice_connection(self):
        """The connection of the opportunity's company, usable, or a clear error."""
        self.ensure_one()
        connection = self._xero_connection()
        if not connection:
            raise UserError(_("%s is not connected to Xero yet. An administrator can connect it "
                              "in Settings > CRM > Xero.", self._xero_company().name))
        connection._xero_check_usable()
        return connection

    def _xero_check_invoiceable(self):
        self.ensure_one()
        if self.xero_invoice_open and self.xero_left_to_invoice <= 0:
            raise UserError(_(
                "Nothing is left to invoice: the Xero invoices of this opportunity (%(numbers)s) "
                "add up to its total of %(total)s. Use Update Draft Invoice on Xero to change a "
                "draft.", numbers=", ".join(self._xero_open_invoices().mapped("number")),
                total=self._xero_money(self.xero_deal_amount, self.xero_deal_currency_id)))
        missing = self._xero_invoice_missing()
        if missing:
            raise UserError(missing)

    def _xero_invoice_missing(self):
        """What the opportunity lacks for a Xero invoice, in a sentence, or
        None: read by the form (where Create Draft Invoice on Xero is) and
        checked by the button.  No call to Xero."""
        self.ensure_one()
        if not self.partner_id:
            return _("Set the opportunity's customer first: the Xero invoice is addressed to "
                     "that company.")
        if self._xero_source()["lines"] is None and not self.expected_revenue \
                and not self._xero_agreed_quote(self._xero_connection()):
            return _("There is nothing to invoice yet: enter the expected revenue first, then "
                     "create the Xero invoice.")
        return None

    def _xero_check_customer(self, link):
        customer = self._xero_customer()
        if not link:
            raise UserError(_("%s is not in Xero yet: export it to Xero first (Export to Xero on "
                              "the account).", customer.display_name))
        if link.contact_status == "ARCHIVED":
            raise UserError(_("%s is archived in Xero, which refuses invoices for archived "
                              "contacts. Restore the contact in Xero, then try again.",
                              customer.display_name))

    # -- the source: the opportunity, or its quotation (crm_xero_sale) -------------------
    def _xero_source(self):
        """``{"lines": [...], "currency": code, "quotation": name or None}``:
        lines as dicts (description, quantity, price_unit, discount,
        product_code), or None for the one line made from the opportunity."""
        self.ensure_one()
        currency = self.xero_currency_id or self.company_currency or self.env.company.currency_id
        return {"lines": None, "currency": currency.name, "quotation": None}

    def _xero_agreed_quote(self, connection):
        """The opportunity's Xero quote the customer accepted (or that Xero
        invoiced), in ``connection``'s organisation; may be empty."""
        self.ensure_one()
        if not connection:
            return self.env["xero.quote.link"]
        return self.sudo().xero_quote_link_ids.filtered(
            lambda q: q.connection_id == connection and q.status in xero_quotes.AGREED)[:1]

    def _xero_deal(self, connection, account_code, items=(), from_quote=True):
        """The deal as Xero lines: ``{"lines", "currency", "line_amounts" (or
        None: the organisation's), "source" (the accepted quote's or the
        quotation's number, or None)}``.  ``from_quote``: an accepted quote's
        lines first (a quote itself is made from the rest)."""
        quote = self._xero_agreed_quote(connection) if from_quote else None
        if quote:
            return {"lines": xero_quotes.invoice_lines(quote.line_items, account_code),
                    "currency": quote.currency_id.name, "source": quote.number,
                    "line_amounts": quote.line_amount_types or None, "quote": quote}
        source = self._xero_source()
        if source["lines"] is None:
            description = html2plaintext(self.description) if self.description else ""
            lines = [xero_invoices.opportunity_line(self.name, description, self.expected_revenue,
                                                    account_code)] \
                if self.expected_revenue else []
        else:
            lines = xero_invoices.quotation_lines(source["lines"], account_code, items)
        return {"lines": lines, "currency": source["currency"], "source": source["quotation"],
                "line_amounts": None, "quote": None}

    def _xero_deal_amount(self, connection):
        """``{"amount", "currency"}`` of the deal, read in Odoo (no call)."""
        deal = self._xero_deal(connection, None)
        return {"amount": xero_invoices.lines_amount(deal["lines"]), "currency": deal["currency"]}

    def _xero_open_invoices(self, connection=None):
        """The opportunity's invoices that count (not voided or deleted)."""
        self.ensure_one()
        links = self.sudo().xero_invoice_link_ids.filtered("open")
        if connection:
            links = links.filtered(lambda l: l.connection_id == connection)
        return links.sorted("sequence")

    def _xero_invoiced(self, connection, exclude=None):
        """What the opportunity's invoices take of the deal (their lines'
        amount), ``exclude`` (a link being updated) left out."""
        links = self._xero_open_invoices(connection)
        if exclude:
            links -= exclude
        return sum(link._xero_taken() for link in links)

    def _xero_money(self, amount, currency):
        return format_amount(self.env, amount, currency) if currency else "%.2f" % amount

    def _xero_due_date(self):
        """The due date from the customer's payment terms in Odoo (with
        accounting, see crm_xero_sale); False: Xero's default."""
        return False

    # -- the plan ------------------------------------------------------------------------
    def _xero_invoice_plan(self, connection, contact_id, account_code, tracking=(),
                           theme_id=None, create=True, part=None, link=None):
        """The invoice for Xero and the totals Xero will compute, or a
        UserError saying what is missing.  ``tracking``: [(category, option)].
        ``part``: None for the whole deal, else ``{"kind": "deposit",
        "progress" or "final", "percent" or "amount"}``; ``link``: the
        invoice being updated (left out of what was invoiced before)."""
        self.ensure_one()
        settings = self.env["xero.invoice.link"]._xero_invoice_settings(connection)
        self._xero_raise(xero_invoices.account_problem(account_code, settings["accounts"]))
        self._xero_raise(xero_invoices.tracking_problem(list(tracking), settings["tracking"]))
        self._xero_raise(xero_invoices.theme_problem(theme_id, settings["themes"]))
        deal = self._xero_deal(connection, account_code, settings["items"])
        currency = deal["currency"]
        self._xero_check_currency(connection, currency, settings)
        lines = xero_invoices.with_tracking(deal["lines"], tracking)
        line_amounts = deal["line_amounts"] or xero_invoices.line_amount_types(
            settings["organisation"].get("DefaultSalesTax"))
        reference = xero_invoices.reference(self.name, deal["source"])
        part_values = {"kind": "whole"}
        earlier = self._xero_open_invoices(connection) - (link or self.env["xero.invoice.link"])
        if part and part.get("kind", "whole") != "whole":
            lines, part_values, label = self._xero_part(connection, lines, currency, part,
                                                        settings, link)
            reference = xero_invoices.reference("%s - %s" % (reference, label))
        elif earlier:
            raise UserError(_(
                "This opportunity has Xero invoices already (%(numbers)s): invoice a part of "
                "it (a progress invoice) or what is left (the final invoice).",
                numbers=", ".join(earlier.mapped("number"))))
        estimate = xero_invoices.estimate(lines, line_amounts, settings["accounts"],
                                          settings["items"], settings["tax_rates"]) \
            if lines else None
        self._xero_raise(xero_invoices.lines_problem(lines, estimate))
        payload = xero_invoices.invoice_payload(
            contact_id, lines, currency, line_amounts, reference,
            "%s/odoo/crm/%s" % (self.get_base_url(), self.id),
            due_date=self._xero_due_date(), branding_theme_id=theme_id, create=create)
        return {"payload": payload, "estimate": estimate, "currency": currency,
                "line_count": len(lines), "quotation": deal["source"],
                "from_quote": bool(deal["quote"]), "part": part_values,
                "earlier_ids": earlier.ids}

    def _xero_check_currency(self, connection, currency, settings):
        """Refuse, before any call, a currency the organisation does not use."""
        if currency not in xero_invoices.enabled_currencies(settings["organisation"],
                                                            settings["currencies"]):
            raise UserError(_(
                "The opportunity is in %(currency)s, which the Xero organisation %(org)s does not "
                "use. Enable %(currency)s in Xero (Settings > Currencies) and try again.",
                currency=currency, org=connection.tenant_name))

    def _xero_part(self, connection, lines, currency, part, settings, link=None):
        """The deal's lines as a deposit, progress or final invoice, after
        every check: (lines, part values kept on the link, label)."""
        whole = xero_invoices.lines_amount(lines)
        earlier = self._xero_open_invoices(connection) - (link or self.env["xero.invoice.link"])
        other = earlier.filtered(lambda l: l.currency_id and l.currency_id.name != currency)
        if other:
            raise UserError(_(
                "The opportunity's invoice %(number)s is in %(other)s and the deal is now in "
                "%(currency)s: its invoices must all be in one currency.",
                number=other[0].number, other=other[0].currency_id.name, currency=currency))
        left = whole - sum(link._xero_taken() for link in earlier)
        kind = part["kind"]
        if kind == "final":
            target, percent = left, 0.0
        elif part.get("percent"):
            percent = float(part["percent"])
            target = whole * percent / 100.0
        else:
            percent = 0.0
            target = float(part.get("amount") or 0.0)
        money = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", currency)], limit=1)
        problem = xero_invoices.part_problem(target, left, whole)
        if problem:
            text, params = problem
            params = {key: self._xero_money(float(value), money) for key, value in params.items()}
            raise UserError(self.env._(text, **params))
        if kind != "final":
            # The first part is the deposit; the parts after it, progress invoices.
            before = earlier.filtered(lambda l: not link or l.sequence < link.sequence)
            kind = "progress" if before else "deposit"
        share = target / whole * 100.0 if whole else 0.0
        shown = ("%.2f" % share).rstrip("0").rstrip(".") + "%"
        label = {"deposit": _("Deposit %s", shown), "progress": _("Progress invoice %s", shown),
                 "final": _("Balance")}[kind]
        values = {"kind": kind, "percent": percent,
                  "amount": float(part.get("amount") or 0.0) if not percent else 0.0}
        return (xero_invoices.part_lines(lines, target, label, settings["items"]), values,
                label)

    def _xero_raise(self, problem):
        if problem:
            text, params = problem
            raise UserError(self.env._(text, **params) if params else self.env._(text))
