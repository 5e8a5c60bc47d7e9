"""Who may see and do what: secrets stay with system administrators."""
import logging

from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import JsonRpcException, new_test_user, tagged

from .common import CLIENT_SECRET
from .xero_case import XeroHttpCase


@tagged("post_install", "-at_install", "crm_xero")
class TestSecurity(XeroHttpCase):

    def test_salesperson_cannot_read_tokens_or_client_secret(self):
        connection = self.connect().with_user(self.salesman)
        self.assertEqual(connection.state, "connected", "the status itself is not secret")
        for field in ("access_token", "refresh_token", "pending_token", "oauth_verifier"):
            with self.assertRaises(AccessError, msg=field):
                connection.read([field])
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.salesman).get_param("crm_xero.client_secret")
        self.assertNotIn("access_token", connection.fields_get())

    def test_salesperson_cannot_call_manager_actions_over_rpc(self):
        connection = self.connect()
        self.authenticate("xero_salesman", "xero_salesman")
        for method in ("action_connect", "action_reconnect", "action_disconnect", "action_import"):
            with self.assertRaisesRegex(JsonRpcException, "AccessError", msg=method):
                self.make_jsonrpc_request("/web/dataset/call_kw", {
                    "model": "xero.connection", "method": method, "args": [[connection.id]],
                    "kwargs": {},
                })
        for field in ("refresh_token", "access_token"):
            with self.assertRaises(JsonRpcException, msg=field):
                self.make_jsonrpc_request("/web/dataset/call_kw", {
                    "model": "xero.connection", "method": "read",
                    "args": [[connection.id], [field]],
                    "kwargs": {},
                })
        self.env.invalidate_all()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(self.sandbox.stats()["revocations"], 0)

    def test_client_secret_is_never_shown_back(self):
        admin = self.env.ref("base.user_admin")
        self.env["res.config.settings"].with_user(admin).create(
            {"xero_client_secret": "s3cr3t-new"}).execute()
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("crm_xero.client_secret"),
                         "s3cr3t-new")
        settings = self.env["res.config.settings"].with_user(admin).create({})
        self.assertFalse(settings.xero_client_secret)
        self.assertTrue(settings.xero_client_secret_set)
        # Saving Settings without typing a secret keeps the stored one.
        settings.execute()
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("crm_xero.client_secret"),
                         "s3cr3t-new")

    def test_tokens_never_reach_the_logs(self):
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("odoo.addons.crm_xero").debug("capture start")
            connection = self.connect()
            first_pair = [connection.sudo().access_token, connection.sudo().refresh_token]
            self.sandbox.expire_tokens()
            connection._xero_call(lambda gw: gw.get_organisation())
        secrets = first_pair + [connection.sudo().access_token, connection.sudo().refresh_token,
                                CLIENT_SECRET]
        self.assertNotEqual(first_pair[1], secrets[3], "the refresh token rotated")
        # odoo.sql_db at DEBUG is Odoo's SQL trace (--log-sql), which prints every
        # value written to the database; every other logger must stay clean.
        leaks = [line.split(":")[:2] for line in logs.output
                 if any(secret in line for secret in secrets)
                 and not line.startswith("DEBUG:odoo.sql_db:")]
        self.assertEqual(leaks, [], "loggers that printed a token")

    def test_database_copies_forget_tokens(self):
        connection = self.connect()
        for query in get_neutralization_queries(["crm_xero"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(connection.sudo().access_token)
        self.assertFalse(connection.sudo().refresh_token)
        self.assertEqual(connection.state, "needs_reconnect")


@tagged("post_install", "-at_install", "crm_xero")
class TestRecordAccess(XeroHttpCase):

    def test_salesperson_cannot_forge_xero_ids(self):
        """The opportunity's invoice is its binding's, which only the Xero
        code writes: a salesperson writing it over RPC gets nowhere."""
        connection = self.connect()
        lead = self.env["crm.lead"].create({"name": "Forged", "type": "opportunity",
                                            "user_id": self.salesman.id})
        lead.with_user(self.salesman).write({"xero_invoice_id": "some-other-invoice"})
        self.env.invalidate_all()
        self.assertFalse(lead.xero_invoice_id, "no binding, nothing to point elsewhere")
        self.env["xero.invoice.link"].create({"connection_id": connection.id,
                                              "lead_id": lead.id, "invoice_id": "the-real-one"})
        self.env.invalidate_all()
        lead.with_user(self.salesman).write({"xero_invoice_id": "some-other-invoice"})
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.env["xero.invoice.link"].with_user(self.salesman).create(
                {"connection_id": connection.id, "lead_id": lead.id, "invoice_id": "x"})
        self.assertEqual(lead.xero_invoice_id, "the-real-one")
        with self.assertRaises(AccessError):
            self.env["xero.write"].with_user(self.salesman).search([])
        account = self.env["res.partner"].create({"name": "Forged Ltd", "is_company": True})
        link = self.env["xero.contact.link"].create(
            {"connection_id": connection.id, "partner_id": account.id})
        with self.assertRaises(AccessError):
            link.with_user(self.salesman).write({"contact_id": "some-other-contact"})
        with self.assertRaises(AccessError):
            self.env["xero.contact.link"].with_user(self.salesman).create(
                {"connection_id": connection.id, "partner_id": account.id, "contact_id": "x"})
        self.assertEqual(lead.xero_invoice_id, "the-real-one")
        self.assertFalse(link.contact_id)

    def test_xero_buttons_are_for_the_sales_team(self):
        self.connect()
        account = self.env["res.partner"].create({"name": "Employee View Ltd", "is_company": True})
        employee = new_test_user(self.env, "xero_employee", groups="base.group_user")
        self.sandbox.clear_calls()
        for action in ("action_xero_export", "action_xero_update", "action_xero_refresh_stats"):
            with self.assertRaises(AccessError, msg=action):
                getattr(account.with_user(employee), action)()
        self.assertFalse(account.with_user(employee).action_xero_check_link())
        self.assertFalse(self.sandbox.calls(), "nothing reached Xero")

    def test_salespeople_see_the_xero_invoices_of_the_opportunities_they_see(self):
        connection = self.connect()
        colleague = new_test_user(self.env, "xero_colleague",
                                  groups="sales_team.group_sale_salesman", email=False)
        Lead = self.env["crm.lead"]
        own = Lead.create({"name": "Own deal", "user_id": self.salesman.id})
        unassigned = Lead.create({"name": "Unassigned deal", "user_id": False})
        theirs = Lead.create({"name": "Colleague's deal", "user_id": colleague.id})
        Link = self.env["xero.invoice.link"]
        links = Link.create([{"connection_id": connection.id, "lead_id": lead.id,
                              "invoice_id": "inv-%s" % lead.id, "number": "INV-9%s" % lead.id}
                             for lead in own | unassigned | theirs])
        seen = Link.with_user(self.salesman).search([("id", "in", links.ids)])
        self.assertEqual(seen.lead_id, own | unassigned)
        with self.assertRaises(AccessError):
            Lead.with_user(self.salesman).xero_delete_confirmation(theirs.ids)
        self.assertIn("INV-9%s" % own.id,
                      Lead.with_user(self.salesman).xero_delete_confirmation(own.ids)["body"])
        sales_manager = new_test_user(self.env, "xero_sales_head",
                                      groups="sales_team.group_sale_manager")
        self.assertEqual(Link.with_user(sales_manager).search([("id", "in", links.ids)]).lead_id,
                         own | unassigned | theirs)

