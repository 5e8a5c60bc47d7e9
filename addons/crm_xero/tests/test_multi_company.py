"""Each company's Xero is its own: an account or an opportunity goes to its
own company's organisation, whichever company is current; connection actions
are for Xero managers of that very company, checked before any call."""
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .xero_case import XeroHttpCase


@tagged("post_install", "-at_install", "crm_xero")
class TestEachCompanysXero(XeroHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B (UK)",
                                                       "currency_id": cls.env.ref("base.GBP").id})
        admin = cls.env.ref("base.user_admin")
        admin.company_ids |= cls.company_b
        both = (cls.company | cls.company_b).ids
        cls.both_salesman = new_test_user(
            cls.env, "xero_both_salesman", groups="sales_team.group_sale_salesman",
            email=False, company_id=cls.company.id, company_ids=[(6, 0, both)])
        cls.manager_b = new_test_user(
            cls.env, "xero_manager_b", groups="crm_xero.group_xero_manager,base.group_user",
            company_id=cls.company_b.id, company_ids=[(6, 0, cls.company_b.ids)])

    def setUp(self):
        super().setUp()
        self.connection_a = self.connect()
        self.connection_b = self.connect(company=self.company_b,
                                         tenant_ids=[self.second_org["tenant_id"]])
        self.sandbox.clear_calls()

    def in_both(self, user):
        """``user`` with both companies allowed and A current, as the switcher does."""
        return self.env(user=user, context={"allowed_company_ids": [self.company.id,
                                                                    self.company_b.id]})

    def test_an_account_of_company_b_goes_to_bs_organisation(self):
        env = self.in_both(self.both_salesman)
        account = self.env["res.partner"].create({"name": "British Customer Ltd",
                                                  "is_company": True,
                                                  "company_id": self.company_b.id})
        wizard = env["xero.export.wizard"].with_context(default_partner_id=account.id).create({})
        wizard.action_export()
        self.env.invalidate_all()
        self.assertEqual([c["tenant_id"] for c in self.api_calls("PUT /Contacts")],
                         [self.second_org["tenant_id"]])
        self.assertFalse(self.xero_contacts(tenant=self.tenant, name="British Customer Ltd"))
        [contact] = self.xero_contacts(tenant=self.second_org["tenant_id"],
                                       name="British Customer Ltd")
        link = self.env["xero.contact.link"].search([("partner_id", "=", account.id)])
        self.assertEqual(link.connection_id, self.connection_b)
        self.assertEqual(link.contact_id, contact["ContactID"])

    def test_an_account_of_a_company_without_xero_is_refused_clearly(self):
        company_c = self.env["res.company"].create({"name": "Company C"})
        self.env.ref("base.user_admin").company_ids |= company_c
        account = self.env["res.partner"].create({"name": "Nowhere Ltd", "is_company": True,
                                                  "company_id": company_c.id})
        with self.assertRaisesRegex(UserError, "belongs to Company C, which is not connected"):
            account.with_context(allowed_company_ids=[self.company.id, company_c.id]) \
                .action_xero_export()
        self.assertFalse(self.sandbox.calls())

    def test_an_opportunity_of_company_b_invoices_in_bs_organisation(self):
        contact = next(c for c in self.xero_contacts(tenant=self.second_org["tenant_id"])
                       if c["ContactStatus"] == "ACTIVE")
        customer = self.env["res.partner"].create({"name": contact["Name"], "is_company": True,
                                                   "company_id": self.company_b.id})
        self.env["xero.contact.link"].create({
            "connection_id": self.connection_b.id, "partner_id": customer.id,
            **self.env["xero.contact.link"]._xero_link_values(contact)})
        lead = self.env["crm.lead"].create({
            "name": "UK deal", "type": "opportunity", "expected_revenue": 100,
            "partner_id": customer.id, "company_id": self.company_b.id,
            "user_id": self.both_salesman.id})
        env = self.in_both(self.both_salesman)
        action = lead.with_env(env).action_xero_create_invoice()
        env[action["res_model"]].browse(action["res_id"]).action_create()
        self.env.invalidate_all()
        self.assertEqual([c["tenant_id"] for c in self.api_calls("PUT /Invoices")],
                         [self.second_org["tenant_id"]])
        invoice = self.xero_invoice(lead.xero_invoice_id, tenant=self.second_org["tenant_id"])
        self.assertEqual(invoice["CurrencyCode"], "GBP")

    def b_customer_and_deal(self, name="UK quote"):
        contact = next(c for c in self.xero_contacts(tenant=self.second_org["tenant_id"])
                       if c["ContactStatus"] == "ACTIVE")
        customer = self.env["res.partner"].create({"name": contact["Name"], "is_company": True,
                                                   "company_id": self.company_b.id})
        self.env["xero.contact.link"].create({
            "connection_id": self.connection_b.id, "partner_id": customer.id,
            **self.env["xero.contact.link"]._xero_link_values(contact)})
        return self.env["crm.lead"].create({
            "name": name, "type": "opportunity", "expected_revenue": 400,
            "partner_id": customer.id, "company_id": self.company_b.id,
            "user_id": self.both_salesman.id})

    def test_a_quote_of_company_b_goes_to_bs_organisation_and_stays_there(self):
        lead = self.b_customer_and_deal()
        env = self.in_both(self.both_salesman)
        action = lead.with_env(env).action_xero_create_quote()
        env[action["res_model"]].browse(action["res_id"]).action_create()
        self.env.invalidate_all()
        self.assertEqual([c["tenant_id"] for c in self.api_calls("PUT /Quotes")],
                         [self.second_org["tenant_id"]])
        quote = self.sandbox.quote(self.second_org["tenant_id"], lead.xero_quote_id)
        self.assertEqual((quote["CurrencyCode"], quote["SubTotal"]), ("GBP", 400))
        self.assertEqual(lead.xero_quote_link_id.connection_id, self.connection_b)
        # A salesperson of company A alone never sees, nor touches, B's quote.
        only_a = new_test_user(self.env, "xero_only_a", groups="sales_team.group_sale_salesman",
                               email=False, company_id=self.company.id)
        self.sandbox.clear_calls()
        for method in ("action_xero_update_quote", "action_xero_refresh_quote",
                       "action_xero_attach_quote_pdf", "action_xero_create_invoice"):
            with self.assertRaises(UserError, msg=method):   # AccessError is one too
                getattr(lead.with_user(only_a).with_context(
                    allowed_company_ids=[self.company.id]), method)()
        self.assertFalse(self.api_calls(), "refused before any call")

    def test_the_wizard_never_takes_an_organisation_the_client_names(self):
        lead = self.b_customer_and_deal()
        env = self.in_both(self.both_salesman)
        action = lead.with_env(env).action_xero_create_invoice()
        wizard = env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.connection_id, self.connection_b)
        with self.assertRaisesRegex(UserError, "its own company's Xero organisation only"):
            wizard.write({"connection_id": self.connection_a.id})
        self.assertFalse(self.api_calls("PUT /Invoices"))

    def test_a_manager_of_b_cannot_touch_as_connection(self):
        before = self.sandbox.stats()
        connection_a = self.connection_a.with_user(self.manager_b).with_context(
            allowed_company_ids=[self.company_b.id])
        nonce = self.connection_a.sudo().oauth_nonce
        for action in ("action_connect", "action_reconnect", "action_disconnect",
                       "action_import", "action_xero_remove"):
            with self.assertRaises(AccessError, msg=action):
                getattr(connection_a, action)()
        wizard = self.env["xero.disconnect.wizard"].create({"connection_id": self.connection_a.id})
        with self.assertRaises(AccessError):
            wizard.with_user(self.manager_b).with_context(
                allowed_company_ids=[self.company_b.id]).action_confirm()
        self.env.invalidate_all()
        self.assertEqual(self.connection_a.state, "connected")
        self.assertEqual(self.connection_a.sudo().oauth_nonce, nonce, "A's round trip untouched")
        after = self.sandbox.stats()
        self.assertEqual(after["revocations"], before["revocations"], "nothing revoked at Xero")
        self.assertEqual(after["by_operation"].get("DELETE /connections/{id}"),
                         before["by_operation"].get("DELETE /connections/{id}"))
        # ... and B's own connection is theirs to manage.
        action = self.connection_b.with_user(self.manager_b).with_context(
            allowed_company_ids=[self.company_b.id]).action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
