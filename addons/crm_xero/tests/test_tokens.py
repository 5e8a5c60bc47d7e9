"""Tokens: single-use refresh tokens, races between workers, Xero rejecting a
token early, revoked access, Remove Integration."""
import threading
import time
from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import xero_connection as connection_module
from ..models.xero_connection import XeroConnection
from ..xero import deadline as xero_deadline
from ..xero import oauth
from ..xero.errors import XeroAuthError, XeroUnavailable
from .common import fingerprint
from .xero_case import XeroCommittedCase, XeroHttpCase

THREADS = 8


def _organisation(gateway):
    return gateway.get_organisation()["Name"]


@tagged("post_install", "-at_install", "crm_xero")
class TestRefreshRaces(XeroCommittedCase):
    """Each thread is a worker: its own transaction, committed; the process
    token cache is cleared between them where a separate process would not
    share it."""

    def refreshes(self):
        return self.sandbox.stats()["token_requests"].get("refresh_token", 0)

    def call_from_threads(self, count, forget_cache=True):
        results, failures = [], []
        start = threading.Barrier(count, timeout=30)

        def worker():
            try:
                with self.committed_env() as env:
                    connection = env["xero.connection"].browse(self.ids["connection"])
                    start.wait()
                    results.append(connection._xero_call(_organisation))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                failures.append(repr(exc))

        if forget_cache:
            connection_module._TOKEN_CACHE.clear()
        threads = [threading.Thread(target=worker) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return results, failures

    def assert_still_connected_and_rotated(self):
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            self.assertEqual(connection.state, "connected")
            self.assertGreater(connection.token_expires_at, datetime.utcnow())
            stored = connection.refresh_token
        # The rotation was kept: the refresh token Odoo holds still works.
        self.sandbox.expire_tokens()
        connection_module._TOKEN_CACHE.clear()
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            self.assertEqual(connection._xero_call(_organisation), "Demo Company (Global)")
        with self.committed_env() as env:
            self.assertNotEqual(env["xero.connection"].browse(self.ids["connection"]).refresh_token,
                                stored)

    def test_expired_token_racing_threads_refresh_once_and_all_succeed(self):
        with self.committed_env() as env:
            env["xero.connection"].browse(self.ids["connection"]).token_expires_at = \
                datetime.utcnow() - timedelta(minutes=1)
        self.sandbox.expire_tokens()
        before = self.refreshes()
        results, failures = self.call_from_threads(THREADS)
        self.assertEqual(failures, [])
        self.assertEqual(results, ["Demo Company (Global)"] * THREADS)
        self.assertEqual(self.refreshes() - before, 1)
        self.assert_one_live_refresh_token_and_odoo_holds_it()
        self.assert_still_connected_and_rotated()

    def test_token_rejected_before_its_expiry_across_workers(self):
        """Xero rejects a token Odoo still thinks valid (after a revoke and
        reconnect elsewhere, a rotated key): every worker gets a 401, one
        refreshes, the others find its token, all succeed, still connected."""
        self.sandbox.expire_tokens()
        before = self.refreshes()
        results, failures = self.call_from_threads(6)
        self.assertEqual(failures, [])
        self.assertEqual(results, ["Demo Company (Global)"] * 6)
        self.assertEqual(self.refreshes() - before, 1, "one refresh for six rejections")
        rejected = [c for c in self.sandbox.calls() if c["status"] == 401]
        self.assertLessEqual(len(rejected), 6, "each worker retried once, with the new token")
        self.assert_still_connected_and_rotated()

    def stored_tokens(self):
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            return connection.access_token, connection.refresh_token

    def assert_one_live_refresh_token_and_odoo_holds_it(self):
        """Both sides: Xero's grant has one refresh token that still works,
        and it is the one Odoo stored."""
        grants = [g for g in self.sandbox.grants() if g["active"]]
        self.assertEqual(len(grants), 1)
        self.assertEqual(grants[0]["live_refresh_tokens"],
                         [fingerprint(self.stored_tokens()[1])])

    def test_workers_wait_for_a_slow_refresh_in_flight_and_all_succeed(self):
        """Xero rejects the token early and its identity host is slow: one
        worker refreshes, the five others find it refreshing, wait for it
        and use its token.  Six calls served, one refresh at Xero."""
        self.sandbox.set_faults(token_delay=1.5)
        self.sandbox.expire_tokens()
        before = self.refreshes()
        old_access, old_refresh = self.stored_tokens()
        started = time.monotonic()
        results, failures = self.call_from_threads(6)
        self.assertEqual(failures, [])
        self.assertEqual(results, ["Demo Company (Global)"] * 6)
        self.assertGreaterEqual(time.monotonic() - started, 1.5, "they did wait for it")
        self.assertEqual(self.refreshes() - before, 1, "one refresh for six rejections")
        access, refresh_token = self.stored_tokens()
        self.assertNotEqual((access, refresh_token), (old_access, old_refresh))
        self.assert_one_live_refresh_token_and_odoo_holds_it()
        ok = [c for c in self.sandbox.calls() if c["status"] == 200]
        self.assertEqual(len(ok), 6)
        self.sandbox.clear_faults()
        self.assert_still_connected_and_rotated()

    def test_waiting_for_a_refresh_ends_with_the_requests_deadline(self):
        """Another worker holds the connection's lock (a refresh that hangs):
        this click waits no longer than its deadline and says so."""
        self.sandbox.expire_tokens()
        connection_module._TOKEN_CACHE.clear()
        with self.db_registry.cursor() as holder:
            holder.execute("SELECT id FROM xero_connection WHERE id = %s FOR NO KEY UPDATE",
                           [self.ids["connection"]])
            with self.committed_env() as env:
                connection = env["xero.connection"].browse(self.ids["connection"])
                started = time.monotonic()
                with xero_deadline.within(1.0), self.assertRaises(XeroUnavailable) as caught:
                    connection._xero_call(_organisation)
                waited = time.monotonic() - started
            holder.rollback()
        self.assertIn("busy being refreshed", str(caught.exception))
        self.assertGreater(waited, 0.5)
        self.assertLess(waited, 2.5)
        self.assertEqual(self.refreshes(), 0, "nothing spent while it waited")
        with self.committed_env() as env:
            self.assertEqual(env["xero.connection"].browse(self.ids["connection"]).state,
                             "connected")
        self.assert_one_live_refresh_token_and_odoo_holds_it()

    def test_a_refresh_by_another_worker_mid_call(self):
        """Worker A holds the old token; worker B refreshed meanwhile and
        Xero no longer takes the old one: A reads B's token and goes on,
        with no second refresh."""
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            old_token = connection.access_token
        self.sandbox.expire_tokens()
        with self.committed_env() as env:   # worker B
            connection = env["xero.connection"].browse(self.ids["connection"])
            connection._xero_access_token(rejected_token=old_token)
        before = self.refreshes()
        # worker A: its process still caches the old token
        connection_module._TOKEN_CACHE.clear()
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            key = connection._xero_cache_key(connection)
            connection_module._TOKEN_CACHE[key] = (old_token,
                                                   datetime.utcnow() + timedelta(minutes=20))
            self.assertEqual(connection._xero_call(_organisation), "Demo Company (Global)")
        self.assertEqual(self.refreshes(), before, "A used B's token: no refresh of its own")

    def test_tokens_of_two_generations_rejected_early_one_refresh_and_served(self):
        """This worker still holds the token of before another worker's
        rotation; Xero then rejects both early.  The click tries its own
        (401), the one in the database (401 too: it is not proof of a fresh
        token), then refreshes once, and is served."""
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            first = connection.access_token
            key = connection._xero_cache_key(connection)
        self.sandbox.expire_tokens()
        with self.committed_env() as env:   # another worker rotates it
            env["xero.connection"].browse(self.ids["connection"])._xero_access_token(
                rejected_token=first)
        second = self.stored_tokens()[0]
        connection_module._TOKEN_CACHE.clear()   # this worker's memory: the first one
        connection_module._TOKEN_CACHE[key] = (first, datetime.utcnow() + timedelta(minutes=20))
        self.sandbox.expire_tokens()             # Xero rejects the second one early too
        self.sandbox.clear_calls()
        before = self.refreshes()
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            self.assertEqual(connection._xero_call(_organisation), "Demo Company (Global)")
        self.assertEqual(self.refreshes() - before, 1)
        self.assertEqual([c["status"] for c in self.sandbox.calls()], [401, 401, 200])
        self.assertNotIn(self.stored_tokens()[0], (first, second))
        self.assert_one_live_refresh_token_and_odoo_holds_it()

    def test_a_token_rejected_even_after_a_refresh_is_not_a_reconnect(self):
        """Xero rejects the token, and the fresh one too: the user is told to
        try again; the connection stays connected (state and message agree)."""
        real = XeroConnection._xero_token
        sandbox = self.sandbox

        def refreshed_then_rejected_too(connection, rejected_token=None):
            token = real(connection, rejected_token)
            if rejected_token:
                sandbox.expire_tokens()
            return token
        self.patch(XeroConnection, "_xero_token", refreshed_then_rejected_too)
        before = self.refreshes()
        self.sandbox.expire_tokens()
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            with self.assertRaises(XeroAuthError) as caught:
                connection._xero_call(_organisation)
            self.assertFalse(caught.exception.needs_reconnect)
            self.assertIn("try again", str(caught.exception))
        with self.committed_env() as env:
            self.assertEqual(env["xero.connection"].browse(self.ids["connection"]).state,
                             "connected")
        self.assertEqual(self.refreshes() - before, 1, "a token it had just refreshed was "
                                                       "rejected: no second refresh")

    def test_only_a_refused_refresh_means_reconnect(self):
        self.sandbox.revoke_grants()
        self.sandbox.expire_tokens()
        connection_module._TOKEN_CACHE.clear()
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            with self.assertRaises(XeroAuthError) as caught:
                connection._xero_call(_organisation)
            self.assertTrue(caught.exception.needs_reconnect)
            self.assertIn("Reconnect Xero in Settings", str(caught.exception))
        with self.committed_env() as env:
            self.assertEqual(env["xero.connection"].browse(self.ids["connection"]).state,
                             "needs_reconnect", "Settings says what the user was told")


@tagged("post_install", "-at_install", "crm_xero")
class TestRevokedAccess(XeroHttpCase):

    def test_revoked_in_xero_means_reconnect_and_nothing_lost(self):
        connection = self.connect()
        connection.sudo().token_expires_at = datetime.utcnow() - timedelta(minutes=1)
        self.sandbox.revoke_grants()

        with self.assertRaisesRegex(XeroAuthError, "Reconnect Xero in Settings"):
            connection._xero_call(_organisation)
        self.assertEqual(connection.state, "needs_reconnect")
        self.assertEqual(connection.tenant_id, self.demo_org["tenant_id"], "the link is kept")
        # Every Xero button now says the same, without calling Xero.
        calls = len(self.sandbox.calls())
        with self.assertRaisesRegex(UserError, "Reconnect Xero in Settings"):
            connection._xero_call(_organisation)
        self.assertEqual(len(self.sandbox.calls()), calls)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.xero_state, "needs_reconnect")

        self.connect()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection._xero_call(_organisation), "Demo Company (Global)")

    def test_expired_access_token_is_refreshed_and_rotated(self):
        connection = self.connect()
        old_refresh = connection.sudo().refresh_token
        self.sandbox.expire_tokens()
        connection.sudo().token_expires_at = datetime.utcnow()
        self.assertEqual(connection._xero_call(_organisation), "Demo Company (Global)")
        self.assertNotEqual(connection.sudo().refresh_token, old_refresh)
        self.assertEqual(self.sandbox.stats()["token_requests"]["refresh_token"], 1)

    def test_organisation_disconnected_in_xero_means_reconnect(self):
        """Xero answers 403 once the organisation is disconnected there:
        Settings says "needs reconnect", as the user is told."""
        connection = self.connect()
        token = connection._xero_access_token()
        uuid = connection.xero_connection_uuid
        oauth.delete_connection(connection._xero_endpoints(), token, uuid)
        with self.assertRaisesRegex(Exception, "reconnect Xero in Settings"):
            connection._xero_call(_organisation)
        connection.invalidate_recordset()   # marked in a transaction of its own
        self.assertEqual(connection.state, "needs_reconnect")


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
        self.env["ir.config_parameter"].sudo().set_param("crm_xero.identity_url",
                                                         "https://127.0.0.1:9")
        self.env["ir.config_parameter"].sudo().set_param("crm_xero.api_url", "https://127.0.0.1:9")
        message = connection.with_user(self.env.ref("base.user_admin")).action_disconnect()
        self.assertIn("Connected Apps", message)
        self.assertEqual(connection.state, "not_connected")
        self.assertFalse(connection.sudo().refresh_token)
