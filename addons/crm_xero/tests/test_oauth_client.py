"""The OAuth2 helpers of xero/oauth.py against the sandbox's login, identity
and connections endpoints: what the Settings page and the callback rely on."""

import base64
import hashlib
import socket
import time
from urllib.parse import parse_qs, urlparse

from odoo.tests import BaseCase, tagged

from ..xero import oauth
from ..xero.errors import (XeroAuthError, XeroConfigError, XeroNotFound,
                           XeroUnavailable)
from ..xero.oauth import XeroEndpoints
from .test_gateway import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES, SandboxCase


@tagged("crm_xero")
class TestEndpoints(BaseCase):

    def test_real_xero_by_default(self):
        endpoints = XeroEndpoints()
        self.assertEqual(endpoints.authorize_url, "https://login.xero.com/identity/connect/authorize")
        self.assertEqual(endpoints.token_url, "https://identity.xero.com/connect/token")
        self.assertEqual(endpoints.revoke_url, "https://identity.xero.com/connect/revocation")
        self.assertEqual(endpoints.connections_url, "https://api.xero.com/connections")
        self.assertEqual(endpoints.accounting_url, "https://api.xero.com/api.xro/2.0")

    def test_one_address_for_the_sandbox_and_no_plain_http_elsewhere(self):
        endpoints = XeroEndpoints.single("http://127.0.0.1:8070/")
        self.assertEqual(endpoints.token_url, "http://127.0.0.1:8070/connect/token")
        with self.assertRaises(XeroConfigError) as caught:
            oauth.authorization_url(XeroEndpoints.single("http://xero.example.com"),
                                    CLIENT_ID, REDIRECT_URI, SCOPES, "s", "v" * 43)
        self.assertIn("https", str(caught.exception))
        with self.assertRaises(XeroConfigError):
            XeroEndpoints(api_url="")

    def test_missing_client_id_is_a_configuration_error(self):
        with self.assertRaises(XeroConfigError) as caught:
            oauth.authorization_url(XeroEndpoints(), "", REDIRECT_URI, SCOPES, "s", "v" * 43)
        self.assertIn("Settings", str(caught.exception))


