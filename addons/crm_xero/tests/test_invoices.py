"""Opportunities -> Xero draft invoices, as the salesperson: create, view,
update, the checks that refuse before any call, and clashes while invoicing."""
import requests

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_invoices_case import XeroInvoiceCase, plain


@tagged("post_install", "-at_install", "crm_xero")
class TestCreateInvoice(XeroInvoiceCase):

    def test_create_draft_invoice_from_opportunity(self):
        wizard = self.open_wizard()
        accounts = wizard.choice_ids.filtered(lambda c: c.kind == "account")
        self.assertEqual(accounts.mapped("code"), ["200", "260", "270"],
                         "active revenue accounts only (280 is archived)")
        self.assertEqual(wizard.account_choice_id.code, "200")
        self.assertTrue(wizard.customer_in_xero)
        self.assertEqual(plain(wizard.totals), "$ 1,000.00 + tax $ 150.00 = $ 1,150.00")

        action = wizard.action_create()
        self.env.invalidate_all()

        self.assertEqual(action["params"]["type"], "success")
        lead = self.lead
        self.assertRegex(lead.xero_invoice_number, r"^INV-\d{4}$")
        self.assertIn(lead.xero_invoice_number, action["params"]["message"])
        self.assertEqual(lead.xero_invoice_status, "DRAFT")
        self.assertEqual(lead.xero_invoice_total, 1150.0, "Sales (200) carries 15% tax")
        self.assertEqual(lead.xero_invoice_amount_due, 1150.0)
        self.assertEqual(lead.xero_invoice_currency_id.name, "USD")
        self.assertEqual(lead.xero_invoice_account_code, "200")
        self.assertEqual(lead.xero_invoice_link_id.connection_id, self.xero_connection)
        note = lead.message_ids.filtered(lambda m: "created in Xero" in (m.body or ""))
        self.assertEqual(note.author_id, self.salesman.partner_id, "no email needed to log it")
        # Xero's side: one create, and the invoice is what the opportunity says.
        self.assertEqual(len(self.api_calls("PUT /Invoices")), 1)
        invoice = self.invoice_in_xero()
        self.assertEqual((invoice["Type"], invoice["Status"]), ("ACCREC", "DRAFT"))
        self.assertEqual(invoice["Contact"]["ContactID"], self.contact["ContactID"])
        self.assertEqual(invoice["InvoiceNumber"], lead.xero_invoice_number)
        self.assertEqual(invoice["LineAmountTypes"], "Exclusive")
        self.assertEqual(invoice["Reference"], "Website redesign")
        self.assertEqual(invoice["Url"], "%s/odoo/crm/%s" % (lead.get_base_url(), lead.id))
        [line] = invoice["LineItems"]
        self.assertEqual(line["Description"], "Website redesign\nSix pages and a blog")
        self.assertEqual((line["Quantity"], line["UnitAmount"], line["AccountCode"]),
                         (1, 1000, "200"))
        self.assertEqual((line["TaxType"], line["TaxAmount"]), ("OUTPUT", 150),
                         "the account's default tax")
        self.assertEqual(invoice["Total"], 1150)

    def test_the_account_picks_the_tax(self):
        wizard = self.choose(self.open_wizard(), "270")
        self.assertIn("tax $ 0.00", plain(wizard.totals))
        wizard.action_create()
        self.env.invalidate_all()
        invoice = self.invoice_in_xero()
        self.assertEqual(invoice["LineItems"][0]["AccountCode"], "270")
        self.assertEqual(invoice["TotalTax"], 0, "Interest Income is tax exempt in Xero")
        self.assertEqual(self.lead.xero_invoice_total, 1000.0)

    def test_tracking_and_branding_theme_go_on_the_invoice(self):
        self.create_invoice(tracking={"Region": "North", "Department": "Services"},
                            theme="Special projects")
        invoice = self.invoice_in_xero()
        themes = {t["Name"]: t["BrandingThemeID"] for t in
                  self.sandbox.branding_themes(self.tenant)}
        self.assertEqual(invoice["BrandingThemeID"], themes["Special projects"])
        tracking = {(t["Name"], t["Option"]) for t in invoice["LineItems"][0]["Tracking"]}
        self.assertEqual(tracking, {("Region", "North"), ("Department", "Services")})
        self.assertEqual(sorted(map(tuple, self.lead.xero_invoice_link_id.tracking)),
                         [("Department", "Services"), ("Region", "North")])

    def test_the_settings_defaults_are_proposed(self):
        themes = {t["Name"]: t["BrandingThemeID"] for t in
                  self.sandbox.branding_themes(self.tenant)}
        self.xero_connection.sudo().write({
            "invoice_account_code": "260", "invoice_tracking": [["Region", "South"]],
            "invoice_theme_id": themes["Special projects"]})
        wizard = self.open_wizard()
        self.assertEqual(wizard.account_choice_id.code, "260")
        chosen = {wizard.tracking_1_label: wizard.tracking_1_id.code,
                  wizard.tracking_2_label: wizard.tracking_2_id.code}
        self.assertEqual(chosen, {"Region": "South", "Department": False})
        self.assertEqual(wizard.theme_id.name, "Special projects")

    def test_an_archived_tracking_option_is_refused_before_sending(self):
        wizard = self.choose(self.open_wizard(), tracking={"Region": "North"})
        self.sandbox.set_tracking_option(self.tenant, "Region", "North", "ARCHIVED")
        self.expire_invoice_lists()
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, "option North of the Xero tracking category "
                                               "Region is archived"):
            wizard.action_create()
        self.assertFalse(self.api_calls("PUT /Invoices"))
        self.assertFalse(self.invoices_for())

    def test_xero_failing_while_the_wizard_recomputes_is_said_in_the_wizard(self):
        # The organisation's lists are old (kept 10 minutes for every worker):
        # changing the account reads them again, and Xero is down.
        wizard = self.open_wizard()
        other = wizard.choice_ids.filtered(
            lambda c: c.kind == "account" and c.code != wizard.account_choice_id.code)[:1]
        self.assertTrue(other, "the sandbox has two revenue accounts")
        self.expire_invoice_lists()
        self.sandbox.set_faults(error_next=20, error_status=503)
        wizard.account_choice_id = other
        self.assertEqual(wizard.problem, "Xero is having a problem on its side (error 503); "
                                         "try again in a few minutes.")
        self.assertFalse(self.invoices_for())
        self.sandbox.clear_faults()
        wizard.account_choice_id = other   # the same choice, once Xero is back
        wizard.invalidate_recordset(["problem", "totals"])
        self.assertFalse(wizard.problem)
        self.assertTrue(wizard.totals)

    def test_organisation_lists_are_read_once_then_cached(self):
        self.open_wizard()
        other = self.new_opportunity("Hosting", 300.0)
        self.create_invoice(other)
        for operation in ("GET /Accounts", "GET /Organisation", "GET /Items",
                          "GET /TrackingCategories", "GET /BrandingThemes"):
            self.assertEqual(len(self.api_calls(operation)), 1, operation)
        self.assertEqual(other.xero_invoice_status, "DRAFT")

    def test_view_opens_the_invoice_in_xero(self):
        self.create_invoice()
        self.sandbox.clear_calls()
        action = self.as_salesman(self.lead).action_xero_view_invoice()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("shortcode=%s" % self.xero_connection.short_code, action["url"])
        self.assertIn("InvoiceID=%s" % self.lead.xero_invoice_id, action["url"])
        self.assertEqual(self.api_calls(), [], "a link, not a call")
        page = requests.get(action["url"], timeout=10)   # the demo's Xero web page
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.lead.xero_invoice_number, page.text)

    def test_customer_not_in_xero_is_exported_first(self):
        customer = self.env["res.partner"].create({"name": "Brand New Client Ltd",
                                                   "is_company": True})
        person = self.env["res.partner"].create({"name": "Ada Lovelace", "parent_id": customer.id,
                                                 "email": "ada@example.com"})
        lead = self.new_opportunity("Audit", 500.0, partner=person)
        wizard = self.open_wizard(lead)
        self.assertFalse(wizard.customer_in_xero)
        self.assertEqual(wizard.customer_id, customer)
        self.assertEqual(wizard.main_person_id, person)

        wizard.action_create()
        self.env.invalidate_all()

        [contact] = self.xero_contacts(name="Brand New Client Ltd")
        self.assertEqual(contact["FirstName"], "Ada")
        self.assertEqual(self.invoice_in_xero(lead)["Contact"]["ContactID"], contact["ContactID"])
        self.assertEqual(lead.xero_invoice_status, "DRAFT")
        self.assertEqual(customer.xero_contact_id, contact["ContactID"])

    def test_a_name_clash_while_invoicing_offers_the_link_and_goes_on(self):
        taken = self.active_contact(3)
        customer = self.env["res.partner"].create({"name": taken["Name"].upper(),
                                                   "is_company": True})
        lead = self.new_opportunity("Catering", 400.0, partner=customer)
        wizard = self.open_wizard(lead)

        action = wizard.action_create()

        self.assertEqual(action["res_model"], "xero.invoice.wizard", "the same dialog, a choice")
        self.assertEqual(wizard.state, "clash")
        self.assertIn("already has a contact named %s" % taken["Name"], wizard.clash_message)
        self.assertFalse(self.api_calls("PUT /Contacts"))
        self.assertFalse(self.api_calls("PUT /Invoices"))

        result = wizard.action_link_and_create()
        self.env.invalidate_all()

        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(customer.xero_contact_id, taken["ContactID"])
        self.assertEqual(self.invoice_in_xero(lead)["Contact"]["ContactID"], taken["ContactID"])
        self.assertEqual(len(self.xero_contacts(name=taken["Name"])), 1)

    def test_invoice_in_an_enabled_foreign_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.company.currency_id = eur
        self.create_invoice()
        self.assertEqual(self.invoice_in_xero()["CurrencyCode"], "EUR")
        self.assertEqual(self.lead.xero_invoice_currency_id, eur)


