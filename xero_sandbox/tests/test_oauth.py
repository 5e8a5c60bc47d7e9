"""The OAuth2 dance as a browser and an integration perform it."""
import json
import time

import requests

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID
from xero_sandbox.control import fingerprint
from xero_sandbox.oauth import read_jwt

from .helpers import (
    CLIENT,
    REDIRECT_URI,
    XeroHttp,
    authorize,
    check_against_spec,
    connect,
    consent_form,
    exchange,
    pkce_pair,
    refresh,
)


def _claims(token):
    import base64
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_consent_page_lists_organisations_and_scopes(sandbox):
    page, request_id, tenants = consent_form(sandbox.url, challenge=pkce_pair()[1])
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert tenants == [DEMO_TENANT_ID, SECOND_TENANT_ID]
    assert 'value="%s" checked' % DEMO_TENANT_ID in page.text
    assert 'value="%s" checked' % SECOND_TENANT_ID not in page.text
    assert "Demo User" in page.text and "Allow access" in page.text
    assert 'action="/identity/connect/authorize"' in page.text and request_id
    assert "accounting.contacts" in page.text


def test_unknown_client_or_redirect_gets_an_error_page_not_a_redirect(sandbox):
    page, request_id, _ = consent_form(sandbox.url, client_id="someone-else")
    assert page.status_code == 400 and "Location" not in page.headers
    assert request_id is None and "unauthorized_client" in page.text
    page, request_id, _ = consent_form(sandbox.url, redirect_uri="https://evil.example/cb")
    assert page.status_code == 400 and "Location" not in page.headers
    assert "redirect_uri" in page.text


def test_allow_with_pkce_gives_tokens_and_connections(sandbox, identity_spec):
    location, code, verifier = authorize(sandbox.url, tenants=[DEMO_TENANT_ID])
    assert location.startswith(REDIRECT_URI + "?") and "state=st-1" in location
    answer = exchange(sandbox.url, code, verifier)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1800
    assert body["scope"].split() == ["openid", "profile", "email", "offline_access",
                                     "accounting.contacts", "accounting.settings.read",
                                     "accounting.invoices"]
    assert body["refresh_token"] and body["id_token"]
    claims = read_jwt(sandbox.config.jwt_key, body["access_token"])
    assert claims["exp"] - time.time() > 1700 and claims["xero_userid"]
    assert claims["authentication_event_id"]
    assert _claims(body["id_token"])["email"] == "demo.user@example.com"
    connections = requests.get(sandbox.url + "/connections",
                               headers={"Authorization": "Bearer " + body["access_token"]})
    check_against_spec(identity_spec, connections, "",
                       path_map=lambda p: p.replace("/connections", "/Connections"))
    [connection] = connections.json()
    assert connection["tenantId"] == DEMO_TENANT_ID
    assert connection["tenantName"] == "Demo Company (Global)"
    assert connection["tenantType"] == "ORGANISATION"
    assert connection["authEventId"] == claims["authentication_event_id"]


def test_consent_to_a_second_org_later_adds_a_connection(sandbox):
    first = connect(sandbox.url, tenants=[DEMO_TENANT_ID])
    second = connect(sandbox.url, tenants=[SECOND_TENANT_ID])
    listed = requests.get(sandbox.url + "/connections", headers={
        "Authorization": "Bearer " + second["access_token"]}).json()
    assert {c["tenantId"] for c in listed} == {DEMO_TENANT_ID, SECOND_TENANT_ID}
    # Each consent is its own auth event; the first refresh token still works.
    assert len({c["authEventId"] for c in listed}) == 2
    assert refresh(sandbox.url, first["refresh_token"]).status_code == 200


def test_cancel_redirects_with_access_denied(sandbox):
    location, code, _ = authorize(sandbox.url, decision="cancel")
    assert code is None
    assert location == REDIRECT_URI + "?error=access_denied&state=st-1"


def test_code_is_single_use_and_needs_the_right_verifier(sandbox):
    _, code, verifier = authorize(sandbox.url)
    wrong = exchange(sandbox.url, code, pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json() == {"error": "invalid_grant"}
    _, code, verifier = authorize(sandbox.url)
    assert exchange(sandbox.url, code, verifier).status_code == 200
    reused = exchange(sandbox.url, code, verifier)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    _, code, verifier = authorize(sandbox.url)
    other_uri = exchange(sandbox.url, code, verifier, redirect_uri=REDIRECT_URI + "x")
    assert other_uri.json() == {"error": "invalid_grant"}


def test_wrong_client_secret_is_invalid_client(sandbox):
    _, code, verifier = authorize(sandbox.url)
    answer = exchange(sandbox.url, code, verifier, auth=(CLIENT[0], "nope"))
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}
    # Credentials in the form body are accepted too.
    answer = requests.post(sandbox.url + "/connect/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier, "client_id": CLIENT[0], "client_secret": CLIENT[1]})
    assert answer.status_code == 200


def test_refresh_tokens_rotate_and_old_ones_die(sandbox):
    tokens = connect(sandbox.url)
    renewed = refresh(sandbox.url, tokens["refresh_token"])
    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] != tokens["refresh_token"]
    assert refresh(sandbox.url, renewed.json()["refresh_token"]).status_code == 200
    again = refresh(sandbox.url, tokens["refresh_token"])
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}
    stats = requests.get(sandbox.url + "/_sandbox/stats").json()
    assert stats["token_requests"] == {"authorization_code": 1, "refresh_token": 3}


