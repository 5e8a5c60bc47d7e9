"""With sale_crm: an opportunity's Xero quote and invoices are made of its
quotation's lines (the confirmed one, else the latest), in the quotation's
currency; the invoice falls due by the customer's payment terms in Odoo, and
the quote expires when the quotation does."""
from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _xero_quotation(self):
        """The confirmed (else latest) quotation that is not cancelled (the
        opportunity's, whoever made it: a salesperson invoicing their
        opportunity reads its quotation's lines)."""
        self.ensure_one()
        orders = self.sudo().order_ids.filtered(lambda o: o.state != "cancel")
        pool = orders.filtered(lambda o: o.state == "sale") or orders
        return pool.sorted(lambda o: (o.date_order or o.create_date, o.id))[-1:]

    def _xero_source(self):
        order = self._xero_quotation()
        if not order:
            return super()._xero_source()
        lines = [{"description": line.name, "quantity": line.product_uom_qty,
                  "price_unit": line.price_unit, "discount": line.discount,
                  "product_code": line.product_id.default_code or False}
                 for line in order.order_line if not line.display_type]
        return {"lines": lines, "currency": order.currency_id.name, "quotation": order.name}

    def _xero_due_date(self):
        """The last due date of the customer's payment terms, from today."""
        order = self._xero_quotation()
        # Payment terms are per company: the opportunity's, not the current one.
        terms = (order.payment_term_id if order else None) or \
            self._xero_customer().with_company(self._xero_company()).property_payment_term_id
        if not terms or not terms.line_ids:
            return super()._xero_due_date()
        return max(line._get_due_date(False) for line in terms.line_ids)

    def _xero_quote_expiry(self):
        """The quotation's own expiry date, when it has one."""
        order = self._xero_quotation()
        if order and order.validity_date:
            return order.validity_date
        return super()._xero_quote_expiry()
