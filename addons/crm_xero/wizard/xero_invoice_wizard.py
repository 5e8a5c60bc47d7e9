"""Create Draft Invoice on Xero: the revenue account, tracking options and
branding theme (the organisation's, read live and cached briefly), the
totals Xero will compute, and, when the customer is not in Xero yet, its
main contact: it is exported first.  A name or ledger code Xero already has
is offered as a choice: link to that contact and go on, or cancel."""
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
    def _xero_open(self, lead):
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
        wizard = self.create({
            "lead_id": lead.id, "connection_id": connection.id, "main_person_id": person.id,
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

    @api.depends("lead_id", "connection_id")
    def _compute_customer(self):
        for wizard in self:
            wizard.customer_id = wizard.lead_id._xero_customer()
            wizard.customer_in_xero = bool(wizard.connection_id and wizard.lead_id
                                           and wizard.lead_id._xero_customer_link(
                                               wizard.connection_id))

    @api.depends("lead_id", "account_choice_id", "tracking_1_id", "tracking_2_id", "theme_id")
    def _compute_summary(self):
        for wizard in self:
            wizard.summary = wizard.totals = wizard.problem = False
            lead = wizard.lead_id
            if not lead or not wizard.account_choice_id:
                continue
            try:
                plan = lead._xero_invoice_plan(wizard.connection_id, None,
                                               wizard.account_choice_id.code,
                                               wizard._xero_tracking(), wizard.theme_id.code)
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
            if plan["quotation"]:
                wizard.summary = _("The %(count)s lines of %(order)s, as a draft invoice for "
                                   "%(customer)s. Taxes follow Xero's settings.",
                                   count=plan["line_count"], order=plan["quotation"],
                                   customer=wizard.customer_id.display_name)
            else:
                wizard.summary = _("One line, %(name)s, as a draft invoice for %(customer)s. "
                                   "Taxes follow the account's default tax in Xero.",
                                   name=lead.name, customer=wizard.customer_id.display_name)

    @xero_action
    def action_create(self):
        self.ensure_one()
        try:
            summary = self.lead_id._xero_create_invoice(
                self.account_choice_id.code, self._xero_tracking(), self.theme_id.code or None,
                export_customer=True, main_person=self.main_person_id or None)
        except XeroDuplicateContact as clash:
            return self._xero_offer_link(clash)
        if not summary["sent"]:
            return notification(_("Draft invoice %(number)s is in Xero (%(total)s): it was "
                                  "created a moment ago.", number=summary["number"],
                                  total=summary["total"]), "info", CLOSE)
        return notification(_("Draft invoice %(number)s created in Xero (%(total)s).",
                              number=summary["number"], total=summary["total"]), "success",
                            CLOSE)

    def _xero_offer_link(self, clash):
        customer = self.customer_id
        if clash.linked_to:
            raise UserError(_("%(clash)s It is linked to the Odoo account %(account)s: pick that "
                              "account as the opportunity's customer, or rename %(customer)s.",
                              clash=xero_message(self.env, clash), account=clash.linked_to,
                              customer=customer.display_name))
        self.write({"state": "clash", "clash_contact_id": clash.contact["ContactID"],
                    "clash_link_label": _("Link to %s and create the invoice",
                                          clash.contact.get("Name") or ""),
                    "clash_message": _("%(clash)s Link %(customer)s to it and create the "
                                       "invoice, or cancel and change the account's %(what)s.",
                                       clash=xero_message(self.env, clash),
                                       customer=customer.display_name,
                                       what=_("name") if clash.field == "Name"
                                       else _("ledger code"))})
        return dialog(_("Create Draft Invoice on Xero"), self)

    @xero_action
    def action_link_and_create(self):
        """Link the customer to the contact Xero has, then create the invoice."""
        self.ensure_one()
        customer = self.customer_id.with_company(self.connection_id.company_id)
        customer._xero_link_existing(self.clash_contact_id)
        self.state = "choose"
        return self.action_create()
