"""Create Draft Invoice on Xero: pick the revenue account (the organisation's
active revenue accounts, read live and cached briefly) and, when the customer
is not in Xero yet, export it first."""
from odoo import _, api, fields, models
from odoo.tools import format_amount

from ..xero import invoice_mapping as im


class XeroInvoiceAccount(models.TransientModel):
    _name = "xero.invoice.account"
    _description = "Xero revenue account to choose from"
    _order = "code"

    wizard_id = fields.Many2one("xero.invoice.wizard", required=True, ondelete="cascade")
    code = fields.Char(required=True)
    name = fields.Char()

    @api.depends("code", "name")
    def _compute_display_name(self):
        for account in self:
            account.display_name = " ".join(filter(None, [account.code, account.name]))


class XeroInvoiceWizard(models.TransientModel):
    _name = "xero.invoice.wizard"
    _description = "Create a Xero draft invoice from an opportunity"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    tenant_name = fields.Char(related="connection_id.tenant_name")
    customer_id = fields.Many2one("res.partner", compute="_compute_customer")
    customer_in_xero = fields.Boolean(compute="_compute_customer")
    main_person_id = fields.Many2one(
        "res.partner", "Main contact", domain="[('parent_id', '=', customer_id)]",
        help="Becomes the Xero contact's primary person when the customer is exported.")
    account_choice_ids = fields.One2many("xero.invoice.account", "wizard_id")
    account_choice_id = fields.Many2one("xero.invoice.account", "Revenue account",
                                        domain="[('wizard_id', '=', id)]")
    account_code = fields.Char(compute="_compute_account_code", store=True, readonly=False)
    summary = fields.Text(compute="_compute_summary")

    @api.model
    def _xero_open(self, lead):
        """The wizard for `lead`, with the organisation's revenue accounts."""
        connection = lead._xero_invoice_connection()
        accounts = im.revenue_accounts(connection._xero_invoice_settings()["accounts"])
        person = lead.partner_id if lead.partner_id.parent_id else self.env["res.partner"]
        wizard = self.create({
            "lead_id": lead.id, "connection_id": connection.id, "main_person_id": person.id,
            "account_choice_ids": [(0, 0, {"code": code, "name": name}) for code, name in accounts],
        })
        # Xero's usual sales account first, else the first one listed.
        choices = wizard.account_choice_ids
        wizard.account_choice_id = choices.filtered(lambda c: c.code == "200")[:1] or choices[:1]
        return wizard

    @api.depends("lead_id", "connection_id")
    def _compute_customer(self):
        for wizard in self:
            wizard.customer_id = wizard.lead_id._xero_customer()
            wizard.customer_in_xero = bool(wizard.connection_id and wizard.lead_id
                                           and wizard.lead_id._xero_customer_link(wizard.connection_id))

    @api.depends("account_choice_id")
    def _compute_account_code(self):
        for wizard in self:
            wizard.account_code = wizard.account_choice_id.code or False

    @api.depends("lead_id", "account_code")
    def _compute_summary(self):
        for wizard in self:
            lead = wizard.lead_id
            order = lead._xero_quotation() if lead else None
            if order:
                wizard.summary = _("The lines of %(order)s (%(total)s), as a draft invoice for "
                                   "%(customer)s.", order=order.name,
                                   total=format_amount(self.env, order.amount_total, order.currency_id),
                                   customer=wizard.customer_id.display_name)
            elif lead:
                wizard.summary = _("One line, %(name)s: %(amount)s, as a draft invoice for "
                                   "%(customer)s. Taxes follow the account's default tax in "
                                   "Xero.", name=lead.name,
                                   amount=format_amount(self.env, lead.expected_revenue,
                                                        lead.company_currency),
                                   customer=wizard.customer_id.display_name)
            else:
                wizard.summary = False

    def action_create(self):
        self.ensure_one()
        return self.lead_id._xero_create_invoice(
            self.account_code, export_customer=not self.customer_in_xero,
            main_person=self.main_person_id or None)
