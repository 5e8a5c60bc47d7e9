"""Fixtures: one in-process sandbox per test module (free port), reset before
each test; Xero's OpenAPI specs parsed once per session."""
import pathlib

import pytest
import yaml
from openapi_core import Config, OpenAPI

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID, SandboxServer

from .helpers import XeroHttp, connect

SPECS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "xero-openapi"
if not SPECS.exists():
    SPECS = pathlib.Path("/work/shared/xero-openapi")


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


@pytest.fixture(scope="module")
def sandbox():
    server = SandboxServer(port=0, contacts=60, seed=0).start()
    yield server
    server.stop()


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
