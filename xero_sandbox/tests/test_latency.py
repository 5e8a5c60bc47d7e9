"""Realistic latency: per call and per listed record, overlapping like real Xero."""
import concurrent.futures
import time

import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID, SandboxServer

from .conftest import TLS_DIR
from .helpers import connect


@pytest.fixture(scope="module")
def big():
    """1,000 contacts in the demo organisation: one full page of them."""
    server = SandboxServer(port=0, contacts=1000, seed=0, tls_dir=TLS_DIR).start()
    yield server
    server.stop()


@pytest.fixture
def headers(big):
    big.reset()
    token = connect(big.url, tenants=[DEMO_TENANT_ID])["access_token"]
    return {"Authorization": "Bearer " + token, "xero-tenant-id": DEMO_TENANT_ID,
            "Accept": "application/json"}


def _page(big, headers):
    started = time.monotonic()
    answer = requests.get(big.url + "/api.xro/2.0/Contacts", headers=headers, params={
        "page": 1, "pageSize": 1000, "includeArchived": "true"})
    assert answer.status_code == 200 and len(answer.json()["Contacts"]) == 1000
    return time.monotonic() - started


def test_latency_is_off_by_default_and_set_through_the_control_api(big, headers):
    assert requests.get(big.url + "/_sandbox/latency").json() == {"per_call": 0.0,
                                                                 "per_item": 0.0}
    assert _page(big, headers) < 0.5
    answer = requests.post(big.url + "/_sandbox/latency", json={"per_call": 0.3})
    assert answer.json() == {"per_call": 0.3, "per_item": 0.0}
    started = time.monotonic()
    assert requests.get(big.url + "/api.xro/2.0/Organisation", headers=headers) \
        .status_code == 200
    assert time.monotonic() - started >= 0.3
    big.reset()
    assert requests.get(big.url + "/_sandbox/latency").json()["per_call"] == 0.0


def test_two_pages_in_flight_for_one_org_overlap(big, headers):
    requests.post(big.url + "/_sandbox/latency", json={"per_item": 0.001})
    alone = _page(big, headers)
    assert alone >= 1.0                                    # 1,000 records x 1 ms
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        both = list(pool.map(lambda _: _page(big, headers), range(2)))
    elapsed = time.monotonic() - started
    assert min(both) >= 1.0
    assert elapsed < alone * 1.5, (alone, both, elapsed)    # about one, not two


def test_a_slow_call_still_counts_against_the_concurrent_limit(big, headers):
    requests.post(big.url + "/_sandbox/latency", json={"per_call": 0.5})

    def call(_):
        return requests.get(big.url + "/api.xro/2.0/Currencies", headers=headers).status_code
    with concurrent.futures.ThreadPoolExecutor(7) as pool:
        statuses = list(pool.map(call, range(7)))
    assert sorted(statuses) == [200] * 5 + [429] * 2
