"""Create Draft Invoice on Xero, and Create Quote on Xero (the same wizard,
``document``): the revenue account, tracking options and branding theme (the
organisation's, read live and cached briefly), the totals Xero will compute,
and, when the customer is not in Xero yet, its main contact: it is exported
first.  A name or ledger code Xero already has is offered as a choice: link
to that contact and go on, or cancel.

An invoice is the whole deal, or a part of it: a deposit or progress invoice
(a percentage or an amount), or the final invoice for what is left.  A quote
has a title, a summary, terms and an expiry date."""
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..models.xero_actions import CLOSE, dialog, notification
from ..models.xero_errors import xero_action, xero_message
from ..xero import invoices as xero_invoices
from ..xero.errors import XeroDuplicateContact, XeroError


class XeroInvoiceChoice(models.TransientModel):
    _name = "xero.invoice.choice"
    _description = "A choice the organisation offers (account, tracking option, theme)"
    _order = "kind, sequence, code"

    wizard_id = fields.Many2one("xero.invoice.wizard", required=True, ondelete="cascade")
    kind = fields.Selection([("account", "Revenue account"), ("tracking_1", "Tracking 1"),
                             ("tracking_2", "Tracking 2"), ("theme", "Branding theme")],
                            required=True)
    code = fields.Char(required=True)
    name = fields.Char()
    category = fields.Char()
    sequence = fields.Integer()

    @api.depends("code", "name", "kind")
    def _compute_display_name(self):
        for choice in self:
            choice.display_name = " ".join(filter(None, [choice.code, choice.name])) \
                if choice.kind == "account" else choice.name or choice.code


