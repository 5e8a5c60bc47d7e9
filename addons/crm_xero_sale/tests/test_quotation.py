"""With sale_crm: the draft invoice carries the quotation's lines (Items by
their code, discounts), the chosen tracking and theme, Xero's totals, the
due date of the customer's payment terms; quotations warn of overdue
customers.  Runs in a database with sale_crm (`make test`'s second one)."""
from datetime import date, timedelta

from odoo import Command
from odoo.addons.crm_xero.tests.test_invoices_case import XeroInvoiceCase, plain
from odoo.tests import tagged


@tagged("post_install", "-at_install", "crm_xero_sale")
class TestQuotationInvoices(XeroInvoiceCase):

    def setUp(self):
        super().setUp()
        self.consulting = self.env["product.product"].create({
            "name": "Consulting hour", "default_code": "CONSULT-HR", "list_price": 150,
            "taxes_id": [Command.clear()]})
        self.desk = self.env["product.product"].create({
            "name": "Standing desk", "list_price": 400, "taxes_id": [Command.clear()]})
        self.chair = self.env["product.product"].create({
            "name": "Chair", "list_price": 120, "taxes_id": [Command.clear()]})

    def quotation(self, lines, **values):
        return self.env["sale.order"].create({
            "partner_id": self.customer.id, "opportunity_id": self.lead.id, **values,
            # No tax in Odoo: the products have none (Xero applies its own).
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty,
                                           "price_unit": price, "discount": discount})
                           for product, qty, price, discount in lines],
        })

    def test_three_products_become_the_same_three_lines_with_xeros_totals(self):
        """The issue's own example: one product an Item in Xero, one
        discounted, tracking and theme chosen; totals shown before sending
        are Xero's."""
        order = self.quotation([(self.consulting, 10, 150, 0), (self.desk, 2, 400, 0),
                                (self.chair, 4, 120, 12.5)])
        order.action_confirm()
        wizard = self.choose(self.open_wizard(), tracking={"Region": "North"},
                             theme="Special projects")
        # 1500 + 800 + 420 = 2720; 15% tax per line: 225 + 120 + 63 = 408
        self.assertEqual(plain(wizard.totals), "$ 2,720.00 + tax $ 408.00 = $ 3,128.00")
        self.assertIn("The 3 lines of %s" % order.name, wizard.summary)

        wizard.action_create()
        self.env.invalidate_all()

        invoice = self.invoice_in_xero()
        lines = [(l["Description"].splitlines()[0], l["Quantity"], l["UnitAmount"],
                  l.get("DiscountRate") or 0, l.get("ItemCode"), l["AccountCode"])
                 for l in invoice["LineItems"]]
        self.assertEqual(lines, [("[CONSULT-HR] Consulting hour", 10, 150, 0, "CONSULT-HR", "200"),
                                 ("Standing desk", 2, 400, 0, None, "200"),
                                 ("Chair", 4, 120, 12.5, None, "200")])
        self.assertTrue(all(l["Tracking"] == [{"Name": "Region", "Option": "North",
                                               **{k: v for k, v in l["Tracking"][0].items()
                                                  if k not in ("Name", "Option")}}]
                            for l in invoice["LineItems"]))
        themes = {t["Name"]: t["BrandingThemeID"]
                  for t in self.sandbox.branding_themes(self.tenant)}
        self.assertEqual(invoice["BrandingThemeID"], themes["Special projects"])
        self.assertEqual((invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]),
                         (2720, 408, 3128))
        self.assertEqual(invoice["Reference"], "Website redesign (%s)" % order.name)
        self.assertEqual(self.lead.xero_invoice_total, 3128.0)
        self.assertFalse(self.lead.message_ids.filtered(
            lambda m: "differs" in (m.body or "")), "Xero's total is the one shown")
        # Paying it in Xero shows Paid, and the salesperson hears of it.
        self.sandbox.approve(self.tenant, invoice["InvoiceID"])
        self.sandbox.pay(self.tenant, invoice["InvoiceID"])
        self.env["xero.invoice.link"]._xero_cron_refresh_invoices()
        self.env.invalidate_all()
        self.assertEqual(self.lead.xero_invoice_status, "PAID")
        self.assertTrue(self.lead.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("crm_xero.mail_activity_xero_paid")))
        # ... and the account lists its invoices, the panel agreeing.
        self.customer.xero_link_id._xero_refresh_figures()
        self.env.invalidate_all()
        self.assertIn(invoice["InvoiceNumber"], self.customer.xero_invoice_row_ids.mapped("number"))

    def test_confirmed_quotation_lines_are_used_not_a_later_draft(self):
        confirmed = self.quotation([(self.desk, 2, 400, 0), (self.chair, 4, 120, 10)])
        confirmed.action_confirm()
        self.quotation([(self.chair, 1, 999, 0)])
        self.create_invoice()
        invoice = self.invoice_in_xero()
        self.assertEqual(invoice["SubTotal"], 1232)
        self.assertEqual(invoice["Total"], 1416.8)

    def test_without_a_confirmed_one_the_latest_quotation_is_used(self):
        self.quotation([(self.desk, 1, 400, 0)])
        latest = self.quotation([(self.chair, 3, 120, 0)])
        self.assertEqual(self.lead._xero_quotation(), latest)
        self.create_invoice()
        [line] = self.invoice_in_xero()["LineItems"]
        self.assertEqual((line["Quantity"], line["UnitAmount"]), (3, 120))

    def test_due_date_follows_the_customers_payment_terms(self):
        terms = self.env["account.payment.term"].create({
            "name": "45 days", "line_ids": [Command.create({"value": "percent",
                                                            "value_amount": 100,
                                                            "nb_days": 45})]})
        self.customer.property_payment_term_id = terms
        self.quotation([(self.desk, 1, 400, 0)])
        self.create_invoice()
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id)
        invoice = self.invoice_in_xero()
        self.assertEqual(invoice["DueDateString"][:10],
                         (date.today() + timedelta(days=45)).isoformat())

    def test_due_date_follows_the_payment_terms_of_the_opportunitys_company(self):
        # Payment terms are per company; the salesperson works in another one.
        home = self.lead.company_id
        self.assertTrue(home)
        elsewhere = self.env["res.company"].create({"name": "Elsewhere Pty Ltd"})
        self.salesman.write({"company_ids": [Command.link(elsewhere.id)],
                             "company_id": elsewhere.id})
        terms = self.env["account.payment.term"].create({
            "name": "30 days", "company_id": home.id,
            "line_ids": [Command.create({"value": "percent", "value_amount": 100,
                                         "nb_days": 30})]})
        self.customer.with_company(home).property_payment_term_id = terms
        self.assertFalse(self.customer.with_company(elsewhere).property_payment_term_id)
        # The salesperson's current company is Elsewhere (the company switcher).
        working_elsewhere = {"allowed_company_ids": [elsewhere.id, home.id]}
        self.env.flush_all()
        action = self.as_salesman(self.lead).with_context(**working_elsewhere) \
            .action_xero_create_invoice()
        wizard = self.env[action["res_model"]].with_user(self.salesman) \
            .with_context(**working_elsewhere).browse(action["res_id"])
        self.assertEqual(wizard.env.company, elsewhere)
        self.choose(wizard).action_create()
        self.env.invalidate_all()
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id)
        self.assertEqual(self.invoice_in_xero()["DueDateString"][:10],
                         (date.today() + timedelta(days=30)).isoformat())

    def test_without_payment_terms_xero_decides_the_due_date(self):
        self.create_invoice()
        self.assertNotIn("DueDate", self.invoice_in_xero())

    def test_a_quotation_warns_of_an_overdue_customer(self):
        overdue = next(c for c in self.xero_contacts()
                       if c["Balances"]["AccountsReceivable"]["Overdue"] > 0
                       and c["ContactStatus"] == "ACTIVE"
                       and c["ContactID"] != self.contact["ContactID"])
        customer = self.linked_account(overdue)
        customer.xero_link_id._xero_refresh_figures()
        self.env.invalidate_all()
        order = self.env["sale.order"].create({"partner_id": customer.id})
        self.assertTrue(order.xero_credit_warning)
        self.assertIn("overdue in Xero", order.xero_credit_warning_text)
