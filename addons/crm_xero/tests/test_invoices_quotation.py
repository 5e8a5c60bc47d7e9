"""With sale_crm installed, the draft invoice carries the quotation's lines.

Tagged apart ('-standard'): `make test` runs these in a second database where
sale_crm is installed beside crm_xero (crm_xero itself does not depend on it).
"""
from odoo import Command
from odoo.tests import tagged

from .test_invoices_case import XeroInvoiceCase


@tagged("post_install", "-at_install", "-standard", "crm_xero_sale")
class TestQuotationLines(XeroInvoiceCase):

    def setUp(self):
        super().setUp()
        self.assertIn("order_ids", self.lead._fields, "this database must have sale_crm")
        self.desk = self.env["product.product"].create({"name": "Standing desk", "list_price": 400,
                                                        "taxes_id": [Command.clear()]})
        self.chair = self.env["product.product"].create({"name": "Chair", "list_price": 120,
                                                         "taxes_id": [Command.clear()]})

    def quotation(self, lines):
        return self.env["sale.order"].create({
            "partner_id": self.customer.id, "opportunity_id": self.lead.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty,
                                           "price_unit": price, "discount": discount, "tax_id": False})
                           for product, qty, price, discount in lines],
        })

    def test_confirmed_quotation_lines_become_the_invoice_lines(self):
        confirmed = self.quotation([(self.desk, 2, 400, 0), (self.chair, 4, 120, 10)])
        confirmed.action_confirm()
        self.quotation([(self.chair, 1, 999, 0)])   # a later draft quotation, not the one sold

        self.create_invoice()

        invoice = self.xero_invoice()
        lines = [(line["Description"].splitlines()[0], line["Quantity"], line["UnitAmount"],
                  line.get("DiscountRate") or 0, line["AccountCode"]) for line in invoice["LineItems"]]
        self.assertEqual(lines, [("Standing desk", 2, 400, 0, "200"), ("Chair", 4, 120, 10, "200")])
        # 800 + 432 = 1232 before Xero's 15% on account 200.
        self.assertEqual(invoice["SubTotal"], 1232)
        self.assertEqual(invoice["Total"], 1416.8)
        self.assertEqual(self.lead.xero_invoice_total, 1416.8)

    def test_without_a_confirmed_one_the_latest_quotation_is_used(self):
        self.quotation([(self.desk, 1, 400, 0)])
        latest = self.quotation([(self.chair, 3, 120, 0)])
        self.assertEqual(self.lead._xero_quotation(), latest)

        self.create_invoice()

        [line] = self.xero_invoice()["LineItems"]
        self.assertEqual((line["Quantity"], line["UnitAmount"]), (3, 120))
        self.assertEqual(self.xero_invoice()["SubTotal"], 360)
