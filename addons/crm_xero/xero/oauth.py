"""Xero OAuth2: authorisation URL (state + PKCE S256), code exchange, refresh,
revocation and the connections (tenants) list.

requests-oauthlib does the OAuth work (the token requests, parsing their
answers, bearer calls); oauthlib makes the PKCE pair and the revocation
request (requests-oauthlib has none).  Plain functions returning plain dicts;
no Odoo, and nothing process-wide: oauthlib refuses plain http unless its
insecure-transport switch is on for the whole process, which we never do;
Xero's identity and API hosts are https only, the local sandbox's too (its
CA trusted per call, ``endpoints.tls_verify``).  Token dicts::

    {"access_token": "...", "refresh_token": "...", "token_type": "Bearer",
     "expires_in": 1800, "expires_at": 1760000000,   # epoch seconds (int)
     "scope": ["offline_access", "accounting.contacts", ...],   # a list
     "id_token": "..."}                                          # if any

The PKCE verifier is made here and kept by the caller (the connection
record) between the authorise click and the callback, two HTTP requests that
may reach two workers: requests-oauthlib's own PKCE keeps it on the session
object, which does not survive the first request.

Failures become the typed errors of ``errors.py`` through the same table as
the Accounting API's (``error_for_answer``).  Secrets are never logged:
requests-oauthlib logs token bodies at DEBUG, scrubbed here (``_Scrub``).
"""

import base64
import json
import logging
import time
from urllib.parse import urlsplit

import requests
from oauthlib.oauth2 import InsecureTransportError, OAuth2Error, WebApplicationClient
from oauthlib.oauth2.rfc6749.parameters import prepare_token_revocation_request
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from . import deadline, limits
from .endpoints import XeroEndpoints, check_browser_url, check_secure
from .errors import (
    XeroAuthError,
    XeroConfigError,
    XeroError,
    XeroNotFound,
    XeroUnavailable,
    _lt,
    error_for_answer,
    error_for_no_answer,
    scrub,
)

_logger = logging.getLogger(__name__)

#: What Odoo asks Xero for, by default (a setting): the granular invoice scope
#: apps created since March 2026 must use.
DEFAULT_SCOPES = ("openid", "profile", "email", "offline_access", "accounting.contacts",
                  "accounting.settings.read", "accounting.invoices")
PKCE_VERIFIER_LENGTH = 96          # RFC 7636: 43 to 128 characters
_JSON = {"Accept": "application/json"}

__all__ = ["DEFAULT_SCOPES", "XeroEndpoints", "authorization_url", "exchange_code", "refresh",
           "revoke", "list_connections", "delete_connection", "new_pkce_verifier",
           "pkce_challenge", "auth_event_id"]


