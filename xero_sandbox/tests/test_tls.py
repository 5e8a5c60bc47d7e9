"""HTTPS as Xero serves it: the identity and API hosts only over TLS, with
the certificate of the local CA; the browser's pages also on plain HTTP."""
import os
import ssl
import time

import certifi
import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID, tls

from .conftest import CA_FILE, TLS_DIR
from .helpers import REDIRECT_URI, authorize, connect, consent_form, exchange, refresh


def test_identity_and_api_answer_over_tls_with_the_local_ca(sandbox):
    assert sandbox.url.startswith("https://127.0.0.1:") and sandbox.ca_file == CA_FILE
    tokens = connect(sandbox.url, tenants=[DEMO_TENANT_ID])
    answer = requests.get(sandbox.url + "/connections", verify=CA_FILE,
                          headers={"Authorization": "Bearer " + tokens["access_token"]})
    assert answer.status_code == 200 and answer.json()[0]["tenantId"] == DEMO_TENANT_ID
    # A client that trusts only the public authorities refuses the certificate.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(sandbox.url + "/_sandbox/health", verify=certifi.where())
    # The certificate also names localhost.
    assert requests.get(sandbox.url.replace("127.0.0.1", "localhost") + "/_sandbox/health",
                        verify=CA_FILE).status_code == 200


def test_the_browser_address_serves_pages_and_refuses_tokens_and_the_api(sandbox):
    assert sandbox.browser_url.startswith("http://127.0.0.1:")
    page, request_id, tenants = consent_form(sandbox.browser_url)
    assert page.status_code == 200 and request_id and DEMO_TENANT_ID in tenants
    assert requests.get(sandbox.browser_url + "/_sandbox/health").json() == {"status": "ok"}
    # The whole dance can start in the browser, on plain HTTP...
    location, code, verifier = authorize(sandbox.browser_url, tenants=[DEMO_TENANT_ID])
    assert location.startswith(REDIRECT_URI) and code
    # ...but the code, tokens and API are Xero's identity and API hosts: https only.
    refused = exchange(sandbox.browser_url, code, verifier)
    assert refused.status_code == 403 and refused.json()["error"] == "https_required"
    assert sandbox.url in refused.json()["error_description"]
    tokens = exchange(sandbox.url, code, verifier).json()     # the code was not spent
    for method, path in (("POST", "/connect/token"), ("POST", "/connect/revocation"),
                         ("GET", "/connections"), ("GET", "/api.xro/2.0/Organisation")):
        answer = requests.request(method, sandbox.browser_url + path, headers={
            "Authorization": "Bearer " + tokens["access_token"],
            "Xero-Tenant-Id": DEMO_TENANT_ID}, data={"grant_type": "refresh_token",
                                                     "refresh_token": tokens["refresh_token"]})
        assert answer.status_code == 403, (path, answer.text)
    assert sandbox.calls.list(0) == []                        # none reached the API
    assert refresh(sandbox.url, tokens["refresh_token"]).status_code == 200   # not spent


def test_info_tells_both_addresses_and_the_ca(sandbox):
    info = requests.get(sandbox.url + "/_sandbox/info").json()
    assert info == {"url": sandbox.url, "browser_url": sandbox.browser_url, "ca_file": CA_FILE}


def test_a_slow_identity_host_delays_token_requests(sandbox):
    _location, code, verifier = authorize(sandbox.url, tenants=[DEMO_TENANT_ID])
    requests.post(sandbox.url + "/_sandbox/faults", json={"token_delay": 0.4})
    started = time.monotonic()
    assert exchange(sandbox.url, code, verifier).status_code == 200
    assert time.monotonic() - started >= 0.4
    requests.delete(sandbox.url + "/_sandbox/faults")
    started = time.monotonic()
    connect(sandbox.url, tenants=[DEMO_TENANT_ID])
    assert time.monotonic() - started < 0.4


def test_ensure_makes_the_ca_once_and_the_certificate_for_each_name(tmp_path):
    directory = str(tmp_path / "ca")
    ca_file = tls.ensure(directory)
    assert ca_file == os.path.join(directory, "ca.pem")
    assert oct(os.stat(os.path.join(directory, "ca-key.pem")).st_mode & 0o777) == "0o600"
    with open(ca_file, "rb") as handle:
        ca = handle.read()
    with open(os.path.join(directory, "server.pem"), "rb") as handle:
        server = handle.read()
    assert tls.ensure(directory) == ca_file                 # nothing made again
    with open(os.path.join(directory, "server.pem"), "rb") as handle:
        assert handle.read() == server
    tls.ensure(directory, ["sandbox"])                      # Docker's host name
    with open(ca_file, "rb") as handle:
        assert handle.read() == ca, "the CA clients trust is kept"
    with open(os.path.join(directory, "server.pem"), "rb") as handle:
        assert handle.read() != server
    context = ssl.create_default_context(cafile=ca_file)
    server_side = tls.server_context(directory)
    assert context.verify_mode == ssl.CERT_REQUIRED and server_side is not None


def test_the_tests_share_one_ca():
    assert os.path.exists(os.path.join(TLS_DIR, "server.pem"))
    assert os.environ["REQUESTS_CA_BUNDLE"] == CA_FILE
