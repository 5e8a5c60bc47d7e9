"""Xero OAuth2: authorisation URL (state + PKCE S256), code exchange, refresh,
revocation and the connections (tenants) list, on requests-oauthlib.

Plain functions returning plain dicts; no Odoo.  Token dicts look like::

    {"access_token": "...", "refresh_token": "...", "token_type": "Bearer",
     "expires_in": 1800, "expires_at": 1760000000,   # epoch seconds (int)
     "scope": ["offline_access", "accounting.contacts", ...],   # a list
     "id_token": "..."}                                          # if any

Failures become the typed errors of ``errors.py``: ``invalid_grant`` ->
XeroAuthError, bad client credentials -> XeroConfigError, 429 ->
XeroRateLimited, 5xx / refused / timeout -> XeroUnavailable.
"""

import base64
import dataclasses
import hashlib
import ipaddress
import logging
import os
import secrets
import time
from urllib.parse import urlsplit

import requests
from oauthlib.oauth2 import OAuth2Error as OAuthlibError
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from .errors import (XeroAuthError, XeroConfigError, XeroError, XeroForbidden,
                     XeroNotFound, XeroRateLimited, XeroUnavailable,
                     XeroValidationError)

_logger = logging.getLogger(__name__)

# requests-oauthlib logs request bodies and tokens at DEBUG level: never let
# it, whatever the log configuration says.
logging.getLogger("requests_oauthlib").setLevel(logging.INFO)

DEFAULT_TIMEOUT = 20.0
DEFAULT_SCOPES = (
    "offline_access",
    "accounting.contacts",
    "accounting.settings.read",
    "accounting.invoices",
)


@dataclasses.dataclass(frozen=True)
class XeroEndpoints:
    """Where Xero lives.  Defaults are real Xero; the sandbox serves all three
    from one address (``XeroEndpoints.single(url)``)."""

    login_url: str = "https://login.xero.com"
    identity_url: str = "https://identity.xero.com"
    api_url: str = "https://api.xero.com"
    go_url: str = "https://go.xero.com"

    def __post_init__(self):
        for field in ("login_url", "identity_url", "api_url", "go_url"):
            value = (getattr(self, field) or "").strip().rstrip("/")
            if not value:
                raise XeroConfigError(
                    "The Xero %s is empty; an administrator can set it in "
                    "Settings > CRM > Xero." % field.replace("_", " "))
            object.__setattr__(self, field, value)

    @classmethod
    def single(cls, base_url):
        base = base_url.rstrip("/")
        return cls(login_url=base, identity_url=base, api_url=base, go_url=base)

    @property
    def authorize_url(self):
        return self.login_url + "/identity/connect/authorize"

    @property
    def token_url(self):
        return self.identity_url + "/connect/token"

    @property
    def revoke_url(self):
        return self.identity_url + "/connect/revocation"

    @property
    def connections_url(self):
        return self.api_url + "/connections"

    @property
    def accounting_url(self):
        return self.api_url + "/api.xro/2.0"


def new_pkce_verifier():
    """A fresh PKCE code verifier (RFC 7636: 43-128 unreserved chars)."""
    return secrets.token_urlsafe(64)[:96]


def pkce_challenge(code_verifier):
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(endpoints, client_id, redirect_uri, scopes, state,
                      code_verifier):
    """The Xero consent URL to send the admin's browser to (PKCE S256)."""
    _require(client_id, "client id")
    _require(state, "OAuth state")
    _require(code_verifier, "PKCE code verifier")
    _check_transport(endpoints.authorize_url)
    session = OAuth2Session(client_id, redirect_uri=redirect_uri,
                            scope=list(scopes or DEFAULT_SCOPES))
    url, _state = session.authorization_url(
        endpoints.authorize_url, state=state,
        code_challenge=pkce_challenge(code_verifier),
        code_challenge_method="S256")
    return url