class _Scrub(logging.Filter):
    """requests-oauthlib and oauthlib log request bodies, headers and tokens
    at DEBUG: their records are scrubbed of anything token-like first."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:   # noqa: BLE001 - a record we cannot format is dropped
            return False
        record.msg, record.args = scrub(message, limit=4000), ()
        return True


for _name in ("requests_oauthlib.oauth2_session", "requests_oauthlib.oauth2_auth",
              "oauthlib.oauth2.rfc6749.clients.base", "oauthlib.oauth2.rfc6749.parameters"):
    if not any(isinstance(f, _Scrub) for f in logging.getLogger(_name).filters):
        logging.getLogger(_name).addFilter(_Scrub())


def new_pkce_verifier():
    """A fresh PKCE code verifier (RFC 7636), by oauthlib."""
    return WebApplicationClient(None).create_code_verifier(PKCE_VERIFIER_LENGTH)


def pkce_challenge(code_verifier):
    """The S256 challenge of ``code_verifier``, by oauthlib."""
    return WebApplicationClient(None).create_code_challenge(code_verifier, "S256")


def authorization_url(endpoints, client_id, redirect_uri, scopes, state, code_verifier):
    """The Xero consent URL to send the admin's browser to (PKCE S256).

    Built by oauthlib, which refuses a plain-http URL unless the whole
    process allows insecure transport.  This URL is the browser's leg only
    and carries nothing secret (the client id, the signed state and the PKCE
    challenge are public by design), so a plain-http page on this machine
    (the sandbox's, ``check_browser_url``) is allowed: oauthlib builds the
    https form of it, and the scheme is put back."""
    _require(client_id, "client id")
    _require(state, "OAuth state")
    _require(code_verifier, "PKCE code verifier")
    url = check_browser_url(endpoints.authorize_url)
    secure = "https" + url[len("http"):] if url.lower().startswith("http:") else url
    built = WebApplicationClient(client_id).prepare_request_uri(
        secure, redirect_uri=redirect_uri, scope=list(scopes or DEFAULT_SCOPES), state=state,
        code_challenge=pkce_challenge(code_verifier), code_challenge_method="S256")
    return url + built[len(secure):]


def exchange_code(endpoints, client_id, client_secret, redirect_uri, code, code_verifier):
    """Trade the callback's ``code`` (and the round trip's PKCE verifier)
    for a token dict."""
    _require(code, "authorisation code")
    _require_client(client_id, client_secret)
    session = _session(client_id, redirect_uri=redirect_uri)
    try:
        return _token_call(endpoints, session, lambda **kw: session.fetch_token(
            endpoints.token_url, code=code, code_verifier=code_verifier,
            auth=HTTPBasicAuth(client_id, client_secret), include_client_id=False,
            headers=dict(_JSON), **kw))
    except XeroAuthError as exc:
        # A code is single use and short-lived: a refused one says nothing
        # about the connection already in place.
        raise XeroAuthError(
            _lt("Xero did not accept this authorisation (it was already used or has "
                "expired)."), detail=exc.detail, status=exc.status, reason="code_refused") from None


def refresh(endpoints, client_id, client_secret, refresh_token):
    """Use (and so spend) ``refresh_token``; returns the new token dict,
    whose ``refresh_token`` must be saved at once (Xero rotates it).

    If this raises XeroUnavailable with ``maybe_committed``, Xero may have
    rotated the token: retry with the same old refresh token (Xero accepts
    it again for 30 minutes)."""
    if not refresh_token:
        raise XeroAuthError(detail="no refresh token stored", reason="invalid_grant")
    _require_client(client_id, client_secret)
    session = _session(client_id)
    # HTTP Basic client authentication: refresh_token() sends no client
    # credentials unless given ``auth``.
    return _token_call(endpoints, session, lambda **kw: session.refresh_token(
        endpoints.token_url, refresh_token=refresh_token,
        auth=HTTPBasicAuth(client_id, client_secret), headers=dict(_JSON), **kw), write=True)


def revoke(endpoints, client_id, client_secret, refresh_token):
    """Revoke the refresh token (and with it the user's connections).
    The request is oauthlib's (RFC 7009); requests-oauthlib has none."""
    _require_client(client_id, client_secret)
    try:
        url, headers, body = prepare_token_revocation_request(
            check_secure(endpoints.revoke_url), refresh_token, token_type_hint="refresh_token")
    except InsecureTransportError:
        raise _insecure(endpoints.revoke_url) from None
    session = _session(client_id)
    response = _send(endpoints, "POST", url, write=True, call=lambda **kw: session.post(
        url, data=body, headers=dict(headers, **_JSON),
        auth=HTTPBasicAuth(client_id, client_secret), allow_redirects=False, **kw))
    if response.status_code != 200:
        raise _error(response, "POST /connect/revocation", identity=True, write=True)
    return True


def list_connections(endpoints, access_token):
    """The organisations this token may use: dicts with Xero's keys ``id``,
    ``tenantId``, ``tenantType``, ``tenantName``, ``createdDateUtc``,
    ``updatedDateUtc`` (and ``authEventId``)."""
    response = _bearer_call(endpoints, "GET", endpoints.connections_url, access_token)
    if response.status_code != 200:
        raise _error(response, "GET /connections")
    data = _json(response)
    if not isinstance(data, list):
        raise XeroUnavailable(detail="GET /connections: unexpected body %r" % (data,), status=200)
    return data


def delete_connection(endpoints, access_token, connection_id):
    """Disconnect one organisation (``connection_id`` is the connection's
    ``id``, not the tenant id)."""
    _require(connection_id, "connection id")
    response = _bearer_call(endpoints, "DELETE",
                            "%s/%s" % (endpoints.connections_url, connection_id), access_token,
                            write=True)
    if response.status_code not in (200, 204):
        error = _error(response, "DELETE /connections/{id}", write=True)
        if isinstance(error, XeroNotFound):
            error = XeroNotFound(_lt("Xero has no such connection; it may already be "
                                     "disconnected."), detail=error.detail, status=404)
        raise error
    return True


def auth_event_id(access_token):
    """Xero's access tokens are JWTs; ``authentication_event_id`` tells which
    connections this very consent created.  Unverified read: only a filter."""
    try:
        payload = access_token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        return json.loads(base64.urlsafe_b64decode(payload)).get("authentication_event_id")
    except (IndexError, ValueError, AttributeError):
        return None


# -- internals ------------------------------------------------------------------

def _require(value, what):
    if not value:
        raise XeroConfigError(
            _lt("The Xero %(what)s is missing; an administrator can set it up in Settings > "
                "CRM > Xero."), detail="missing %s" % what, what=what)


def _require_client(client_id, client_secret):
    _require(client_id, "client id")
    _require(client_secret, "client secret")


def _insecure(url):
    return XeroConfigError(
        _lt("The Xero address %(url)s is not secure (https is required); an administrator can "
            "correct it in Settings."), url=url)


def _session(client_id, token=None, redirect_uri=None):
    """A requests-oauthlib session for one call.  No scope of its own: Xero
    may grant fewer scopes than asked, which is not an error here.  No
    redirect followed: Xero's identity and API hosts answer directly."""
    session = OAuth2Session(client_id, token=token, redirect_uri=redirect_uri)
    session.max_redirects = 0
    return session


def _token_call(endpoints, session, fetch, write=False):
    """A token request (``fetch``: fetch_token or refresh_token of
    ``session``): Xero's error answers become typed errors before oauthlib
    reads them; the token as a plain dict."""
    operation = "POST /connect/token"

    def check(response):
        if response.status_code != 200:
            raise _error(response, operation, identity=True, write=write)
        body = _json(response)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise XeroUnavailable(detail="%s: no access token in the answer" % operation,
                                  status=200)
        return response
    for hook in ("access_token_response", "refresh_token_response"):
        session.register_compliance_hook(hook, check)
    check_secure(endpoints.token_url)
    try:
        token = _send(endpoints, "POST", endpoints.token_url, write=write, call=fetch)
    except (OAuth2Error, Warning) as exc:
        raise XeroUnavailable(detail="%s: %s" % (operation, exc), status=200) from None
    return _plain_token(token)


def _bearer_call(endpoints, method, url, access_token, write=False):
    if not access_token:
        raise XeroAuthError(detail="no access token")
    session = _session(None, token={"access_token": access_token, "token_type": "Bearer"})
    return _send(endpoints, method, url, write=write, call=lambda **kw: session.request(
        method, url, headers=dict(_JSON), allow_redirects=False, **kw))


def _send(endpoints, method, url, call, write=False):
    """``call(timeout=, verify=)``, within the request's deadline, with the
    certificate checked against ``endpoints.tls_verify(url)`` (a path:
    nothing in the environment can replace it).  A refresh cut short is
    retried with the same refresh token, which Xero accepts again for 30
    minutes."""
    operation = "%s %s" % (method, urlsplit(url).path)
    check_secure(url)
    start = time.monotonic()
    timeout = deadline.cap(limits.READ_TIMEOUT)
    try:
        answer = call(timeout=(min(limits.CONNECT_TIMEOUT, timeout), timeout),
                      verify=endpoints.tls_verify(url))
    except InsecureTransportError:
        raise _insecure(url) from None
    except requests.exceptions.TooManyRedirects as exc:
        raise _error(exc.response, operation, write=write) from None
    except requests.exceptions.SSLError as exc:
        # Nothing was sent: the certificate was refused before the request.
        raise XeroUnavailable(
            _lt("Xero's certificate could not be verified (%(url)s); nothing was sent. An "
                "administrator can check the Xero addresses in Settings."),
            detail="%s: %s" % (operation, exc), url=url) from None
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        connect_failed = isinstance(exc, requests.exceptions.ConnectTimeout) or (
            isinstance(exc, requests.exceptions.ConnectionError)
            and "NewConnectionError" in repr(exc))
        raise error_for_no_answer(operation, exc, connect_failed,
                                  isinstance(exc, requests.exceptions.Timeout), write) from None
    except XeroError:
        raise
    status = getattr(answer, "status_code", 200)
    _logger.info("Xero identity %s -> %s (%.0f ms)", operation, status,
                 (time.monotonic() - start) * 1000)
    return answer


def _error(response, operation, identity=False, write=False):
    return error_for_answer(response.status_code, response.content, response.headers,
                            operation, write=write, identity=identity)


def _json(response):
    try:
        return response.json()
    except ValueError:
        return None


def _plain_token(token):
    result = dict(token)
    scope = result.get("scope") or []
    if isinstance(scope, str):
        scope = scope.split()
    result["scope"] = list(scope)
    if result.get("expires_in") is not None:
        result["expires_in"] = int(result["expires_in"])
    if result.get("expires_at") is not None:
        result["expires_at"] = int(result["expires_at"])
    elif result.get("expires_in") is not None:
        result["expires_at"] = int(time.time() + int(result["expires_in"]))
    return result
