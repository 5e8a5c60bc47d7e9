"""Bad input: a clear message, and nothing written in Odoo or in Xero."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_invoices_case import XeroInvoiceCase


@tagged("post_install", "-at_install", "crm_xero")
class TestInvoiceRefusals(XeroInvoiceCase):

    def assertNothingWritten(self, lead=None):
        lead = lead or self.lead
        self.assertFalse(lead.xero_invoice_id)
        self.assertFalse(lead.xero_invoice_status)
        self.assertFalse(lead.xero_invoice_idempotency_key)
        writes = [c for c in self.api_calls() if c["method"] in ("PUT", "POST")]
        self.assertEqual(writes, [], "nothing sent to Xero")

    def test_no_customer(self):
        lead = self.new_opportunity("No customer yet", 800.0)
        lead.partner_id = False
        with self.assertRaisesRegex(UserError, "Set the opportunity's customer"):
            lead.action_xero_create_invoice()
        self.assertNothingWritten(lead)

    def test_no_expected_revenue_and_no_quotation(self):
        self.lead.expected_revenue = 0.0
        wizard = self.open_wizard()
        with self.assertRaisesRegex(UserError, "nothing to invoice"):
            wizard.action_create()
        self.assertNothingWritten()

    def test_customer_archived_in_xero(self):
        archived = self.xero().get_contacts(where='ContactStatus=="ARCHIVED"',
                                            include_archived=True)["Contacts"][0]
        lead = self.new_opportunity("For an old client", 400.0, partner=self.linked_account(archived))
        wizard = self.open_wizard(lead)
        with self.assertRaisesRegex(UserError, "is archived in Xero"):
            wizard.action_create()
        self.assertNothingWritten(lead)
        self.assertEqual(self.xero().get_invoices(contact_ids=[archived["ContactID"]],
                                                  statuses=["DRAFT"])["Invoices"], [])

    def test_customer_archived_in_xero_since_it_was_linked(self):
        archived = self.xero().get_contacts(where='ContactStatus=="ARCHIVED"',
                                            include_archived=True)["Contacts"][0]
        partner = self.linked_account(dict(archived, ContactStatus="ACTIVE"))  # a stale link
        lead = self.new_opportunity("For an old client", 400.0, partner=partner)
        wizard = self.open_wizard(lead)
        with self.assertRaisesRegex(UserError, "is archived in Xero"):
            wizard.action_create()
        self.assertFalse(lead.xero_invoice_id)
        self.assertEqual([c["status"] for c in self.api_calls("PUT /Invoices")], [400],
                         "Xero refused it, nothing saved there")

    def test_archived_revenue_account(self):
        wizard = self.open_wizard()
        wizard.account_code = "280"  # e.g. a list read before 280 was archived
        with self.assertRaisesRegex(UserError, "280 Consulting Revenue \\(old\\) is archived"):
            wizard.action_create()
        self.assertNothingWritten()

    def test_unknown_revenue_account(self):
        wizard = self.open_wizard()
        wizard.account_code = "999"
        with self.assertRaisesRegex(UserError, "Xero has no account with code 999"):
            wizard.action_create()
        self.assertNothingWritten()

    def test_account_archived_in_xero_after_it_was_listed(self):
        wizard = self.open_wizard()
        # The cached list still says 280 is active; Xero knows better.
        settings = self.xero_connection._xero_invoice_settings()
        for account in settings["accounts"]:
            if account["Code"] == "280":
                account["Status"] = "ACTIVE"
        wizard.account_code = "280"
        with self.assertRaisesRegex(UserError, "account 280 Consulting Revenue \\(old\\) is archived"):
            wizard.action_create()
        self.assertFalse(self.lead.xero_invoice_id)
        self.assertEqual([c["status"] for c in self.api_calls("PUT /Invoices")], [400])

    def test_currency_not_enabled_in_xero(self):
        chf = self.env.ref("base.CHF")
        chf.active = True
        self.company.currency_id = chf
        wizard = self.open_wizard()
        with self.assertRaisesRegex(UserError, "in CHF, which the Xero organisation Demo Company "
                                               "\\(Global\\) does not use"):
            wizard.action_create()
        self.assertNothingWritten()

    def test_no_connection(self):
        other = self.env["res.company"].create({"name": "Unconnected Ltd"})
        lead = self.new_opportunity("Elsewhere", 100.0, company_id=other.id)
        self.assertFalse(lead.xero_connected)
        self.assertTrue(self.lead.xero_connected)
        with self.assertRaisesRegex(UserError, "Unconnected Ltd is not connected to Xero"):
            lead.action_xero_create_invoice()
        self.assertNothingWritten(lead)

    def test_needs_reconnect(self):
        self.xero_connection.sudo().state = "needs_reconnect"
        with self.assertRaisesRegex(UserError, "Reconnect Xero in Settings"):
            self.lead.action_xero_create_invoice()
        self.assertNothingWritten()
        self.assertEqual(self.api_calls(), [])

    def test_revoked_in_xero_asks_to_reconnect(self):
        self.sandbox.revoke_grants()
        self.sandbox.expire_tokens()
        with self.assertRaisesRegex(UserError, "Reconnect Xero in Settings"):
            self.lead.action_xero_create_invoice()
        self.assertFalse(self.lead.xero_invoice_id)
        self.assertEqual(self.xero_connection.state, "needs_reconnect")

    def test_salesperson_creates_the_invoice(self):
        lead = self.lead.with_user(self.salesman)
        self.lead.user_id = self.salesman
        self.create_invoice(lead)
        self.assertEqual(lead.xero_invoice_status, "DRAFT")
        self.assertEqual(self.xero_invoice()["Status"], "DRAFT")
