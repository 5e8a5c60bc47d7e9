"""Rate limits, Idempotency-Key replay and the fault switches."""
import concurrent.futures
import datetime as dt
import time

import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID


def _faults(sandbox, **values):
    answer = requests.post(sandbox.url + "/_sandbox/faults", json=values)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _invoice_body(api, reference):
    contact = api.get("/Contacts", params={"page": 1, "pageSize": 1}).json()["Contacts"][0]
    return {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]},
                          "Reference": reference, "LineItems": [
                              {"Description": "x", "UnitAmount": 10, "AccountCode": "200"}]}]}


def _count(api, reference):
    return len(api.get("/Invoices", params={"where": 'Reference=="%s"' % reference})
               .json()["Invoices"])


def test_every_response_carries_limit_headers(api):
    answer = api.get("/Organisation")
    assert answer.headers["X-MinLimit-Remaining"] == "59"
    assert answer.headers["X-DayLimit-Remaining"] == "4999"
    assert int(answer.headers["X-AppMinLimit-Remaining"]) == 9999


def test_minute_limit_gives_429_with_retry_after(sandbox, api, second_api):
    statuses = [api.get("/Currencies", validate=False).status_code for _ in range(60)]
    assert statuses == [200] * 60
    refused = api.get("/Currencies", validate=False)
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-MinLimit-Remaining"] == "0"
    # The limit is per organisation: the other one is untouched.
    assert second_api.get("/Currencies").status_code == 200
    stats = requests.get(sandbox.url + "/_sandbox/stats").json()
    assert stats["api_calls"] == 62 and stats["rate_limited"] == 1
    assert stats["max_calls_in_any_minute"] == 60    # the busiest organisation's
    assert stats["max_app_calls_in_any_minute"] == 61   # both: 60 + 1, the 429 not counted
    assert stats["by_operation"]["GET /Currencies"] == 62
    calls = requests.get(sandbox.url + "/_sandbox/calls", params={"since": 60}).json()["calls"]
    assert [c["status"] for c in calls] == [429, 200]
    assert calls[0]["tenant_id"] == DEMO_TENANT_ID and calls[1]["tenant_id"] == SECOND_TENANT_ID


def test_day_limit_is_configurable(sandbox, api):
    _faults(sandbox, tenant_id=DEMO_TENANT_ID, day_limit=2)
    assert [api.get("/Currencies").status_code for _ in range(2)] == [200, 200]
    refused = api.get("/Currencies")
    assert refused.status_code == 429 and refused.headers["X-Rate-Limit-Problem"] == "day"


def test_more_than_five_concurrent_calls_get_429(sandbox, api):
    _faults(sandbox, delay=0.4)

    def call(_):
        answer = requests.get(sandbox.url + "/api.xro/2.0/Currencies",
                              headers=dict(api.session.headers))
        return answer.status_code, answer.headers.get("X-Rate-Limit-Problem")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(8)))
    assert sorted(s for s, _ in results).count(200) == 5
    assert [p for s, p in results if s == 429] == ["concurrent"] * 3


def test_injected_429_every_third_call(sandbox, api):
    _faults(sandbox, rate_limit_every=3, retry_after=2)
    statuses = [api.get("/Currencies", validate=False) for _ in range(6)]
    assert [s.status_code for s in statuses] == [200, 200, 429, 200, 200, 429]
    assert statuses[2].headers["Retry-After"] == "2"
    requests.delete(sandbox.url + "/_sandbox/faults")
    assert [api.get("/Currencies").status_code for _ in range(3)] == [200] * 3


def test_injected_errors_then_recovery(sandbox, api, second_api):
    _faults(sandbox, tenant_id=DEMO_TENANT_ID, error_next=2, error_status=503)
    assert [api.get("/Organisation", validate=False).status_code for _ in range(3)] == \
        [503, 503, 200]
    _faults(sandbox, tenant_id=DEMO_TENANT_ID, error_next=1, error_status=500)
    assert second_api.get("/Organisation").status_code == 200      # other tenant unaffected
    assert api.get("/Organisation", validate=False).status_code == 500


