"""Token refresh: single-use refresh tokens, races, revoked access."""
import threading
from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..xero import oauth
from ..xero.errors import XeroAuthError
from .xero_case import XeroHttpCase, XeroRealTransactionCase

THREADS = 8


@tagged("post_install", "-at_install", "crm_xero")
class TestRefreshRace(XeroRealTransactionCase):

    def setUp(self):
        super().setUp()
        with self.committed_env() as env:
            company = env["res.company"].create({"name": self.unique_name("Race Company")})
            connection = env["xero.connection"].create({
                "company_id": company.id, "state": "connected", "tenant_id": self.demo_org["tenant_id"],
                "tenant_name": self.demo_org["name"], "access_token": self.token["access_token"],
                "refresh_token": self.token["refresh_token"],
                # Expired for Odoo and for Xero: every thread wants a refresh.
                "token_expires_at": datetime.utcnow() - timedelta(minutes=1),
            })
            self.connection_id, self.company_id = connection.id, company.id
        self.sandbox.expire_tokens()
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.committed_env() as env:
            env["xero.connection"].browse(self.connection_id).unlink()
            env["res.company"].browse(self.company_id).unlink()

    def test_racing_threads_refresh_once_and_all_succeed(self):
        self.release_registry_lock()
        before = self.sandbox.stats()["token_requests"].get("refresh_token", 0)
        results, failures = [], []
        start = threading.Barrier(THREADS, timeout=30)

        def worker():
            try:
                with self.committed_env() as env:
                    connection = env["xero.connection"].browse(self.connection_id)
                    start.wait()
                    results.append(connection._xero_call(lambda gw: gw.get_organisation())["Name"])
            except Exception as exc:  # collected and asserted below
                failures.append(repr(exc))

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        self.assertEqual(failures, [])
        self.assertEqual(results, ["Demo Company (Global)"] * THREADS)
        self.assertEqual(self.sandbox.stats()["token_requests"]["refresh_token"] - before, 1)
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.connection_id)
            self.assertGreater(connection.token_expires_at, datetime.utcnow())
            self.assertEqual(connection.state, "connected")


@tagged("post_install", "-at_install", "crm_xero")
class TestRevokedAccess(XeroHttpCase):

    def test_revoked_in_xero_means_reconnect_and_nothing_lost(self):
        connection = self.connect()
        connection.sudo().token_expires_at = datetime.utcnow() - timedelta(minutes=1)
        self.sandbox.revoke_grants()

        with self.assertRaisesRegex(UserError, "Reconnect Xero in Settings"):
            connection._xero_call(lambda gw: gw.get_organisation())
        self.assertEqual(connection.state, "needs_reconnect")
        self.assertEqual(connection.tenant_id, self.demo_org["tenant_id"], "the link is kept")
        # Every Xero button now says the same, without calling Xero.
        calls = len(self.sandbox.calls())
        with self.assertRaisesRegex(UserError, "Reconnect Xero in Settings"):
            connection._xero_call(lambda gw: gw.get_organisation())
        self.assertEqual(len(self.sandbox.calls()), calls)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.xero_state, "needs_reconnect")

        self.connect()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection._xero_call(lambda gw: gw.get_organisation())["Name"],
                         "Demo Company (Global)")

    def test_expired_access_token_is_refreshed_and_rotated(self):
        connection = self.connect()
        old_refresh = connection.sudo().refresh_token
        self.sandbox.expire_tokens()
        connection.sudo().token_expires_at = datetime.utcnow()
        self.assertEqual(connection._xero_call(lambda gw: gw.get_organisation())["Name"],
                         "Demo Company (Global)")
        self.assertNotEqual(connection.sudo().refresh_token, old_refresh)
        self.assertEqual(self.sandbox.stats()["token_requests"]["refresh_token"], 1)

    def test_token_rejected_early_gets_one_refresh(self):
        connection = self.connect()
        self.sandbox.expire_tokens()   # Xero says 401 although Odoo thinks it valid
        self.assertEqual(connection._xero_call(lambda gw: gw.get_organisation())["Name"],
                         "Demo Company (Global)")
        self.assertEqual(connection.state, "connected")
        self.assertEqual(self.sandbox.stats()["token_requests"]["refresh_token"], 1)


@tagged("post_install", "-at_install", "crm_xero")
class TestDisconnect(XeroHttpCase):

    def test_remove_integration_revokes_and_forgets_tokens(self):
        connection = self.connect()
        access_token = connection.sudo().access_token
        admin = self.env.ref("base.user_admin")
        wizard = self.env["xero.disconnect.wizard"].with_user(admin).create(
            {"connection_id": connection.id})
        wizard.action_confirm()

        self.assertEqual(connection.state, "not_connected")
        self.assertFalse(connection.sudo().access_token)
        self.assertFalse(connection.sudo().refresh_token)
        self.assertEqual(connection.tenant_id, self.demo_org["tenant_id"])
        self.assertIn("disconnected", connection.status_message)
        stats = self.sandbox.stats()
        self.assertEqual(stats["revocations"], 1)
        self.assertEqual(stats["by_operation"].get("DELETE /connections/{id}"), 1)
        with self.assertRaises(XeroAuthError):
            oauth.list_connections(connection._xero_endpoints(), access_token)

    def test_remove_integration_when_xero_is_down_still_forgets(self):
        connection = self.connect()
        self.env["ir.config_parameter"].sudo().set_param("crm_xero.identity_url", "http://127.0.0.1:9")
        self.env["ir.config_parameter"].sudo().set_param("crm_xero.api_url", "http://127.0.0.1:9")
        message = connection.with_user(self.env.ref("base.user_admin")).action_disconnect()
        self.assertIn("Connected Apps", message)
        self.assertEqual(connection.state, "not_connected")
        self.assertFalse(connection.sudo().refresh_token)
