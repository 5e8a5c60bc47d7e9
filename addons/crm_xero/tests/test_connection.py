"""Settings > CRM > Xero: connect, choose, reconnect, disconnect (over HTTP)."""
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..xero import oauth
from .xero_case import XeroHttpCase


@tagged("post_install", "-at_install", "crm_xero")
class TestConnect(XeroHttpCase):

    def test_setup_allow_access_links_the_company(self):
        consent_url = self.start_consent()
        query = parse_qs(urlparse(consent_url).query)
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertIn("accounting.invoices", query["scope"][0].split())

        location, _q = self.sandbox.consent(consent_url)
        response = self.back_from_xero(location)

        self.assertEqual(response.status_code, 303)
        self.assertIn("/odoo/settings#crm_xero_connection", response.headers["Location"])
        connection = self.connection()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.tenant_id, self.demo_org["tenant_id"])
        self.assertEqual(connection.tenant_name, "Demo Company (Global)")
        self.assertEqual(connection.short_code, self.demo_org["short_code"])
        self.assertEqual(connection.base_currency, "USD")
        self.assertEqual(connection.connected_by_id, self.env.ref("base.user_admin"))
        self.assertIn("is connected to the Xero organisation", connection.status_message)
        # Xero's side: one code exchange, and the stored token sees the organisation.
        self.assertEqual(self.sandbox.stats()["token_requests"]["authorization_code"], 1)
        granted = oauth.list_connections(connection._xero_endpoints(),
                                         connection.sudo().access_token)
        self.assertEqual([c["tenantId"] for c in granted], [self.demo_org["tenant_id"]])

    def test_settings_show_the_organisation(self):
        self.connect()
        admin = self.env.ref("base.user_admin")
        settings = self.env["res.config.settings"].with_user(admin).create({})
        self.assertEqual(settings.xero_state, "connected")
        self.assertEqual(settings.xero_tenant_name, "Demo Company (Global)")
        self.assertEqual(settings.xero_refresh_token_age, "used today")
        self.assertTrue(settings.xero_redirect_uri.endswith("/crm_xero/oauth/callback"))

    def test_cancel_at_xero_changes_nothing(self):
        location, query = self.sandbox.consent(self.start_consent(), decision="cancel")
        self.assertEqual(query["error"], "access_denied")
        self.back_from_xero(location)
        connection = self.connection()
        self.assertEqual(connection.state, "not_connected")
        self.assertFalse(connection.sudo().refresh_token)
        self.assertIn("not granted", connection.status_message)
        self.assertEqual(self.sandbox.stats()["token_requests"]["authorization_code"], 0)

    def test_replayed_callback_is_refused(self):
        connection = self.connection()
        location, _q = self.sandbox.consent(self.start_consent(connection))
        self.back_from_xero(location)
        tokens = connection.sudo().read(["access_token", "refresh_token"])
        self.back_from_xero(location)
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.sudo().read(["access_token", "refresh_token"]), tokens)
        # What the admin reads agrees with the badge: connected, nothing changed.
        self.assertIn("already used", connection.status_message)
        self.assertIn("is connected to Demo Company (Global)", connection.status_message)
        self.assertEqual(connection.status_level, "info")
        self.assertEqual(self.sandbox.stats()["token_requests"]["authorization_code"], 1)

    def test_tampered_state_is_refused(self):
        location, query = self.sandbox.consent(self.start_consent())
        forged = location.replace(query["state"], query["state"][:-4] + "0000")
        self.back_from_xero(forged)
        self.assertEqual(self.connection().state, "not_connected")
        self.assertIn("not valid", self.connection().status_message)
        self.assertEqual(self.sandbox.stats()["token_requests"]["authorization_code"], 0)

    def test_expired_state_is_refused(self):
        connection = self.connection()
        location, _q = self.sandbox.consent(self.start_consent(connection))
        connection.sudo().oauth_started_at = fields.Datetime.now() - timedelta(minutes=20)
        self.back_from_xero(location)
        self.assertEqual(connection.state, "not_connected")
        self.assertIn("expired", connection.status_message)

    def test_another_users_callback_is_refused(self):
        connection = self.connection()
        location, _q = self.sandbox.consent(self.start_consent(connection))
        self.authenticate("xero_manager", "xero_manager")
        self.back_from_xero(location)
        self.assertEqual(connection.state, "not_connected")
        self.assertIn("another user", connection.status_message)
        # The admin who started can still finish.
        self.authenticate("admin", "admin")
        self.back_from_xero(location)
        self.assertEqual(connection.state, "connected")

    def test_a_used_code_while_connected_says_the_connection_is_fine(self):
        """Setup again while connected, and Xero's answer carries a code that
        was already spent: the existing connection is unchanged and said so."""
        connection = self.connect()
        location, query = self.sandbox.consent(self.start_consent(connection))
        self.back_from_xero(location)
        location2, query2 = self.sandbox.consent(self.start_consent(connection))
        spent = location2.replace(query2["code"], query["code"])
        self.back_from_xero(spent)
        self.assertEqual(connection.state, "connected")
        self.assertIn("already used or has expired", connection.status_message)
        self.assertIn("unchanged and working", connection.status_message)
        self.assertNotIn("reconnect", connection.status_message.lower())

    def test_setup_again_clears_the_last_outcome(self):
        """Back from Xero's page without finishing must not show an old banner."""
        connection = self.connection()
        location, _q = self.sandbox.consent(self.start_consent(connection), decision="cancel")
        self.back_from_xero(location)
        self.assertIn("Cancel was pressed", connection.status_message)
        self.start_consent(connection)
        self.assertFalse(connection.status_message)

    def test_after_remove_integration_reconnect_is_offered(self):
        connection = self.connect()
        admin = self.env.ref("base.user_admin")
        connection.with_user(admin).action_disconnect()
        settings = self.env["res.config.settings"].with_user(admin).create({})
        self.assertEqual(settings.xero_state, "not_connected")
        self.assertTrue(settings.xero_can_reconnect, "the organisation is remembered")
        self.assertIn("Reconnect", connection.status_message)

    def test_callback_lands_on_the_xero_block(self):
        location, _q = self.sandbox.consent(self.start_consent())
        response = self.back_from_xero(location)
        self.assertTrue(response.headers["Location"].endswith("/odoo/settings#crm_xero_connection"))

    def test_salesperson_cannot_reach_the_callback(self):
        location, _q = self.sandbox.consent(self.start_consent())
        self.authenticate("xero_salesman", "xero_salesman")
        response = self.back_from_xero(location)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.connection().state, "not_connected")