def test_delay(sandbox, api):
    _faults(sandbox, delay=0.3)
    started = time.monotonic()
    assert api.get("/Organisation").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_idempotency_key_replays_the_first_response(api):
    body = _invoice_body(api, "IDEMP-1")
    first = api.put("/Invoices", body, headers={"Idempotency-Key": "key-1"})
    again = api.put("/Invoices", body, headers={"Idempotency-Key": "key-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert _count(api, "IDEMP-1") == 1
    other = api.put("/Invoices", body, headers={"Idempotency-Key": "key-2"})
    assert other.json()["Invoices"][0]["InvoiceID"] != first.json()["Invoices"][0]["InvoiceID"]
    assert _count(api, "IDEMP-1") == 2
    too_long = api.put("/Invoices", body, headers={"Idempotency-Key": "k" * 129},
                       validate="response")
    assert too_long.status_code == 400


def test_a_key_sent_again_with_another_request_is_refused(api):
    first = api.put("/Invoices", _invoice_body(api, "IDEMP-2"), headers={"Idempotency-Key": "k-2"})
    assert first.status_code == 200
    changed = api.put("/Invoices", _invoice_body(api, "IDEMP-2 changed"),
                      headers={"Idempotency-Key": "k-2"}, validate="response")
    assert changed.status_code == 400
    assert "already used with a different request" in changed.json()["Message"]
    assert _count(api, "IDEMP-2") == 1 and _count(api, "IDEMP-2 changed") == 0


def test_a_forgotten_key_runs_again_as_a_new_request(sandbox, api):
    body = _invoice_body(api, "IDEMP-3")
    assert api.put("/Invoices", body, headers={"Idempotency-Key": "k-3"}).status_code == 200
    forgotten = requests.post(sandbox.url + "/_sandbox/idempotency/forget",
                              json={"tenant_id": DEMO_TENANT_ID}).json()["forgotten"]
    assert forgotten >= 1
    assert api.put("/Invoices", body, headers={"Idempotency-Key": "k-3"}).status_code == 200
    assert _count(api, "IDEMP-3") == 2, "as Xero, once it no longer remembers the key"


def test_commit_then_drop_and_retry_with_same_key(sandbox, api):
    body = _invoice_body(api, "DROPPED-1")
    _faults(sandbox, drop_after_commit_next=1)
    with pytest.raises(requests.ConnectionError):
        requests.put(sandbox.url + "/api.xro/2.0/Invoices", json=body, headers=dict(
            api.session.headers, **{"Idempotency-Key": "drop-key"}))
    assert _count(api, "DROPPED-1") == 1                 # the write happened
    retry = api.put("/Invoices", body, headers={"Idempotency-Key": "drop-key"})
    assert retry.status_code == 200
    assert _count(api, "DROPPED-1") == 1                 # and only once
    calls = requests.get(sandbox.url + "/_sandbox/calls").json()["calls"]
    assert [c["idempotency_key"] for c in calls if c["method"] == "PUT"] == ["drop-key"] * 2


def test_reset_restores_the_seed(sandbox, api, tokens):
    api.put("/Contacts", {"Contacts": [{"Name": "Temporary Ltd"}]})
    answer = requests.post(sandbox.url + "/_sandbox/reset", json={"contacts": 10, "seed": 5})
    assert answer.status_code == 200
    orgs = requests.get(sandbox.url + "/_sandbox/orgs").json()
    assert orgs == [
        {"tenant_id": DEMO_TENANT_ID, "name": "Demo Company (Global)", "short_code": "!dEm0C",
         "base_currency": "USD"},
        {"tenant_id": SECOND_TENANT_ID, "name": "Sandbox Second Org Ltd",
         "short_code": "!s3C0n", "base_currency": "GBP"}]
    assert requests.get(sandbox.url + "/_sandbox/calls").json() == {"calls": []}
    assert api.get("/Organisation").status_code == 401          # grants were cleared
    sandbox.reset(contacts=60, seed=0)


def test_seed_is_deterministic():
    from xero_sandbox.store import Store
    one, two = Store(30, 7), Store(30, 7)
    demo_one, demo_two = one.org(DEMO_TENANT_ID), two.org(DEMO_TENANT_ID)
    assert sorted(demo_one.contacts) == sorted(demo_two.contacts)
    assert sorted(demo_one.invoices) == sorted(demo_two.invoices)
    assert sorted(Store(30, 8).org(DEMO_TENANT_ID).contacts) != sorted(demo_one.contacts)
    assert dt.date.today() >= max(i["Date"] for i in demo_one.invoices.values())


def test_commit_then_hang_then_close(sandbox, api):
    body = _invoice_body(api, "HUNG-1")
    _faults(sandbox, hang_after_commit_next=2, hang_seconds=0.8)
    url, headers = sandbox.url + "/api.xro/2.0/Invoices", dict(api.session.headers)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):      # a client that gives up
        requests.put(url, json=body, headers=headers, timeout=0.3)
    assert time.monotonic() - started < 0.7
    assert _count(api, "HUNG-1") == 1                         # committed before the hang
    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):             # a patient one: no answer
        requests.put(url, json=body, headers=headers, timeout=5)
    assert 0.8 <= time.monotonic() - started < 3
    assert _count(api, "HUNG-1") == 2
    assert requests.put(url, json=body, headers=headers, timeout=5).status_code == 200
    assert _count(api, "HUNG-1") == 3
    faults = requests.get(sandbox.url + "/_sandbox/faults").json()["faults"]["global"]
    assert (faults["hang_after_commit_next"], faults["hang_seconds"]) == (0, 0.8)