@tagged("crm_xero")
class TestOAuthClient(SandboxCase):

    def setUp(self):
        super().setUp()
        self.orgs = {org["name"]: org["tenant_id"] for org in self.sandbox.orgs()}

    def authorise(self, tenant_ids=None):
        """Settings > Connect: the URL, the admin's consent, the callback."""
        verifier = oauth.new_pkce_verifier()
        url = oauth.authorization_url(self.endpoints, CLIENT_ID, REDIRECT_URI, SCOPES,
                                      "state-123", verifier)
        _location, query = self.sandbox.consent(url, tenant_ids=tenant_ids)
        self.assertEqual(query["state"], "state-123")
        return query["code"], verifier

    def connected_token(self, tenant_ids=None):
        code, verifier = self.authorise(tenant_ids)
        return oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                   REDIRECT_URI, code, verifier)

    def test_authorization_url_carries_state_and_s256_challenge(self):
        verifier = oauth.new_pkce_verifier()
        self.assertTrue(43 <= len(verifier) <= 128)
        self.assertNotEqual(verifier, oauth.new_pkce_verifier())
        url = oauth.authorization_url(XeroEndpoints(), CLIENT_ID, REDIRECT_URI, SCOPES,
                                      "opaque-state", verifier)
        parts = urlparse(url)
        self.assertEqual(parts.netloc, "login.xero.com")
        self.assertEqual(parts.path, "/identity/connect/authorize")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        self.assertEqual(query["response_type"], "code")
        self.assertEqual(query["client_id"], CLIENT_ID)
        self.assertEqual(query["redirect_uri"], REDIRECT_URI)
        self.assertEqual(query["scope"].split(), SCOPES)
        self.assertEqual(query["state"], "opaque-state")
        self.assertEqual(query["code_challenge_method"], "S256")
        self.assertEqual(query["code_challenge"], challenge)
        self.assertNotIn(verifier, url)

    def test_code_exchange_gives_a_token_and_connections(self):
        before = time.time()
        token = self.connected_token()
        self.assertTrue(token["access_token"])
        self.assertTrue(token["refresh_token"])
        self.assertIsInstance(token["scope"], list)
        self.assertIn("accounting.contacts", token["scope"])
        self.assertIsInstance(token["expires_at"], int)
        self.assertAlmostEqual(token["expires_at"], before + 1800, delta=60)
        self.assertIs(type(token), dict)
        connections = oauth.list_connections(self.endpoints, token["access_token"])
        self.assertTrue(connections)
        self.assertTrue({"id", "tenantId", "tenantName", "tenantType"} <= set(connections[0]))
        self.assertIn(self.orgs["Demo Company (Global)"], {c["tenantId"] for c in connections})

    def test_code_is_single_use_and_bound_to_its_verifier(self):
        code, verifier = self.authorise()
        with self.assertRaises(XeroAuthError) as caught:
            oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
                                code, oauth.new_pkce_verifier())
        self.assertEqual(caught.exception.reason, "invalid_grant")
        self.assertIn("reconnect Xero in Settings", str(caught.exception))
        code, verifier = self.authorise()
        oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, code, verifier)
        with self.assertRaises(XeroAuthError):
            oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
                                code, verifier)

    def test_wrong_client_secret_is_a_configuration_error(self):
        code, verifier = self.authorise()
        with self.assertRaises(XeroConfigError) as caught:
            oauth.exchange_code(self.endpoints, CLIENT_ID, "wrong-secret", REDIRECT_URI,
                                code, verifier)
        self.assertIn("client id or secret", str(caught.exception))
        self.assertNotIn("wrong-secret", caught.exception.detail)

    def test_refresh_rotates_the_refresh_token(self):
        token = self.connected_token()
        fresh = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertNotEqual(fresh["refresh_token"], token["refresh_token"])
        self.assertNotEqual(fresh["access_token"], token["access_token"])
        self.assertIsInstance(fresh["scope"], list)
        self.assertIsInstance(fresh["expires_at"], int)
        self.assertTrue(oauth.list_connections(self.endpoints, fresh["access_token"]))
        again = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, fresh["refresh_token"])
        self.assertNotEqual(again["refresh_token"], fresh["refresh_token"])

    def test_unknown_refresh_token_is_invalid_grant(self):
        with self.assertRaises(XeroAuthError) as caught:
            oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, "no-such-refresh-token")
        error = caught.exception
        self.assertEqual(error.reason, "invalid_grant")
        self.assertTrue(error.needs_reconnect)
        self.assertNotIn("no-such-refresh-token", error.detail)

    def test_revoke_ends_the_grant(self):
        token = self.connected_token()
        self.assertTrue(oauth.revoke(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                     token["refresh_token"]))
        with self.assertRaises(XeroAuthError):
            oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        with self.assertRaises(XeroAuthError):
            oauth.list_connections(self.endpoints, token["access_token"])

    def test_revoked_grant_on_the_xero_side_is_invalid_grant(self):
        token = self.connected_token()
        self.sandbox.revoke_grants()
        with self.assertRaises(XeroAuthError) as caught:
            oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertTrue(caught.exception.needs_reconnect)

    def test_delete_one_connection(self):
        token = self.connected_token(tenant_ids=list(self.orgs.values()))
        connections = oauth.list_connections(self.endpoints, token["access_token"])
        self.assertEqual({c["tenantId"] for c in connections}, set(self.orgs.values()))
        second = next(c for c in connections if c["tenantName"] == "Sandbox Second Org Ltd")
        self.assertTrue(oauth.delete_connection(self.endpoints, token["access_token"], second["id"]))
        remaining = oauth.list_connections(self.endpoints, token["access_token"])
        self.assertEqual([c["tenantName"] for c in remaining], ["Demo Company (Global)"])
        with self.assertRaises(XeroNotFound):
            oauth.delete_connection(self.endpoints, token["access_token"], second["id"])

    def test_expired_access_token_is_refused_by_connections(self):
        token = self.connected_token()
        self.sandbox.expire_tokens()
        with self.assertRaises(XeroAuthError):
            oauth.list_connections(self.endpoints, token["access_token"])
        fresh = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertTrue(oauth.list_connections(self.endpoints, fresh["access_token"]))

    def test_identity_unreachable_is_unavailable(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        down = XeroEndpoints.single("http://127.0.0.1:%d" % port)
        with self.assertRaises(XeroUnavailable) as caught:
            oauth.refresh(down, CLIENT_ID, CLIENT_SECRET, "some-refresh-token", timeout=2)
        self.assertFalse(caught.exception.maybe_committed)
        self.assertIn("could not be reached", str(caught.exception))
        self.assertNotIn("some-refresh-token", caught.exception.detail)