class XeroInvoiceWizard(models.TransientModel):
    _name = "xero.invoice.wizard"
    _description = "Create a Xero draft invoice from an opportunity"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    document = fields.Selection([("invoice", "Draft invoice"), ("quote", "Quote")],
                                default="invoice", required=True)
    # -- an invoice: the whole deal or a part of it
    seen_count = fields.Integer(help="How many invoices the opportunity had when the wizard "
                                     "opened.")
    part = fields.Selection([("whole", "The whole deal"),
                             ("part", "A part: a deposit or progress invoice"),
                             ("rest", "What is left: the final invoice")],
                            "Invoice", default="whole")
    part_mode = fields.Selection([("percent", "A percentage"), ("amount", "An amount")],
                                 "Part as", default="percent")
    part_percent = fields.Float("Percentage", default=30.0)
    deal_currency_id = fields.Many2one("res.currency", related="lead_id.xero_deal_currency_id")
    part_amount = fields.Monetary("Amount", currency_field="deal_currency_id")
    left_text = fields.Char("Left to invoice", compute="_compute_left_text")
    # -- a quote
    quote_title = fields.Char("Quote title")
    quote_summary = fields.Text("Quote summary")
    quote_terms = fields.Text("Quote terms")
    quote_expiry_date = fields.Date("Quote expiry date")
    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    tenant_name = fields.Char(related="connection_id.tenant_name")
    customer_id = fields.Many2one("res.partner", compute="_compute_customer")
    customer_in_xero = fields.Boolean(compute="_compute_customer")
    main_person_id = fields.Many2one(
        "res.partner", "Main contact",
        domain="[('parent_id', '=', customer_id), ('type', '=', 'contact'), "
               "('is_company', '=', False)]",
        help="Becomes the Xero contact's primary person when the customer is exported.")
    choice_ids = fields.One2many("xero.invoice.choice", "wizard_id")
    account_choice_id = fields.Many2one("xero.invoice.choice", "Revenue account",
                                        domain="[('wizard_id', '=', id), ('kind', '=', 'account')]")
    tracking_1_label = fields.Char(readonly=True)
    tracking_1_id = fields.Many2one("xero.invoice.choice",
                                    domain="[('wizard_id', '=', id), ('kind', '=', 'tracking_1')]")
    tracking_2_label = fields.Char(readonly=True)
    tracking_2_id = fields.Many2one("xero.invoice.choice",
                                    domain="[('wizard_id', '=', id), ('kind', '=', 'tracking_2')]")
    theme_id = fields.Many2one("xero.invoice.choice", "Branding theme",
                               domain="[('wizard_id', '=', id), ('kind', '=', 'theme')]")
    summary = fields.Text(compute="_compute_summary")
    totals = fields.Char("Totals in Xero", compute="_compute_summary")
    problem = fields.Char(compute="_compute_summary")
    state = fields.Selection([("choose", "Choose"), ("clash", "Clash")], default="choose")
    clash_message = fields.Text(readonly=True)
    clash_contact_id = fields.Char()
    clash_link_label = fields.Char(readonly=True)

    @api.model
    def _xero_open(self, lead, document="invoice"):
        """The wizard for ``lead``, with the organisation's choices and the
        company's defaults (Settings > CRM > Xero)."""
        connection = lead._xero_invoice_connection()
        settings = self.env["xero.invoice.link"]._xero_invoice_settings(connection)
        choices = [{"kind": "account", "code": code, "name": name}
                   for code, name in xero_invoices.revenue_accounts(settings["accounts"])]
        categories = xero_invoices.active_tracking(settings["tracking"])
        for index, (category, options) in enumerate(categories[:2], start=1):
            choices += [{"kind": "tracking_%s" % index, "code": option, "name": option,
                         "category": category, "sequence": seq}
                        for seq, option in enumerate(options)]
        choices += [{"kind": "theme", "code": t["BrandingThemeID"], "name": t.get("Name"),
                     "sequence": t.get("SortOrder") or 0} for t in settings["themes"]]
        person = lead.partner_id if lead.partner_id.parent_id else \
            lead._xero_customer()._xero_contact_persons()[:1]
        seen = lead._xero_open_invoices(connection)
        header = lead._xero_quote_defaults() if document == "quote" else {}
        wizard = self.create({
            "lead_id": lead.id, "connection_id": connection.id, "main_person_id": person.id,
            "document": document, "seen_count": len(seen),
            "part": "rest" if seen else "whole",
            "quote_title": header.get("title"), "quote_summary": header.get("summary"),
            "quote_terms": header.get("terms"), "quote_expiry_date": header.get("expiry_date"),
            "choice_ids": [(0, 0, values) for values in choices],
            "tracking_1_label": categories[0][0] if categories else False,
            "tracking_2_label": categories[1][0] if len(categories) > 1 else False,
        })
        defaults = connection.sudo()
        pick = wizard.choice_ids.filtered
        wizard.account_choice_id = (pick(lambda c: c.kind == "account"
                                         and c.code == (defaults.invoice_account_code or "200"))
                                    or pick(lambda c: c.kind == "account"))[:1]
        chosen = dict(tuple(pair) for pair in defaults.invoice_tracking or [])
        for index in (1, 2):
            label = wizard["tracking_%s_label" % index]
            wizard["tracking_%s_id" % index] = pick(
                lambda c, i=index, l=label: c.kind == "tracking_%s" % i and l
                and chosen.get(l) == c.code)[:1]
        themes = pick(lambda c: c.kind == "theme")
        wizard.theme_id = themes.filtered(lambda c: c.code == defaults.invoice_theme_id)[:1] \
            or themes[:1]
        return wizard

    def _xero_tracking(self):
        self.ensure_one()
        return [(choice.category, choice.code) for choice in (self.tracking_1_id,
                                                              self.tracking_2_id) if choice]

    @api.constrains("lead_id", "connection_id")
    def _check_connection(self):
        # The wizard's fields can be written over RPC: its organisation is
        # always the opportunity's own company's, never one the client names.
        for wizard in self:
            if wizard.connection_id != wizard.lead_id._xero_connection():
                raise UserError(_("This opportunity goes to its own company's Xero "
                                  "organisation only."))

    @api.depends("lead_id", "connection_id")
    def _compute_customer(self):
        for wizard in self:
            wizard.customer_id = wizard.lead_id._xero_customer()
            wizard.customer_in_xero = bool(wizard.connection_id and wizard.lead_id
                                           and wizard.lead_id._xero_customer_link(
                                               wizard.connection_id))

    def _xero_part(self):
        """The part of the deal the invoice is for (see crm.lead's plan)."""
        self.ensure_one()
        if self.part == "whole":
            return None
        if self.part == "rest":
            return {"kind": "final"}
        if self.part_mode == "percent":
            return {"kind": "progress", "percent": self.part_percent}
        return {"kind": "progress", "amount": self.part_amount}

    def _xero_header(self):
        self.ensure_one()
        return {"title": self.quote_title, "summary": self.quote_summary,
                "terms": self.quote_terms, "expiry_date": self.quote_expiry_date}

    @api.depends("lead_id", "document")
    def _compute_left_text(self):
        for wizard in self:
            lead = wizard.lead_id
            wizard.left_text = False
            if wizard.document == "invoice" and lead and lead.xero_invoiced_amount:
                currency = lead.xero_deal_currency_id
                wizard.left_text = _("%(left)s of %(total)s", left=lead._xero_money(
                    lead.xero_left_to_invoice, currency), total=lead._xero_money(
                    lead.xero_deal_amount, currency))

    @api.depends("lead_id", "account_choice_id", "tracking_1_id", "tracking_2_id", "theme_id",
                 "document", "part", "part_mode", "part_percent", "part_amount",
                 "quote_expiry_date")
    def _compute_summary(self):
        for wizard in self:
            wizard.summary = wizard.totals = wizard.problem = False
            lead = wizard.lead_id
            if not lead or not wizard.account_choice_id:
                continue
            try:
                if wizard.document == "quote":
                    plan = lead._xero_quote_plan(wizard.connection_id, None,
                                                 wizard.account_choice_id.code,
                                                 wizard._xero_tracking(), wizard.theme_id.code,
                                                 wizard._xero_header())
                else:
                    plan = lead._xero_invoice_plan(wizard.connection_id, None,
                                                   wizard.account_choice_id.code,
                                                   wizard._xero_tracking(), wizard.theme_id.code,
                                                   part=wizard._xero_part())
            except UserError as exc:
                wizard.problem = exc.args[0]
                continue
            except XeroError as exc:   # Xero's lists not cached in this worker, and Xero busy
                wizard.problem = xero_message(self.env, exc)
                continue
            currency = self.env["res.currency"].with_context(active_test=False).search(
                [("name", "=", plan["currency"])], limit=1)
            money = (lambda amount: format_amount(self.env, amount, currency)) if currency \
                else (lambda amount: "%s %.2f" % (plan["currency"], amount))
            estimate = plan["estimate"]
            wizard.totals = _("%(subtotal)s + tax %(tax)s = %(total)s",
                              subtotal=money(estimate["subtotal"]), tax=money(estimate["tax"]),
                              total=money(estimate["total"]))
            customer = wizard.customer_id.display_name
            part = plan.get("part") or {}
            if wizard.document == "quote":
                wizard.summary = _(
                    "The %(count)s lines of %(order)s, as a draft quote for %(customer)s. Taxes "
                    "follow Xero's settings.", count=plan["line_count"],
                    order=plan["quotation"], customer=customer) if plan["quotation"] else _(
                    "One line, %(name)s, as a draft quote for %(customer)s. Taxes follow the "
                    "account's default tax in Xero.", name=lead.name, customer=customer)
            elif part.get("kind", "whole") != "whole":
                kind = dict(self.env["xero.invoice.link"]._fields["part_kind"]
                            ._description_selection(self.env))[part["kind"]]
                wizard.summary = _(
                    "%(kind)s for %(customer)s: each line of the deal%(origin)s for its share "
                    "of %(amount)s. Taxes follow Xero's settings.", kind=kind,
                    customer=customer, amount=money(plan["estimate"]["subtotal"]),
                    origin=" (%s)" % plan["quotation"] if plan["quotation"] else "")
            elif plan.get("from_quote"):
                wizard.summary = _("The %(count)s lines of the accepted quote %(quote)s, as a "
                                   "draft invoice for %(customer)s. Taxes follow Xero's "
                                   "settings.", count=plan["line_count"],
                                   quote=plan["quotation"], customer=customer)
            elif plan["quotation"]:
                wizard.summary = _("The %(count)s lines of %(order)s, as a draft invoice for "
                                   "%(customer)s. Taxes follow Xero's settings.",
                                   count=plan["line_count"], order=plan["quotation"],
                                   customer=customer)
            else:
                wizard.summary = _("One line, %(name)s, as a draft invoice for %(customer)s. "
                                   "Taxes follow the account's default tax in Xero.",
                                   name=lead.name, customer=wizard.customer_id.display_name)

    @xero_action
    def action_create(self):
        self.ensure_one()
        try:
            if self.document == "quote":
                return self._xero_create_quote()
            summary = self.lead_id._xero_create_invoice(
                self.account_choice_id.code, self._xero_tracking(), self.theme_id.code or None,
                export_customer=True, main_person=self.main_person_id or None,
                part=self._xero_part(), seen_count=self.seen_count)
        except XeroDuplicateContact as clash:
            return self._xero_offer_link(clash)
        if not summary["sent"]:
            return notification(_("Draft invoice %(number)s is in Xero (%(total)s): it was "
                                  "created a moment ago.", number=summary["number"],
                                  total=summary["total"]), "info", CLOSE)
        return notification(_("Draft invoice %(number)s created in Xero (%(total)s).",
                              number=summary["number"], total=summary["total"]), "success",
                            CLOSE)

    def _xero_create_quote(self):
        summary = self.lead_id._xero_create_quote(
            self.account_choice_id.code, self._xero_tracking(), self.theme_id.code or None,
            self._xero_header(), export_customer=True, main_person=self.main_person_id or None)
        if not summary["sent"]:
            return notification(_("Quote %(number)s is in Xero (%(total)s): it was created a "
                                  "moment ago.", number=summary["number"],
                                  total=summary["total"]), "info", CLOSE)
        return notification(_("Quote %(number)s created in Xero (%(total)s).",
                              number=summary["number"], total=summary["total"]), "success",
                            CLOSE)

    def _xero_offer_link(self, clash):
        customer = self.customer_id
        if clash.linked_to:
            raise UserError(_("%(clash)s It is linked to the Odoo account %(account)s: pick that "
                              "account as the opportunity's customer, or rename %(customer)s.",
                              clash=xero_message(self.env, clash), account=clash.linked_to,
                              customer=customer.display_name))
        what = _("name") if clash.field == "Name" else _("ledger code")
        self.write({"state": "clash", "clash_contact_id": clash.contact["ContactID"],
                    "clash_link_label": (_("Link to %s and create the quote",
                                           clash.contact.get("Name") or "")
                                         if self.document == "quote" else
                                         _("Link to %s and create the invoice",
                                           clash.contact.get("Name") or "")),
                    "clash_message": (_("%(clash)s Link %(customer)s to it and create the "
                                        "quote, or cancel and change the account's %(what)s.",
                                        clash=xero_message(self.env, clash),
                                        customer=customer.display_name, what=what)
                                      if self.document == "quote" else
                                      _("%(clash)s Link %(customer)s to it and create the "
                                        "invoice, or cancel and change the account's %(what)s.",
                                        clash=xero_message(self.env, clash),
                                        customer=customer.display_name, what=what))})
        return dialog(_("Create Quote on Xero") if self.document == "quote" else
                      _("Create Draft Invoice on Xero"), self)

    @xero_action
    def action_link_and_create(self):
        """Link the customer to the contact Xero has, then create the invoice."""
        self.ensure_one()
        customer = self.customer_id.with_company(self.connection_id.company_id)
        customer._xero_link_existing(self.clash_contact_id)
        self.state = "choose"
        return self.action_create()