@tagged("post_install", "-at_install", "crm_xero")
class TestChooseOrganisation(XeroHttpCase):

    def choose(self, connection, tenant_id, confirm=False):
        choice = connection.choice_ids.filtered(lambda c: c.tenant_id == tenant_id)
        Wizard = self.env["xero.organisation.wizard"].with_user(self.env.ref("base.user_admin"))
        wizard = Wizard.create({
            "connection_id": connection.id, "choice_id": choice.id, "confirm_clear_links": confirm,
        })
        return wizard.action_link()

    def test_several_organisations_granted_admin_chooses(self):
        both = [self.demo_org["tenant_id"], self.second_org["tenant_id"]]
        connection = self.connect(tenant_ids=both)
        self.assertEqual(connection.state, "not_connected")
        self.assertEqual(sorted(connection.choice_ids.mapped("tenant_name")),
                         ["Demo Company (Global)", "Sandbox Second Org Ltd"])
        self.assertIn("Choose which Xero organisation", connection.status_message)

        self.choose(connection, self.second_org["tenant_id"])
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.tenant_name, "Sandbox Second Org Ltd")
        self.assertEqual(connection.base_currency, "GBP")
        self.assertFalse(connection.choice_ids)

    def test_discarding_the_choice_changes_nothing(self):
        connection = self.connect(tenant_ids=[self.demo_org["tenant_id"],
                                              self.second_org["tenant_id"]])
        wizard = self.env["xero.organisation.wizard"].create({"connection_id": connection.id})
        wizard.with_user(self.env.ref("base.user_admin")).action_discard()
        self.assertFalse(connection.choice_ids)
        self.assertFalse(connection.sudo().pending_token)
        self.assertEqual(connection.state, "not_connected")

    def test_reconnecting_the_same_organisation_carries_on(self):
        connection = self.connect()
        connection.with_user(self.env.ref("base.user_admin")).action_disconnect()
        self.assertEqual(connection.tenant_id, self.demo_org["tenant_id"], "the link is kept")
        self.connect()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.tenant_id, self.demo_org["tenant_id"])
        self.assertFalse(connection.choice_ids)

    def test_another_organisation_needs_an_explicit_choice(self):
        connection = self.connect()
        self.connect(tenant_ids=[self.second_org["tenant_id"]])
        # Still on the first organisation until the admin confirms.
        self.assertEqual(connection.tenant_id, self.demo_org["tenant_id"])
        self.assertIn("clears those links", connection.status_message)
        with self.assertRaisesRegex(UserError, "clears those links"):
            self.choose(connection, self.second_org["tenant_id"])
        self.assertEqual(connection.tenant_id, self.demo_org["tenant_id"])

        self.choose(connection, self.second_org["tenant_id"], confirm=True)
        self.assertEqual(connection.tenant_id, self.second_org["tenant_id"])
        self.assertEqual(connection.tenant_name, "Sandbox Second Org Ltd")

    def test_two_companies_on_two_organisations(self):
        other_company = self.env["res.company"].create({"name": "Second Branch"})
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= other_company
        self.env = self.env(context=dict(self.env.context,
                                         allowed_company_ids=(self.company | other_company).ids))
        first = self.connect()
        second = self.connect(company=other_company, tenant_ids=[self.second_org["tenant_id"]])
        self.assertEqual(first.tenant_name, "Demo Company (Global)")
        self.assertEqual(second.tenant_name, "Sandbox Second Org Ltd")
        names = {c.company_id.name: c._xero_call(lambda gw: gw.get_organisation())["Name"]
                 for c in first | second}
        self.assertEqual(names, {self.company.name: "Demo Company (Global)",
                                 "Second Branch": "Sandbox Second Org Ltd"})
        tenants = {call["tenant_id"] for call in self.sandbox.calls()
                   if "/api.xro/" in call["path"]}
        self.assertEqual(tenants, {self.demo_org["tenant_id"], self.second_org["tenant_id"]})