def exchange_code(endpoints, client_id, client_secret, redirect_uri, code,
                  code_verifier, timeout=DEFAULT_TIMEOUT):
    """Trade the callback's ``code`` for a token dict."""
    _require(client_id, "client id")
    _require(client_secret, "client secret")
    _require(code, "authorisation code")
    _check_transport(endpoints.token_url)
    session = OAuth2Session(client_id, redirect_uri=redirect_uri)
    session.register_compliance_hook("access_token_response", _check_token_response)
    return _token_call(
        "token exchange",
        lambda: session.fetch_token(
            endpoints.token_url, code=code, code_verifier=code_verifier,
            client_secret=client_secret, include_client_id=False,
            auth=HTTPBasicAuth(client_id, client_secret), timeout=timeout))


def refresh(endpoints, client_id, client_secret, refresh_token,
            timeout=DEFAULT_TIMEOUT):
    """Use (and so spend) ``refresh_token``; returns the new token dict,
    whose ``refresh_token`` must be saved at once (Xero rotates it).

    If this raises XeroUnavailable with ``maybe_committed``, Xero may have
    rotated the token: retry with the same old refresh token (Xero accepts
    it again for 30 minutes)."""
    _require(client_id, "client id")
    _require(client_secret, "client secret")
    if not refresh_token:
        raise XeroAuthError(detail="no refresh token stored", reason="invalid_grant")
    _check_transport(endpoints.token_url)
    session = OAuth2Session(client_id)
    session.register_compliance_hook("refresh_token_response", _check_token_response)
    return _token_call(
        "token refresh",
        lambda: session.refresh_token(
            endpoints.token_url, refresh_token=refresh_token,
            auth=HTTPBasicAuth(client_id, client_secret), timeout=timeout),
        write=True)


def revoke(endpoints, client_id, client_secret, refresh_token,
           timeout=DEFAULT_TIMEOUT):
    """Revoke the refresh token (and with it the user's connections)."""
    _require(client_id, "client id")
    _require(client_secret, "client secret")
    _check_transport(endpoints.revoke_url)
    response = _http("POST", endpoints.revoke_url, timeout,
                     data={"token": refresh_token},
                     auth=HTTPBasicAuth(client_id, client_secret),
                     headers={"Accept": "application/json"}, write=True)
    if response.status_code == 200:
        return True
    _raise_for_identity(response, "token revocation")


def list_connections(endpoints, access_token, timeout=DEFAULT_TIMEOUT):
    """The organisations this token may use: a list of dicts with Xero's
    keys ``id``, ``tenantId``, ``tenantType``, ``tenantName``,
    ``createdDateUtc``, ``updatedDateUtc`` (and ``authEventId``)."""
    _check_transport(endpoints.connections_url)
    response = _http("GET", endpoints.connections_url, timeout,
                     headers=_bearer(access_token))
    if response.status_code == 200:
        data = _json(response)
        if isinstance(data, list):
            return data
        raise XeroUnavailable(detail="GET /connections: unexpected body %r" % data,
                              status=200)
    _raise_for_api(response, "GET /connections")


def delete_connection(endpoints, access_token, connection_id,
                      timeout=DEFAULT_TIMEOUT):
    """Disconnect one organisation (``connection_id`` is the connection's
    ``id``, not the tenant id).  Returns True."""
    _require(connection_id, "connection id")
    url = "%s/%s" % (endpoints.connections_url, connection_id)
    _check_transport(url)
    response = _http("DELETE", url, timeout, headers=_bearer(access_token),
                     write=True)
    if response.status_code in (200, 204):
        return True
    _raise_for_api(response, "DELETE /connections/{id}")


# -- internals ---------------------------------------------------------------

def _require(value, what):
    if not value:
        raise XeroConfigError(
            "The Xero %s is missing; an administrator can set it up in "
            "Settings > CRM > Xero." % what, detail="missing %s" % what)


