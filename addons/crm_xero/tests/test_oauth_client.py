"""The OAuth2 helpers of xero/oauth.py (on requests-oauthlib) against the
sandbox's login, identity and connections endpoints, over HTTPS with the
sandbox's local CA: what the Settings page and the callback rely on.  Each
test checks what the caller gets and what the sandbox recorded."""

import base64
import hashlib
import json
import logging
import os
import socket
import time
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

import certifi
from oauthlib.oauth2 import WebApplicationClient, is_secure_transport

from odoo.tests import BaseCase, tagged

from ..xero import oauth
from ..xero.endpoints import XeroEndpoints
from ..xero.errors import XeroAuthError, XeroConfigError, XeroNotFound, XeroUnavailable
from ..xero.gateway import XeroGateway
from .common import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES
from .test_gateway import JSON, SECOND, SandboxCase, StubXero


def assert_plain_http_still_refused_by_oauthlib(test):
    """oauthlib's insecure-transport switch is process-wide: nothing may
    turn it on (the addon never names it); with it off, oauthlib refuses
    plain http, even to this machine."""
    test.assertFalse(is_secure_transport("http://127.0.0.1:8070/connect/token"))
    test.assertTrue(is_secure_transport("https://127.0.0.1:8070/connect/token"))


def _b64_json(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _jwt(claims):
    """An unsigned JWT carrying ``claims`` (auth_event_id reads, never verifies)."""
    return "%s.%s.sig" % (_b64_json({"alg": "none"}), _b64_json(claims))


@tagged("crm_xero")
class TestAuthorizationUrl(BaseCase):
    """The consent URL and PKCE, without any network."""

    def test_authorization_url_carries_state_and_s256_challenge(self):
        verifier = oauth.new_pkce_verifier()
        self.assertTrue(43 <= len(verifier) <= 128)
        self.assertEqual(oauth.pkce_challenge(verifier),
                         WebApplicationClient(None).create_code_challenge(verifier, "S256"))
        self.assertRegex(verifier, r"^[A-Za-z0-9._~-]+$")
        self.assertNotEqual(verifier, oauth.new_pkce_verifier())
        url = oauth.authorization_url(XeroEndpoints(), CLIENT_ID, REDIRECT_URI, SCOPES,
                                      "opaque-state", verifier)
        parts = urlparse(url)
        self.assertEqual((parts.scheme, parts.netloc, parts.path),
                         ("https", "login.xero.com", "/identity/connect/authorize"))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        self.assertEqual(query, {
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
            "scope": " ".join(SCOPES), "state": "opaque-state",
            "code_challenge": challenge, "code_challenge_method": "S256"})
        self.assertNotIn(verifier, url)

    def test_the_sandboxs_consent_page_on_plain_http_is_built_by_oauthlib_too(self):
        """oauthlib refuses plain http (unless the whole process allows it):
        the browser's leg to this machine is built in its https form, then
        given its scheme back; the same URL, parameter for parameter."""
        verifier = oauth.new_pkce_verifier()
        local = XeroEndpoints.local("https://127.0.0.1:8070", "http://127.0.0.1:8071")
        url = oauth.authorization_url(local, CLIENT_ID, REDIRECT_URI, SCOPES, "st", verifier)
        self.assertTrue(url.startswith("http://127.0.0.1:8071/identity/connect/authorize?"))
        expected = WebApplicationClient(CLIENT_ID).prepare_request_uri(
            "https://127.0.0.1:8071/identity/connect/authorize", redirect_uri=REDIRECT_URI,
            scope=SCOPES, state="st", code_challenge=oauth.pkce_challenge(verifier),
            code_challenge_method="S256")
        self.assertEqual("https" + url[len("http"):], expected)
        assert_plain_http_still_refused_by_oauthlib(self)
        for page in ("http://login.example.com", "http://10.1.2.3:8071"):
            with self.assertRaises(XeroConfigError, msg=page):
                oauth.authorization_url(XeroEndpoints(login_url=page), CLIENT_ID, REDIRECT_URI,
                                        SCOPES, "st", verifier)

    def test_pkce_challenge_is_rfc_7636s(self):
        self.assertEqual(oauth.pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                         "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")

    def test_default_scopes_are_the_granular_set(self):
        url = oauth.authorization_url(XeroEndpoints(), CLIENT_ID, REDIRECT_URI, None, "s",
                                      "v" * 43)
        scope = parse_qs(urlparse(url).query)["scope"][0].split()
        self.assertEqual(scope, list(oauth.DEFAULT_SCOPES))
        self.assertIn("accounting.invoices", scope)
        self.assertNotIn("accounting.transactions", scope)

    def test_what_is_missing_or_insecure_is_a_configuration_error(self):
        for args, words in (((XeroEndpoints(), "", REDIRECT_URI, SCOPES, "s", "v" * 43),
                             "client id"),
                            ((XeroEndpoints(), CLIENT_ID, REDIRECT_URI, SCOPES, "", "v" * 43),
                             "OAuth state"),
                            ((XeroEndpoints(), CLIENT_ID, REDIRECT_URI, SCOPES, "s", None),
                             "PKCE code verifier"),
                            ((XeroEndpoints(login_url="http://xero.example.com"), CLIENT_ID,
                              REDIRECT_URI, SCOPES, "s", "v" * 43), "https is required")):
            with self.assertRaises(XeroConfigError, msg=words) as caught:
                oauth.authorization_url(*args)
            self.assertIn(words, str(caught.exception))
        with self.assertRaises(XeroConfigError):
            oauth.exchange_code(XeroEndpoints(), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, "",
                                "v" * 43)
        with self.assertRaises(XeroConfigError) as caught:
            oauth.revoke(XeroEndpoints(), CLIENT_ID, "", "refresh")
        self.assertIn("client secret", str(caught.exception))

    def test_auth_event_id_is_read_from_the_access_token(self):
        self.assertEqual(oauth.auth_event_id(_jwt({"authentication_event_id": "e-1"})), "e-1")
        self.assertIsNone(oauth.auth_event_id(_jwt({"sub": "x"})))
        for garbage in ("not-a-jwt", "a.!!!.c", "", None):
            self.assertIsNone(oauth.auth_event_id(garbage))


@tagged("crm_xero")
class TestOAuthClient(SandboxCase):

    def setUp(self):
        super().setUp()
        self.orgs = {org["name"]: org["tenant_id"] for org in self.sandbox.orgs()}

    def tearDown(self):
        # nothing here switches oauthlib's plain-http mode on for the process
        assert_plain_http_still_refused_by_oauthlib(self)
        super().tearDown()

    def authorise(self, tenant_ids=None, state="state-123"):
        """Settings > Connect: the URL, the admin's consent, the callback."""
        verifier = oauth.new_pkce_verifier()
        url = oauth.authorization_url(self.endpoints, CLIENT_ID, REDIRECT_URI, SCOPES,
                                      state, verifier)
        _location, query = self.sandbox.consent(url, tenant_ids=tenant_ids)
        self.assertEqual(query["state"], state)
        return query["code"], verifier

    def connected_token(self, tenant_ids=None):
        code, verifier = self.authorise(tenant_ids)
        return oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                   REDIRECT_URI, code, verifier)

    def token_requests(self):
        return self.sandbox.stats()["token_requests"]

    def test_https_to_the_sandbox_needs_no_process_wide_switch(self):
        assert_plain_http_still_refused_by_oauthlib(self)   # nothing loaded so far set it
        self.assertTrue(self.endpoints.token_url.startswith("https://127.0.0.1:"))
        token = self.connected_token()
        fresh = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertTrue(oauth.list_connections(self.endpoints, fresh["access_token"]))
        self.assertTrue(oauth.revoke(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                     fresh["refresh_token"]))
        assert_plain_http_still_refused_by_oauthlib(self)
        self.assertEqual(self.sandbox.stats()["token_requests"],
                         {"authorization_code": 1, "refresh_token": 1})
        self.assertEqual(self.sandbox.stats()["revocations"], 1)

    def test_plain_http_identity_or_api_is_refused_before_anything_is_sent(self):
        """Xero's identity and API hosts are https only; so is the sandbox's:
        a plain-http address, on this machine or not, is a configuration
        error, and no token request leaves."""
        token = self.connected_token()
        before = self.sandbox.stats()["token_requests"]
        browser_port = self.sandbox.browser_url             # the sandbox's plain-http side
        for url in ("http://identity.example.com", browser_port):
            endpoints = XeroEndpoints.local(url, ca_file=self.sandbox.ca_file)
            for call in (lambda e=endpoints: oauth.refresh(e, CLIENT_ID, CLIENT_SECRET,
                                                           token["refresh_token"]),
                         lambda e=endpoints: oauth.exchange_code(
                             e, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, "code", "v" * 43),
                         lambda e=endpoints: oauth.revoke(e, CLIENT_ID, CLIENT_SECRET,
                                                          token["refresh_token"]),
                         lambda e=endpoints: oauth.list_connections(e, token["access_token"]),
                         lambda e=endpoints: XeroGateway(e, token["access_token"], "t")):
                with self.assertRaises(XeroConfigError, msg=url) as caught:
                    call()
                self.assertIn("https is required", str(caught.exception))
        self.assertEqual(self.sandbox.stats()["token_requests"], before)
        self.assertEqual(self.sandbox.stats()["revocations"], 0)
        # the refresh token was not spent: it still works
        self.assertTrue(oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                      token["refresh_token"])["access_token"])

    @contextmanager
    def environment(self, **variables):
        with patch.dict(os.environ, variables):
            yield

    def test_the_local_ca_is_trusted_only_where_configured(self):
        """Without crm_xero.ca_file the sandbox's certificate is refused:
        nothing is sent, and the admin reads why."""
        untrusted = XeroEndpoints.local(self.url, self.sandbox.browser_url)   # no CA
        before = self.sandbox.stats()["token_requests"]
        with self.assertRaises(XeroUnavailable) as caught:
            oauth.refresh(untrusted, CLIENT_ID, CLIENT_SECRET, "some-refresh-token")
        self.assertIn("certificate could not be verified", str(caught.exception))
        self.assertIn("nothing was sent", str(caught.exception))
        self.assertNotIn("some-refresh-token", caught.exception.detail)
        self.assertEqual(self.sandbox.stats()["token_requests"], before)
        token = self.connected_token()
        with self.assertRaises(XeroUnavailable):
            XeroGateway(untrusted, token["access_token"], self.tenant_id_demo(),
                        max_retries=0).get_organisation()
        # Xero's own hosts never get the local CA, even when it is configured.
        mistaken = XeroEndpoints(ca_file=self.sandbox.ca_file)
        self.assertEqual(mistaken.tls_verify(mistaken.token_url), certifi.where())

    def tenant_id_demo(self):
        return self.orgs["Demo Company (Global)"]

    def test_requests_ca_bundle_cannot_redirect_trust(self):
        """REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace what requests checks
        certificates against when a call says ``verify=True``; every call
        here names its bundle, so the environment neither adds the local CA
        where it is not configured nor takes it away where it is."""
        token = self.connected_token()
        untrusted = XeroEndpoints.local(self.url, self.sandbox.browser_url)   # no CA
        for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            with self.environment(**{variable: self.sandbox.ca_file}):
                with self.assertRaises(XeroUnavailable, msg=variable) as caught:
                    oauth.list_connections(untrusted, token["access_token"])
                self.assertIn("certificate could not be verified", str(caught.exception))
                with self.assertRaises(XeroUnavailable, msg=variable):
                    XeroGateway(untrusted, token["access_token"], self.tenant_id_demo(),
                                max_retries=0).get_organisation()
            with self.environment(**{variable: certifi.where()}):
                self.assertTrue(oauth.list_connections(self.endpoints, token["access_token"]))
                token = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                      token["refresh_token"])
                self.assertEqual(XeroGateway(self.endpoints, token["access_token"],
                                             self.tenant_id_demo()).get_organisation()["Name"],
                                 "Demo Company (Global)")
        self.assertEqual(self.sandbox.stats()["token_requests"]["refresh_token"], 2)

    def test_secrets_are_never_logged_even_at_debug(self):
        """requests-oauthlib logs bodies, headers and tokens at DEBUG."""
        loggers = [logging.getLogger(name) for name in (
            "requests_oauthlib", "oauthlib", "urllib3", "odoo.addons.crm_xero")]
        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(self.format(record))
        handler = Keep(level=logging.DEBUG)
        saved = [(logger, logger.level, logger.propagate) for logger in loggers]
        for logger in loggers:
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
        try:
            code, verifier = self.authorise()
            token = oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
                                        code, verifier)
            fresh = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                  token["refresh_token"])
            oauth.list_connections(self.endpoints, fresh["access_token"])
            oauth.revoke(self.endpoints, CLIENT_ID, CLIENT_SECRET, fresh["refresh_token"])
        finally:
            for logger, level, propagate in saved:
                logger.removeHandler(handler)
                logger.setLevel(level)
                logger.propagate = propagate
        text = "\n".join(records)
        self.assertIn("/connect/token", text)            # it did log, at DEBUG
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        for secret in (token["access_token"], token["refresh_token"], token["id_token"],
                       fresh["access_token"], fresh["refresh_token"], code, verifier,
                       CLIENT_SECRET, basic):
            self.assertNotIn(secret, text)

    def test_code_exchange_gives_a_token_and_its_connections(self):
        before = time.time()
        token = self.connected_token()
        self.assertIs(type(token), dict)
        self.assertTrue(token["access_token"] and token["refresh_token"] and token["id_token"])
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["scope"], SCOPES)
        self.assertIsInstance(token["expires_at"], int)
        self.assertAlmostEqual(token["expires_at"], before + token["expires_in"], delta=60)
        connections = oauth.list_connections(self.endpoints, token["access_token"])
        self.assertEqual([(c["tenantId"], c["tenantName"], c["tenantType"]) for c in connections],
                         [(self.orgs["Demo Company (Global)"], "Demo Company (Global)",
                           "ORGANISATION")])
        # the token tells which connections this very consent made
        self.assertEqual(connections[0]["authEventId"], oauth.auth_event_id(token["access_token"]))
        self.assertEqual(self.token_requests(), {"authorization_code": 1, "refresh_token": 0})

    def test_a_refused_code_says_so_and_leaves_the_connection_alone(self):
        token = self.connected_token()
        code, verifier = self.authorise()
        with self.assertRaises(XeroAuthError) as caught:
            oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
                                code, oauth.new_pkce_verifier())      # not its verifier
        error = caught.exception
        self.assertEqual((error.reason, error.needs_reconnect), ("code_refused", False))
        self.assertEqual(str(error), "Xero did not accept this authorisation (it was already "
                                     "used or has expired).")
        self.assertIn("invalid_grant", error.detail)
        # a code is single use, even after a refusal
        with self.assertRaises(XeroAuthError) as caught:
            oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
                                code, verifier)
        self.assertEqual(caught.exception.reason, "code_refused")
        self.assertTrue(oauth.list_connections(self.endpoints, token["access_token"]))
        code, verifier = self.authorise()
        oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, code,
                            verifier)
        with self.assertRaises(XeroAuthError):
            oauth.exchange_code(self.endpoints, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
                                code, verifier)
        self.assertEqual(self.token_requests()["authorization_code"], 5)

    def test_wrong_client_secret_is_a_configuration_error(self):
        code, verifier = self.authorise()
        with self.assertRaises(XeroConfigError) as caught:
            oauth.exchange_code(self.endpoints, CLIENT_ID, "wrong-secret", REDIRECT_URI,
                                code, verifier)
        self.assertEqual(caught.exception.reason, "bad_client")
        self.assertIn("client id or secret", str(caught.exception))
        self.assertNotIn("wrong-secret", caught.exception.detail)
        self.assertNotIn("wrong-secret", repr(caught.exception))

    def test_refresh_rotates_the_refresh_token(self):
        token = self.connected_token()
        fresh = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertNotEqual(fresh["refresh_token"], token["refresh_token"])
        self.assertNotEqual(fresh["access_token"], token["access_token"])
        self.assertEqual(fresh["scope"], SCOPES)
        self.assertIsInstance(fresh["expires_at"], int)
        self.assertTrue(oauth.list_connections(self.endpoints, fresh["access_token"]))
        again = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, fresh["refresh_token"])
        self.assertNotEqual(again["refresh_token"], fresh["refresh_token"])
        # the old one is spent, now that the one it became was used
        with self.assertRaises(XeroAuthError) as caught:
            oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertEqual(caught.exception.reason, "invalid_grant")
        self.assertEqual(self.token_requests(), {"authorization_code": 1, "refresh_token": 3})

    def test_unknown_or_missing_refresh_token_is_invalid_grant(self):
        with self.assertRaises(XeroAuthError) as caught:
            oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, "no-such-refresh-token")
        error = caught.exception
        self.assertEqual((error.reason, error.needs_reconnect), ("invalid_grant", True))
        self.assertIn("Reconnect Xero in Settings", str(error))
        self.assertNotIn("no-such-refresh-token", error.detail)
        with self.assertRaises(XeroAuthError) as caught:
            oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, None)
        self.assertTrue(caught.exception.needs_reconnect)
        self.assertEqual(self.token_requests()["refresh_token"], 1)    # the second never left

    def test_revoke_ends_the_grant(self):
        token = self.connected_token()
        self.assertIs(oauth.revoke(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                   token["refresh_token"]), True)
        self.assertEqual(self.sandbox.stats()["revocations"], 1)
        with self.assertRaises(XeroAuthError) as caught:
            oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertTrue(caught.exception.needs_reconnect)
        with self.assertRaises(XeroAuthError) as caught:
            oauth.list_connections(self.endpoints, token["access_token"])
        self.assertEqual(caught.exception.reason, "token_rejected")

    def test_revoke_with_the_wrong_secret_revokes_nothing(self):
        token = self.connected_token()
        with self.assertRaises(XeroConfigError) as caught:
            oauth.revoke(self.endpoints, CLIENT_ID, "wrong-secret", token["refresh_token"])
        self.assertEqual(caught.exception.reason, "bad_client")
        self.assertNotIn("wrong-secret", caught.exception.detail)
        self.assertEqual(self.sandbox.stats()["revocations"], 1)     # asked, refused
        self.assertTrue(oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET,
                                      token["refresh_token"])["access_token"])

    def test_revoked_grant_on_the_xero_side_needs_a_reconnect(self):
        token = self.connected_token()
        self.assertEqual(self.sandbox.revoke_grants()["revoked"], 1)
        with self.assertRaises(XeroAuthError) as caught:
            oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertTrue(caught.exception.needs_reconnect)

    def test_delete_one_connection(self):
        token = self.connected_token(tenant_ids=list(self.orgs.values()))
        connections = oauth.list_connections(self.endpoints, token["access_token"])
        self.assertEqual({c["tenantId"] for c in connections}, set(self.orgs.values()))
        second = next(c for c in connections if c["tenantName"] == SECOND)
        self.assertIs(oauth.delete_connection(self.endpoints, token["access_token"],
                                              second["id"]), True)
        remaining = oauth.list_connections(self.endpoints, token["access_token"])
        self.assertEqual([c["tenantName"] for c in remaining], ["Demo Company (Global)"])
        with self.assertRaises(XeroNotFound) as caught:
            oauth.delete_connection(self.endpoints, token["access_token"], second["id"])
        self.assertEqual(str(caught.exception), "Xero has no such connection; it may already be "
                                                "disconnected.")
        deletes = [c for c in self.sandbox.calls() if c["operation"] == "DELETE /connections/{id}"]
        self.assertEqual([c["status"] for c in deletes], [204, 404])
        with self.assertRaises(XeroConfigError):
            oauth.delete_connection(self.endpoints, token["access_token"], "")

    def test_an_expired_access_token_is_refused_and_a_refresh_mends_it(self):
        token = self.connected_token()
        self.sandbox.expire_tokens()
        with self.assertRaises(XeroAuthError) as caught:
            oauth.list_connections(self.endpoints, token["access_token"])
        self.assertEqual((caught.exception.reason, caught.exception.needs_reconnect),
                         ("token_rejected", False))
        fresh = oauth.refresh(self.endpoints, CLIENT_ID, CLIENT_SECRET, token["refresh_token"])
        self.assertTrue(oauth.list_connections(self.endpoints, fresh["access_token"]))
        with self.assertRaises(XeroAuthError):
            oauth.list_connections(self.endpoints, "")
        self.assertEqual([c["status"] for c in self.sandbox.calls()
                          if c["operation"] == "GET /connections"], [401, 200])

    def test_identity_unreachable_is_unavailable(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        down = XeroEndpoints.local("https://127.0.0.1:%d" % port, ca_file=self.sandbox.ca_file)
        with self.assertRaises(XeroUnavailable) as caught:
            oauth.refresh(down, CLIENT_ID, CLIENT_SECRET, "some-refresh-token")
        error = caught.exception
        self.assertEqual((error.reason, error.maybe_committed), ("unavailable", False))
        self.assertIn("could not be reached", str(error))
        self.assertNotIn("some-refresh-token", error.detail)

    def test_a_lost_refresh_answer_may_have_rotated_the_token(self):
        stub = StubXero(self, [(None, {}, b"")])
        with self.assertRaises(XeroUnavailable) as caught:
            oauth.refresh(stub.endpoints, CLIENT_ID, CLIENT_SECRET, "old-refresh-token")
        error = caught.exception
        self.assertEqual((error.reason, error.maybe_committed), ("unconfirmed", True))
        self.assertNotIn("old-refresh-token", error.detail)
        self.assertEqual(parse_qs(stub.requests[0]["body"].decode()),
                         {"grant_type": ["refresh_token"], "refresh_token": ["old-refresh-token"]})
        self.assertTrue(stub.requests[0]["headers"]["Authorization"].startswith("Basic "))

    def test_odd_answers_from_xero_are_unavailable_not_crashes(self):
        stub = StubXero(self, [(500, {}, b""), (200, JSON, b'{"token_type": "Bearer"}'),
                               (200, JSON, b'{"not": "a list"}')])
        with self.assertRaises(XeroUnavailable) as caught:
            oauth.refresh(stub.endpoints, CLIENT_ID, CLIENT_SECRET, "refresh")
        self.assertEqual(caught.exception.status, 500)
        with self.assertRaises(XeroUnavailable) as caught:
            oauth.refresh(stub.endpoints, CLIENT_ID, CLIENT_SECRET, "refresh")
        self.assertIn("access token in the answer", caught.exception.detail)
        with self.assertRaises(XeroUnavailable) as caught:
            oauth.list_connections(stub.endpoints, "token")
        self.assertIn("unexpected body", caught.exception.detail)
        self.assertEqual(len(stub.requests), 3)
