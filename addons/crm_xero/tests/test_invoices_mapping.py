"""Opportunity values -> Xero invoice: the pure mapping rules."""
from odoo.tests import BaseCase, tagged

from ..xero import invoice_mapping as im


@tagged("post_install", "-at_install", "crm_xero")
class TestInvoiceMapping(BaseCase):

    def test_line_amount_types_follow_the_organisation(self):
        self.assertEqual(im.line_amount_types("Tax Exclusive"), "Exclusive")
        self.assertEqual(im.line_amount_types("Tax Inclusive"), "Inclusive")
        self.assertEqual(im.line_amount_types("No Tax"), "NoTax")
        self.assertEqual(im.line_amount_types(None), "Exclusive")

    def test_quotation_lines_keep_quantities_prices_discounts_and_no_tax_type(self):
        lines = im.quotation_lines([
            {"description": "Chairs", "quantity": 4, "price_unit": 25.5, "discount": 10},
            {"description": "Delivery", "quantity": 1, "price_unit": 40, "discount": 0},
        ], "200")
        self.assertEqual(lines, [
            {"Description": "Chairs", "Quantity": 4, "UnitAmount": 25.5, "AccountCode": "200",
             "DiscountRate": 10},
            {"Description": "Delivery", "Quantity": 1, "UnitAmount": 40, "AccountCode": "200"},
        ])
        self.assertIsNone(im.lines_problem(lines))
        self.assertIn("nothing to invoice", im.lines_problem([]))

    def test_revenue_accounts_and_their_problems(self):
        accounts = [
            {"Code": "260", "Name": "Other Revenue", "Class": "REVENUE", "Status": "ACTIVE"},
            {"Code": "200", "Name": "Sales", "Class": "REVENUE", "Status": "ACTIVE"},
            {"Code": "280", "Name": "Old", "Class": "REVENUE", "Status": "ARCHIVED"},
            {"Code": "400", "Name": "Advertising", "Class": "EXPENSE", "Status": "ACTIVE"},
        ]
        self.assertEqual(im.revenue_accounts(accounts), [("200", "Sales"), ("260", "Other Revenue")])
        self.assertIsNone(im.account_problem("200", accounts))
        self.assertIn("archived", im.account_problem("280", accounts))
        self.assertIn("not a revenue account", im.account_problem("400", accounts))
        self.assertIn("no account with code 999", im.account_problem("999", accounts))

    def test_payload_for_create_and_update(self):
        line = im.opportunity_line("Website", "Six pages", 1000, "200")
        self.assertEqual(line["Description"], "Website\nSix pages")
        created = im.invoice_payload("c-1", [line], "USD", "Exclusive", im.reference(7, "Website"),
                                     "https://odoo.example/odoo/crm/7")
        self.assertEqual((created["Type"], created["Status"]), ("ACCREC", "DRAFT"))
        self.assertEqual(created["Reference"], "CRM #7 Website")
        self.assertNotIn("TaxType", created["LineItems"][0])
        updated = im.invoice_payload("c-1", [line], "USD", "Exclusive", "r", None, create=False)
        self.assertNotIn("Status", updated)
        self.assertNotIn("Url", updated)

    def test_currencies_and_values(self):
        self.assertEqual(im.enabled_currencies({"BaseCurrency": "USD"}, [{"Code": "EUR"}]),
                         {"USD", "EUR"})
        values = im.invoice_values({"InvoiceID": "i", "InvoiceNumber": "INV-1", "Status": "PAID",
                                    "Total": 10.5, "AmountDue": 0, "CurrencyCode": "GBP"})
        self.assertEqual(values["status"], "PAID")
        self.assertEqual((values["total"], values["amount_due"]), (10.5, 0.0))
        self.assertTrue(im.not_modifiable(["Invoice not of valid status for modification"]))