def test_a_refresh_whose_answer_was_lost_may_be_sent_again(sandbox):
    """As Xero: the old refresh token works again for 30 minutes while the
    one it was rotated into (never received) is unused."""
    tokens = connect(sandbox.url)
    refresh(sandbox.url, tokens["refresh_token"])   # its answer never arrives
    again = refresh(sandbox.url, tokens["refresh_token"])
    assert again.status_code == 200
    assert refresh(sandbox.url, again.json()["refresh_token"]).status_code == 200
    assert refresh(sandbox.url, tokens["refresh_token"]).json() == {"error": "invalid_grant"}


def test_revocation_kills_refresh_tokens_connections_and_access(sandbox, accounting_spec):
    tokens = connect(sandbox.url)
    answer = requests.post(sandbox.url + "/connect/revocation", auth=CLIENT,
                           data={"token": tokens["refresh_token"]})
    assert answer.status_code == 200
    assert refresh(sandbox.url, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    api = XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], DEMO_TENANT_ID)
    assert api.get("/Organisation").status_code == 401
    assert requests.get(sandbox.url + "/_sandbox/stats").json()["revocations"] == 1


def test_disconnect_in_xero_makes_refresh_fail(sandbox):
    tokens = connect(sandbox.url, tenants=[SECOND_TENANT_ID])
    answer = requests.post(sandbox.url + "/_sandbox/grants/revoke",
                           json={"tenant_id": SECOND_TENANT_ID})
    assert answer.json() == {"revoked": 1}
    assert refresh(sandbox.url, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    fresh = connect(sandbox.url, tenants=[DEMO_TENANT_ID])
    listed = requests.get(sandbox.url + "/connections", headers={
        "Authorization": "Bearer " + fresh["access_token"]}).json()
    assert [c["tenantId"] for c in listed] == [DEMO_TENANT_ID]


def test_expired_access_token_is_401_until_refreshed(sandbox, accounting_spec):
    tokens = connect(sandbox.url)
    requests.post(sandbox.url + "/_sandbox/tokens/expire")
    api = XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], DEMO_TENANT_ID)
    answer = api.get("/Contacts")
    assert answer.status_code == 401
    assert answer.json()["Title"] == "Unauthorized"
    assert answer.json()["Detail"].startswith("TokenExpired: ")
    renewed = refresh(sandbox.url, tokens["refresh_token"]).json()
    api = XeroHttp(sandbox.url, accounting_spec, renewed["access_token"], DEMO_TENANT_ID)
    assert api.get("/Organisation").status_code == 200


def test_tenant_not_connected_is_403(sandbox, accounting_spec):
    tokens = connect(sandbox.url, tenants=[DEMO_TENANT_ID])
    api = XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], SECOND_TENANT_ID)
    answer = api.get("/Organisation")
    assert answer.status_code == 403
    assert answer.json() == {"Type": None, "Title": "Forbidden", "Status": 403,
                             "Detail": "AuthenticationUnsuccessful"}


def test_delete_connection(sandbox):
    tokens = connect(sandbox.url, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])
    headers = {"Authorization": "Bearer " + tokens["access_token"]}
    listed = requests.get(sandbox.url + "/connections", headers=headers).json()
    gone = requests.delete(sandbox.url + "/Connections/" + listed[1]["id"], headers=headers)
    assert gone.status_code == 204 and gone.content == b""
    again = requests.delete(sandbox.url + "/connections/" + listed[1]["id"], headers=headers)
    assert again.status_code == 404
    assert len(requests.get(sandbox.url + "/connections", headers=headers).json()) == 1


def test_scope_is_enforced(sandbox, accounting_spec):
    tokens = connect(sandbox.url, scope="offline_access accounting.contacts.read")
    api = XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], DEMO_TENANT_ID)
    assert api.get("/Contacts?page=1").status_code == 200
    refused = api.put("/Contacts", {"Contacts": [{"Name": "No Write Scope"}]})
    assert refused.status_code == 401
    assert refused.json()["Detail"] == "AuthorizationUnsuccessful"
    assert "id_token" not in tokens


def test_grants_show_which_refresh_token_still_works(sandbox):
    tokens = connect(sandbox.url, tenants=[DEMO_TENANT_ID])
    grants = requests.get(sandbox.url + "/_sandbox/grants").json()["grants"]
    assert len(grants) == 1 and grants[0]["active"]
    assert grants[0]["tenant_ids"] == [DEMO_TENANT_ID]
    assert grants[0]["live_refresh_tokens"] == [fingerprint(tokens["refresh_token"])]
    assert (grants[0]["live_access_tokens"], grants[0]["spent_refresh_tokens"]) == (1, 0)
    fresh = refresh(sandbox.url, tokens["refresh_token"]).json()
    requests.post(sandbox.url + "/_sandbox/tokens/expire")
    grant = requests.get(sandbox.url + "/_sandbox/grants").json()["grants"][0]
    assert grant["live_refresh_tokens"] == [fingerprint(fresh["refresh_token"])]
    assert (grant["spent_refresh_tokens"], grant["live_access_tokens"],
            grant["expired_access_tokens"]) == (1, 0, 2)
    assert tokens["refresh_token"] not in json.dumps(grant)
    requests.post(sandbox.url + "/_sandbox/grants/revoke")
    grant = requests.get(sandbox.url + "/_sandbox/grants").json()["grants"][0]
    assert not grant["active"] and grant["live_refresh_tokens"] == []
