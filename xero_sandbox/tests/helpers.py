"""Test helpers: the OAuth dance as a browser does it, and an API client whose
every request and response is checked against Xero's OpenAPI spec."""
import base64
import hashlib
import re
import secrets
import warnings

import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.responses.exceptions import ResponseNotFound
from werkzeug.datastructures import Headers, ImmutableMultiDict

CLIENT = ("sandbox-client-id", "sandbox-client-secret")
REDIRECT_URI = "http://localhost:8069/crm_xero/oauth/callback"
SCOPES = ("openid profile email offline_access accounting.contacts "
          "accounting.settings.read accounting.invoices")
XERO_API = "https://api.xero.com"


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def consent_form(url, session=None, scope=SCOPES, challenge=None, state="st-1",
                 redirect_uri=REDIRECT_URI, client_id=CLIENT[0]):
    """GET the consent page; returns (response, request_id, tenant ids shown)."""
    session = session or requests.Session()
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
              "scope": scope, "state": state}
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    page = session.get(url + "/identity/connect/authorize", params=params,
                       allow_redirects=False)
    found = re.search(r'name="request_id" value="([^"]+)"', page.text)
    tenants = re.findall(r'name="tenant_id" value="([^"]+)"', page.text)
    return page, found.group(1) if found else None, tenants


def authorize(url, tenants=None, scope=SCOPES, decision="allow", verifier=None):
    """Consent as Demo User; returns (redirect Location, code or None, verifier)."""
    if verifier is None:
        verifier, challenge = pkce_pair()
    else:
        challenge = pkce_pair()[1] if verifier == "" else base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    page, request_id, shown = consent_form(url, scope=scope, challenge=challenge)
    assert page.status_code == 200, page.text
    data = {"request_id": request_id, "decision": decision,
            "tenant_id": shown[:1] if tenants is None else tenants}
    answer = requests.post(url + "/identity/connect/authorize", data=data,
                           allow_redirects=False)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    code = re.search(r"[?&]code=([^&]+)", location)
    return location, code.group(1) if code else None, verifier


def exchange(url, code, verifier, redirect_uri=REDIRECT_URI, auth=CLIENT):
    return requests.post(url + "/connect/token", auth=auth, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "code_verifier": verifier})


def refresh(url, refresh_token, auth=CLIENT):
    return requests.post(url + "/connect/token", auth=auth, data={
        "grant_type": "refresh_token", "refresh_token": refresh_token})


def connect(url, tenants=None, scope=SCOPES):
    """The whole dance; returns the token response JSON."""
    _, code, verifier = authorize(url, tenants=tenants, scope=scope)
    answer = exchange(url, code, verifier)
    assert answer.status_code == 200, answer.text
    return answer.json()


class XeroHttp:
    """Talks to the sandbox's Accounting API with ``requests`` and checks each
    exchange against xero_accounting.yaml (the sandbox URL mapped onto
    https://api.xero.com/api.xro/2.0)."""

    def __init__(self, url, openapi, access_token, tenant_id):
        self.url, self.openapi = url, openapi
        self.session = requests.Session()
        self.session.headers.update({"Authorization": "Bearer " + access_token,
                                     "Accept": "application/json",
                                     "xero-tenant-id": tenant_id})

    def call(self, method, path, validate=True, **kwargs):
        response = self.session.request(method, self.url + "/api.xro/2.0" + path, **kwargs)
        if validate:
            # validate="response" for requests that break the spec on purpose.
            check_against_spec(self.openapi, response, "/api.xro/2.0",
                               check_request=validate is True)
        return response

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def put(self, path, json, **kwargs):
        return self.call("PUT", path, json=json, **kwargs)

    def post(self, path, json, **kwargs):
        return self.call("POST", path, json=json, **kwargs)


def check_against_spec(openapi, response, prefix, path_map=None, check_request=True):
    """Validate request and response; statuses the spec does not document
    (401/403/429/5xx) are checked by the tests themselves."""
    prepared = response.request.copy()
    tail = prepared.url.split(prefix, 1)[1] if prefix else "/" + prepared.url.split("/", 3)[3]
    if path_map:
        tail = path_map(tail)
    prepared.url = XERO_API + prefix + tail
    request = RequestsOpenAPIRequest(prepared)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # openapi-core can't check OAuth2 security
        if check_request:
            openapi.validate_request(request)
        original = response.request
        response.request = prepared
        try:
            openapi.validate_response(request, RequestsOpenAPIResponse(response))
        except ResponseNotFound:
            if response.status_code < 300:   # undocumented errors are asserted by tests
                raise
        finally:
            response.request = original


class WebhookDelivery:
    """A received webhook POST as openapi-core's webhook request protocol sees it;
    ``name`` is the spec's webhook (contacts, invoices, creditNotes)."""

    method = "post"
    content_type = "application/json"

    def __init__(self, name, headers, body):
        self.name, self.body = name, body
        self.parameters = RequestParameters(query=ImmutableMultiDict(), header=Headers(headers),
                                            cookie=ImmutableMultiDict(), path={})