@tagged("post_install", "-at_install", "crm_xero")
class TestInvoiceRefusals(XeroInvoiceCase):
    """What refuses before any call, in words a salesperson acts on."""

    def refused(self, pattern, lead=None):
        with self.assertRaisesRegex(UserError, pattern):
            self.create_invoice(lead)
        self.assertFalse(self.api_calls("PUT /Invoices"))
        self.assertFalse(self.api_calls("PUT /Contacts"))

    def test_negative_revenue_is_refused_clearly(self):
        self.lead.expected_revenue = -500.0
        self.refused("less than zero")
        self.assertFalse(self.invoices_for())

    def test_no_revenue(self):
        self.lead.expected_revenue = 0
        self.refused("nothing to invoice")

    def test_no_customer(self):
        self.lead.partner_id = False
        with self.assertRaisesRegex(UserError, "customer first"):
            self.as_salesman(self.lead).action_xero_create_invoice()

    def test_customer_archived_in_xero(self):
        self.customer.xero_link_id.sudo().contact_status = "ARCHIVED"
        self.refused("archived in Xero")

    def test_currency_not_enabled_in_xero(self):
        jpy = self.env.ref("base.JPY")
        jpy.active = True
        self.company.currency_id = jpy
        self.refused("does not use")

    def test_needs_reconnect(self):
        self.xero_connection.sudo().state = "needs_reconnect"
        with self.assertRaisesRegex(UserError, "Reconnect Xero in Settings"):
            self.as_salesman(self.lead).action_xero_create_invoice()
        self.assertFalse(self.sandbox.calls())

    def test_another_salesperson_may_not_invoice_my_opportunity(self):
        other = new_test_user(self.env, "xero_other_salesman", name="Other Salesman",
                              groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            self.lead.with_user(other).action_xero_create_invoice()
        self.assertFalse(self.sandbox.calls())


@tagged("post_install", "-at_install", "crm_xero")
class TestUpdateInvoice(XeroInvoiceCase):

    def test_update_sends_the_opportunity_as_it_is_now(self):
        self.create_invoice(tracking={"Region": "South"})
        invoice_id = self.lead.xero_invoice_id
        self.lead.write({"name": "Website redesign and SEO", "expected_revenue": 2000.0})
        self.env.flush_all()
        self.sandbox.clear_calls()

        action = self.as_salesman(self.lead).action_xero_update_invoice()
        self.env.invalidate_all()

        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.lead.xero_invoice_total, 2300.0)
        self.assertEqual(self.lead.xero_invoice_id, invoice_id)
        self.assertEqual([c["operation"] for c in self.api_calls()],
                         ["GET /Invoices/{id}", "POST /Invoices/{id}"],
                         "status first, then the update")
        invoice = self.invoice_in_xero()
        self.assertEqual((invoice["Status"], invoice["Total"]), ("DRAFT", 2300))
        self.assertEqual(invoice["Reference"], "Website redesign and SEO")
        [line] = invoice["LineItems"]
        self.assertEqual((line["UnitAmount"], line["AccountCode"]), (2000, "200"))
        self.assertEqual([(t["Name"], t["Option"]) for t in line["Tracking"]],
                         [("Region", "South")], "the invoice keeps its tracking")
        self.assertEqual(len(self.invoices_for()), 1)

    def test_update_refused_once_xero_approved_it(self):
        self.create_invoice()
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id)
        self.lead.expected_revenue = 5000.0
        self.env.flush_all()
        self.sandbox.clear_calls()

        action = self.as_salesman(self.lead).action_xero_update_invoice()
        self.env.invalidate_all()

        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("no longer a draft", action["params"]["message"])
        self.assertEqual(self.lead.xero_invoice_status, "AUTHORISED", "status refreshed first")
        self.assertEqual([c["operation"] for c in self.api_calls()][:1], ["GET /Invoices/{id}"])
        invoice = self.invoice_in_xero()
        self.assertEqual((invoice["Status"], invoice["Total"]), ("AUTHORISED", 1150))

    def test_update_without_invoice_is_refused(self):
        with self.assertRaisesRegex(UserError, "no Xero invoice"):
            self.as_salesman(self.lead).action_xero_update_invoice()
        self.assertEqual(self.api_calls(), [])
