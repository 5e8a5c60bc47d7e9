"""Credit control on quotations: the customer's overdue amount in Xero, as
the opportunity shows it."""
from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    xero_credit_warning = fields.Boolean(compute="_compute_xero_credit_warning")
    xero_credit_warning_text = fields.Char(compute="_compute_xero_credit_warning")

    @api.depends("partner_id", "company_id")
    def _compute_xero_credit_warning(self):
        warnings = self.env["xero.contact.link"]._xero_overdue_warnings(
            [(order.company_id, order.partner_id.commercial_partner_id) for order in self])
        for order in self:
            text = warnings.get((order.company_id.id, order.partner_id.commercial_partner_id.id))
            order.xero_credit_warning = bool(text)
            order.xero_credit_warning_text = text or False
