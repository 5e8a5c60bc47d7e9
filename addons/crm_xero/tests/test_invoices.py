"""Opportunities -> Xero draft invoices: create, view, update, exactly once."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..xero.pacing import DEFAULT_PACER
from .test_invoices_case import XeroInvoiceCase


def ours(invoices):
    return [i for i in invoices if (i.get("Reference") or "").startswith("CRM #")]


@tagged("post_install", "-at_install", "crm_xero")
class TestCreateInvoice(XeroInvoiceCase):

    def test_create_draft_invoice_from_opportunity(self):
        wizard = self.open_wizard()
        self.assertEqual(wizard.account_choice_ids.mapped("code"), ["200", "260", "270"],
                         "active revenue accounts only (280 is archived)")
        self.assertEqual(wizard.account_code, "200")
        self.assertTrue(wizard.customer_in_xero)

        action = wizard.action_create()

        self.assertEqual(action["params"]["type"], "success")
        lead = self.lead
        self.assertTrue(lead.xero_invoice_id)
        self.assertRegex(lead.xero_invoice_number, r"^INV-\d{4}$")
        self.assertEqual(lead.xero_invoice_status, "DRAFT")
        self.assertEqual(lead.xero_invoice_total, 1150.0, "Sales (200) carries 15% tax by default")
        self.assertEqual(lead.xero_invoice_amount_due, 1150.0)
        self.assertEqual(lead.xero_invoice_currency_id.name, "USD")
        self.assertEqual(lead.xero_invoice_account_code, "200")
        self.assertEqual(lead.xero_connection_id, self.xero_connection)
        self.assertTrue(lead.xero_invoice_refreshed_at)
        self.assertFalse(lead.xero_invoice_idempotency_key)
        self.assertIn("created in Xero", lead.message_ids[0].body)
        # Xero's side: one create, and the invoice is what the opportunity says.
        self.assertEqual(len(self.api_calls("PUT /Invoices")), 1)
        invoice = self.xero_invoice()
        self.assertEqual((invoice["Type"], invoice["Status"]), ("ACCREC", "DRAFT"))
        self.assertEqual(invoice["Contact"]["ContactID"], self.contact["ContactID"])
        self.assertEqual(invoice["InvoiceNumber"], lead.xero_invoice_number)
        self.assertEqual(invoice["LineAmountTypes"], "Exclusive")
        self.assertEqual(invoice["CurrencyCode"], "USD")
        self.assertEqual(invoice["Reference"], "CRM #%s Website redesign" % lead.id)
        self.assertEqual(invoice["Url"], "%s/odoo/crm/%s" % (lead.get_base_url(), lead.id))
        [line] = invoice["LineItems"]
        self.assertEqual(line["Description"], "Website redesign\nSix pages and a blog")
        self.assertEqual((line["Quantity"], line["UnitAmount"], line["AccountCode"]), (1, 1000, "200"))
        self.assertEqual((line["TaxType"], line["TaxAmount"]), ("OUTPUT", 150), "the account's default")
        self.assertEqual(invoice["Total"], 1150)

    def test_the_account_picks_the_tax(self):
        self.create_invoice(code="270")
        invoice = self.xero_invoice()
        self.assertEqual(invoice["LineItems"][0]["AccountCode"], "270")
        self.assertEqual(invoice["TotalTax"], 0, "Interest Income is tax exempt in Xero")
        self.assertEqual(self.lead.xero_invoice_total, 1000.0)

    def test_revenue_accounts_are_read_once_then_cached(self):
        self.open_wizard()
        other = self.new_opportunity("Hosting", 300.0)
        self.create_invoice(other)
        self.assertEqual(len(self.api_calls("GET /Accounts")), 1)
        self.assertEqual(len(self.api_calls("GET /Organisation")), 1)
        self.assertEqual(other.xero_invoice_status, "DRAFT")

    def test_view_opens_the_invoice_in_xero(self):
        self.create_invoice()
        self.sandbox.clear_calls()
        action = self.lead.action_xero_view_invoice()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], self.lead.xero_invoice_url)
        self.assertIn("shortcode=%s" % self.xero_connection.short_code.replace("!", "!"), action["url"])
        self.assertIn("InvoiceID=%s" % self.lead.xero_invoice_id, action["url"])
        self.assertEqual(self.api_calls(), [], "a link, not a call")

    def test_customer_not_in_xero_is_exported_first(self):
        customer = self.env["res.partner"].create({"name": "Brand New Client Ltd", "is_company": True})
        person = self.env["res.partner"].create({"name": "Ada Lovelace", "parent_id": customer.id,
                                                 "email": "ada@example.com"})
        lead = self.new_opportunity("Audit", 500.0, partner=person)
        wizard = self.open_wizard(lead)
        self.assertFalse(wizard.customer_in_xero)
        self.assertEqual(wizard.customer_id, customer)
        self.assertEqual(wizard.main_person_id, person)

        wizard.action_create()

        contact = self.xero().get_contacts(where='Name=="Brand New Client Ltd"')["Contacts"]
        self.assertEqual(len(contact), 1)
        self.assertEqual(contact[0]["FirstName"], "Ada")
        self.assertEqual(self.xero_invoice(lead)["Contact"]["ContactID"], contact[0]["ContactID"])
        self.assertEqual(lead.xero_invoice_status, "DRAFT")
        self.assertEqual(customer.xero_contact_id, contact[0]["ContactID"])

    def test_invoice_in_an_enabled_foreign_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.company.currency_id = eur
        self.create_invoice()
        self.assertEqual(self.xero_invoice()["CurrencyCode"], "EUR")
        self.assertEqual(self.lead.xero_invoice_currency_id, eur)


@tagged("post_install", "-at_install", "crm_xero")
class TestUpdateInvoice(XeroInvoiceCase):

    def test_update_sends_the_opportunity_as_it_is_now(self):
        self.create_invoice()
        invoice_id = self.lead.xero_invoice_id
        self.lead.write({"name": "Website redesign and SEO", "expected_revenue": 2000.0})
        self.sandbox.clear_calls()

        action = self.lead.action_xero_update_invoice()

        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.lead.xero_invoice_total, 2300.0)
        self.assertEqual(self.lead.xero_invoice_id, invoice_id)
        self.assertEqual([c["operation"] for c in self.api_calls()],
                         ["GET /Invoices/{id}", "POST /Invoices/{id}"], "status first, then the update")
        invoice = self.xero_invoice()
        self.assertEqual(invoice["Status"], "DRAFT")
        self.assertEqual(invoice["Total"], 2300)
        self.assertEqual(invoice["Reference"], "CRM #%s Website redesign and SEO" % self.lead.id)
        [line] = invoice["LineItems"]
        self.assertEqual((line["UnitAmount"], line["AccountCode"]), (2000, "200"))
        self.assertTrue(line["Description"].startswith("Website redesign and SEO"))
        self.assertEqual(len(ours(self.invoices_of(self.contact["ContactID"]))), 1)

    def test_update_refused_once_xero_approved_it(self):
        self.create_invoice()
        self.authorise_in_xero()
        self.lead.expected_revenue = 5000.0
        self.sandbox.clear_calls()

        action = self.lead.action_xero_update_invoice()

        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("no longer a draft", action["params"]["message"])
        self.assertEqual(self.lead.xero_invoice_status, "AUTHORISED", "status refreshed first")
        self.assertEqual([c["operation"] for c in self.api_calls()], ["GET /Invoices/{id}"])
        invoice = self.xero_invoice()
        self.assertEqual((invoice["Status"], invoice["Total"]), ("AUTHORISED", 1150))

    def test_update_without_invoice_is_refused(self):
        with self.assertRaisesRegex(UserError, "no Xero invoice"):
            self.lead.action_xero_update_invoice()
        self.assertEqual(self.api_calls(), [])


@tagged("post_install", "-at_install", "crm_xero")
class TestExactlyOnce(XeroInvoiceCase):

    def test_lost_answer_is_replayed_not_duplicated(self):
        self.open_wizard()
        self.sandbox.set_faults(tenant_id=self.demo_org["tenant_id"], drop_after_commit_next=1)
        self.sandbox.clear_calls()

        self.create_invoice()

        puts = self.api_calls("PUT /Invoices")
        self.assertEqual(len(puts), 2, "the answer was lost, the gateway retried")
        self.assertEqual(len({c["idempotency_key"] for c in puts}), 1)
        self.assertEqual(self.lead.xero_invoice_status, "DRAFT")
        mine = ours(self.invoices_of(self.contact["ContactID"]))
        self.assertEqual([i["InvoiceID"] for i in mine], [self.lead.xero_invoice_id])

    def test_unconfirmed_create_keeps_its_key_for_the_next_click(self):
        wizard = self.open_wizard()
        # Xero saves the invoice but the answer is lost; the retry is then refused
        # (429 with a long Retry-After): the button cannot know what happened.
        self.sandbox.set_faults(tenant_id=self.demo_org["tenant_id"], drop_after_commit_next=1,
                                rate_limit_every=2, retry_after=60)
        self.sandbox.clear_calls()

        action = wizard.action_create()

        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("will not make a second invoice", action["params"]["message"])
        self.assertFalse(self.lead.xero_invoice_id)
        key = self.lead.xero_invoice_idempotency_key
        self.assertTrue(key)
        self.sandbox.clear_faults()
        DEFAULT_PACER.reset()
        self.assertEqual(len(ours(self.invoices_of(self.contact["ContactID"]))), 1,
                         "Xero did save it")

        self.create_invoice()  # the salesperson clicks again

        puts = self.api_calls("PUT /Invoices")
        self.assertEqual([c["status"] for c in puts], [200, 429, 200])
        self.assertEqual({c["idempotency_key"] for c in puts}, {key})
        mine = ours(self.invoices_of(self.contact["ContactID"]))
        self.assertEqual([i["InvoiceID"] for i in mine], [self.lead.xero_invoice_id])
        self.assertEqual(self.lead.xero_invoice_status, "DRAFT")
        self.assertFalse(self.lead.xero_invoice_idempotency_key)

    def test_second_click_is_harmless(self):
        wizard = self.open_wizard()
        wizard.action_create()
        with self.assertRaisesRegex(UserError, "already has the Xero invoice"):
            wizard.action_create()
        with self.assertRaisesRegex(UserError, "already has the Xero invoice"):
            self.lead.action_xero_create_invoice()
        self.assertEqual(len(self.api_calls("PUT /Invoices")), 1)
        self.assertEqual(len(ours(self.invoices_of(self.contact["ContactID"]))), 1)
