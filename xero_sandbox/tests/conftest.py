"""Fixtures: one in-process sandbox per test module (free port), reset before
each test; Xero's OpenAPI specs parsed once per session.

Every sandbox of the run serves HTTPS with the certificate of one local CA
(``TLS_DIR``), which the test clients trust as any requests user does, with
REQUESTS_CA_BUNDLE (the SDK through its Configuration)."""
import atexit
import os
import pathlib
import shutil
import tempfile

import pytest
import requests
import urllib3
import yaml
from openapi_core import Config, OpenAPI
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID, SandboxServer
from xero_sandbox.tls import ensure as ensure_tls

from .helpers import CLIENT, SCOPES, XeroHttp, connect

SPECS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "xero-openapi"
if not SPECS.exists():
    SPECS = pathlib.Path("/work/shared/xero-openapi")
TLS_DIR = tempfile.mkdtemp(prefix="xero_sandbox_tests_ca_")
atexit.register(shutil.rmtree, TLS_DIR, True)
CA_FILE = ensure_tls(TLS_DIR)


@pytest.fixture(scope="session", autouse=True)
def _trust_the_sandbox_ca():
    saved = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = CA_FILE
    yield
    if saved is None:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
    else:
        os.environ["REQUESTS_CA_BUNDLE"] = saved


def _load(name):
    with open(SPECS / name, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    # Xero's published spec does not pass strict spec validation (string
    # defaults like "false" on booleans); the schemas themselves are usable.
    return OpenAPI.from_dict(data, config=Config(spec_validator_cls=None))


@pytest.fixture(scope="session")
def accounting_spec():
    return _load("xero_accounting.yaml")


@pytest.fixture(scope="session")
def identity_spec():
    return _load("xero-identity.yaml")


@pytest.fixture(scope="session")
def webhooks_spec():
    return _load("xero-webhooks.yaml")


@pytest.fixture(scope="module")
def sandbox(request):
    # A module sets SPEC_CHECK = True to have every API request checked (--check-spec).
    check = getattr(request.module, "SPEC_CHECK", False)
    server = SandboxServer(port=0, contacts=60, seed=0, check_spec=check,
                           tls_dir=TLS_DIR).start()
    yield server
    server.stop()


@pytest.fixture
def no_spec_violations(sandbox):
    """Every Accounting API request this test makes fits Xero's spec."""
    requests.delete(sandbox.url + "/_sandbox/spec")
    yield
    report = requests.get(sandbox.url + "/_sandbox/spec").json()
    assert report["enabled"] and report["checked"] > 0
    assert report["violations"] == []


@pytest.fixture(autouse=True)
def _fresh(request):
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").reset()


@pytest.fixture
def tokens(sandbox):
    """Connected to both organisations with the default scopes."""
    return connect(sandbox.url, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])


@pytest.fixture
def api(sandbox, accounting_spec, tokens):
    return XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], DEMO_TENANT_ID)


@pytest.fixture
def second_api(sandbox, accounting_spec, tokens):
    return XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], SECOND_TENANT_ID)


@pytest.fixture
def sdk_scopes():
    """Scopes the SDK client consents to (a test module may ask for more)."""
    return SCOPES


@pytest.fixture
def sdk(sandbox, sdk_scopes):
    """The official xero-python SDK pointed at the sandbox, both orgs connected."""
    store = {"token": None}
    token = connect(sandbox.url, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID], scope=sdk_scopes)
    token["scope"] = token["scope"].split()    # the SDK joins a list on refresh
    store["token"] = token
    configuration = Configuration(
        oauth2_token=OAuth2Token(client_id=CLIENT[0], client_secret=CLIENT[1]))
    configuration.ssl_ca_cert = CA_FILE
    client = ApiClient(
        configuration,
        oauth2_token_getter=lambda: store["token"],
        oauth2_token_saver=lambda new: store.update(token=new))
    # The SDK's urllib3 pool retries 429s and sleeps Retry-After: turn it off.
    client.rest_client.pool_manager.connection_pool_kw["retries"] = urllib3.util.Retry(
        total=0, respect_retry_after_header=False, raise_on_status=False)
    saved = TokenApi.refresh_token_url, TokenApi.revoke_token_url
    TokenApi.refresh_token_url = sandbox.url + "/connect/token"
    TokenApi.revoke_token_url = sandbox.url + "/connect/revocation"
    yield {"client": client, "store": store,
           "accounting": AccountingApi(client, base_url=sandbox.url + "/api.xro/2.0"),
           "identity": IdentityApi(client, base_url=sandbox.url)}
    TokenApi.refresh_token_url, TokenApi.revoke_token_url = saved