def _check_transport(url):
    """https everywhere; plain http only to this machine (the sandbox).

    oauthlib refuses http outright unless OAUTHLIB_INSECURE_TRANSPORT is set;
    we set it only once a loopback http endpoint is actually in use."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
        return
    raise XeroConfigError(
        "The Xero address %s is not secure (https is required); an "
        "administrator can correct it in Settings." % url)


def _is_loopback(host):
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except (TypeError, ValueError):
        return False


def _bearer(access_token):
    if not access_token:
        raise XeroAuthError(detail="no access token", reason="invalid_token")
    return {"Authorization": "Bearer " + access_token, "Accept": "application/json"}


def _http(method, url, timeout, write=False, **kwargs):
    path = urlsplit(url).path
    start = time.monotonic()
    try:
        response = requests.request(method, url, timeout=_timeouts(timeout), **kwargs)
    except requests.exceptions.ConnectionError as exc:
        raise _unreachable(method, path, exc, write) from None
    except requests.exceptions.Timeout as exc:
        raise _unreachable(method, path, exc, write) from None
    _logger.info("Xero identity %s %s -> %s (%.0f ms)", method, path,
                 response.status_code, (time.monotonic() - start) * 1000)
    return response


def _timeouts(timeout):
    return (min(5.0, float(timeout)), float(timeout))


def _unreachable(method, path, exc, write):
    connect_failed = isinstance(exc, requests.exceptions.ConnectTimeout) or (
        isinstance(exc, requests.exceptions.ConnectionError)
        and "NewConnectionError" in repr(exc))
    timed_out = isinstance(exc, requests.exceptions.Timeout)
    message = None
    if timed_out and not write:
        message = "Xero did not answer in time; try again in a few minutes."
    return XeroUnavailable(
        message, detail="%s %s: %s: %s" % (method, path, type(exc).__name__, exc),
        maybe_committed=bool(write and not connect_failed))


def _json(response):
    try:
        return response.json()
    except ValueError:
        return None


def _check_token_response(response):
    """requests-oauthlib compliance hook: turn non-200 token answers into
    typed errors before oauthlib tries to parse them."""
    if response.status_code == 200:
        return response
    _raise_for_identity(response, "token request")


def _raise_for_identity(response, operation):
    status = response.status_code
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    detail = "%s -> %s %s" % (operation, status, error or response.text[:300])
    if error in ("invalid_grant", "unauthorized_client", "access_denied") or status == 401 and not error:
        raise XeroAuthError(detail=detail, status=status, reason="invalid_grant")
    if error == "invalid_client":
        raise XeroConfigError(
            "Xero rejected the app's client id or secret; an administrator "
            "can correct them in Settings > CRM > Xero.", detail=detail,
            status=status)
    if status == 429:
        raise _rate_limited(response, detail)
    if status >= 500:
        raise XeroUnavailable(detail=detail, status=status)
    raise XeroError(
        "Xero refused the sign-in request (%s); an administrator may need to "
        "reconnect Xero in Settings." % (error or status),
        detail=detail, status=status)


def _raise_for_api(response, operation):
    status = response.status_code
    detail = "%s -> %s %s" % (operation, status, response.text[:300])
    if status == 401:
        raise XeroAuthError(detail=detail, status=status, reason="invalid_token")
    if status == 403:
        raise XeroForbidden(detail=detail, status=status)
    if status == 404:
        raise XeroNotFound(
            "Xero has no such connection; it may already be disconnected.",
            detail=detail, status=status)
    if status == 429:
        raise _rate_limited(response, detail)
    if status >= 500:
        raise XeroUnavailable(detail=detail, status=status)
    if status == 400:
        raise XeroValidationError(detail=detail)
    raise XeroError(detail=detail, status=status)


def _rate_limited(response, detail):
    try:
        retry_after = int(float(response.headers.get("Retry-After", 60)))
    except ValueError:
        retry_after = 60
    return XeroRateLimited(
        retry_after, response.headers.get("X-Rate-Limit-Problem", "minute"),
        detail=detail)


def _token_call(operation, call, write=False):
    try:
        token = call()
    except XeroError:
        raise
    except requests.exceptions.RequestException as exc:
        raise _unreachable("POST", "/connect/token", exc, write) from None
    except OAuthlibError as exc:
        detail = "%s: %s" % (operation, exc.error)
        if exc.error == "invalid_grant":
            raise XeroAuthError(detail=detail, reason="invalid_grant") from None
        if exc.error == "invalid_client":
            raise XeroConfigError(
                "Xero rejected the app's client id or secret; an administrator "
                "can correct them in Settings > CRM > Xero.",
                detail=detail) from None
        raise XeroError(detail=detail) from None
    except Warning as exc:  # oauthlib: "Scope has changed" (we pass no scope)
        raise XeroError(detail="%s: %s" % (operation, exc)) from None
    return _plain_token(token)


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
