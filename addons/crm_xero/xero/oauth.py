"""Xero OAuth2: authorisation URL (state + PKCE S256), code exchange, refresh,
revocation and the connections (tenants) list.

Plain functions on ``requests``, returning plain dicts; no Odoo, and nothing
process-wide (no OAUTHLIB_INSECURE_TRANSPORT): each URL is checked where it
is called (https, or http to loopback for the sandbox).  Token dicts::

    {"access_token": "...", "refresh_token": "...", "token_type": "Bearer",
     "expires_in": 1800, "expires_at": 1760000000,   # epoch seconds (int)
     "scope": ["offline_access", "accounting.contacts", ...],   # a list
     "id_token": "..."}                                          # if any

Failures become the typed errors of ``errors.py`` through the same table as
the Accounting API's (``error_for_answer``).
"""

import base64
import hashlib
import json
import logging
import secrets
import time
from urllib.parse import urlencode, urlsplit

import requests

from . import deadline, limits
from .endpoints import XeroEndpoints, check_secure
from .errors import (
    XeroAuthError,
    XeroConfigError,
    XeroNotFound,
    XeroUnavailable,
    _lt,
    error_for_answer,
    error_for_no_answer,
)

_logger = logging.getLogger(__name__)

#: What Odoo asks Xero for, by default (a setting): the granular invoice scope
#: apps created since March 2026 must use.
DEFAULT_SCOPES = ("openid", "profile", "email", "offline_access", "accounting.contacts",
                  "accounting.settings.read", "accounting.invoices")

__all__ = ["DEFAULT_SCOPES", "XeroEndpoints", "authorization_url", "exchange_code", "refresh",
           "revoke", "list_connections", "delete_connection", "new_pkce_verifier",
           "pkce_challenge", "auth_event_id"]


def new_pkce_verifier():
    """A fresh PKCE code verifier (RFC 7636: 43-128 unreserved chars)."""
    return secrets.token_urlsafe(64)[:96]


def pkce_challenge(code_verifier):
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(endpoints, client_id, redirect_uri, scopes, state, code_verifier):
    """The Xero consent URL to send the admin's browser to (PKCE S256)."""
    _require(client_id, "client id")
    _require(state, "OAuth state")
    _require(code_verifier, "PKCE code verifier")
    return check_secure(endpoints.authorize_url) + "?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": " ".join(scopes or DEFAULT_SCOPES), "state": state,
        "code_challenge": pkce_challenge(code_verifier), "code_challenge_method": "S256",
    })


def exchange_code(endpoints, client_id, client_secret, redirect_uri, code, code_verifier):
    """Trade the callback's ``code`` for a token dict."""
    _require(code, "authorisation code")
    try:
        return _token_request(endpoints, client_id, client_secret, {
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": code_verifier})
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
    return _token_request(endpoints, client_id, client_secret, {
        "grant_type": "refresh_token", "refresh_token": refresh_token}, write=True)


def revoke(endpoints, client_id, client_secret, refresh_token):
    """Revoke the refresh token (and with it the user's connections)."""
    _require(client_id, "client id")
    _require(client_secret, "client secret")
    response = _http("POST", endpoints.revoke_url, data={"token": refresh_token},
                     auth=(client_id, client_secret), headers={"Accept": "application/json"},
                     write=True)
    if response.status_code != 200:
        raise _error(response, "POST /connect/revocation", identity=True, write=True)
    return True


def list_connections(endpoints, access_token):
    """The organisations this token may use: dicts with Xero's keys ``id``,
    ``tenantId``, ``tenantType``, ``tenantName``, ``createdDateUtc``,
    ``updatedDateUtc`` (and ``authEventId``)."""
    response = _http("GET", endpoints.connections_url, headers=_bearer(access_token))
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
    response = _http("DELETE", "%s/%s" % (endpoints.connections_url, connection_id),
                     headers=_bearer(access_token), write=True)
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


def _token_request(endpoints, client_id, client_secret, form, write=False):
    _require(client_id, "client id")
    _require(client_secret, "client secret")
    response = _http("POST", endpoints.token_url, data=form, auth=(client_id, client_secret),
                     headers={"Accept": "application/json"}, write=write)
    if response.status_code != 200:
        raise _error(response, "POST /connect/token", identity=True, write=write)
    token = _json(response)
    if not isinstance(token, dict) or not token.get("access_token"):
        raise XeroUnavailable(detail="POST /connect/token: no access token in the answer",
                              status=200)
    return _plain_token(token)


def _bearer(access_token):
    if not access_token:
        raise XeroAuthError(detail="no access token")
    return {"Authorization": "Bearer " + access_token, "Accept": "application/json"}


def _http(method, url, write=False, **kwargs):
    operation = "%s %s" % (method, urlsplit(url).path)
    check_secure(url)
    start = time.monotonic()
    # Within the request's deadline: a refresh cut short is retried with the
    # same refresh token, which Xero accepts again for 30 minutes.
    timeout = deadline.cap(limits.READ_TIMEOUT)
    try:
        response = requests.request(
            method, url, timeout=(min(limits.CONNECT_TIMEOUT, timeout), timeout),
            allow_redirects=False, **kwargs)
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        connect_failed = isinstance(exc, requests.exceptions.ConnectTimeout) or (
            isinstance(exc, requests.exceptions.ConnectionError)
            and "NewConnectionError" in repr(exc))
        raise error_for_no_answer(operation, exc, connect_failed,
                                  isinstance(exc, requests.exceptions.Timeout), write) from None
    _logger.info("Xero identity %s -> %s (%.0f ms)", operation, response.status_code,
                 (time.monotonic() - start) * 1000)
    return response


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
    if result.get("expires_at") is not None:
        result["expires_at"] = int(result["expires_at"])
    elif result.get("expires_in") is not None:
        result["expires_at"] = int(time.time() + int(result["expires_in"]))
    return result
