"""What an organisation's day of calls and its downloads look like: the day
limit and its headers, a day partly spent (control API), gzip when asked,
calls and bytes counted per organisation, the sandbox's clock moved on, and
the incremental reads (If-Modified-Since, summaryOnly, pages) of Invoices,
CreditNotes and Payments that keep a client's downloads small."""
import datetime as dt
import gzip
import json

import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID

SPEC_CHECK = True


def _control(sandbox, method, path, **kwargs):
    answer = requests.request(method, sandbox.url + "/_sandbox/" + path, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _stats(sandbox):
    return _control(sandbox, "GET", "stats")


def _tenant(sandbox, tenant_id=DEMO_TENANT_ID):
    return _stats(sandbox)["by_tenant"][tenant_id]


def _since(moment):
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def _sandbox_now(sandbox):
    return dt.datetime.fromisoformat(_control(sandbox, "GET", "clock")["now"])


def test_a_day_partly_spent_then_used_up(sandbox, api, second_api, no_spec_violations):
    answer = _control(sandbox, "POST", "faults",
                      json={"tenant_id": DEMO_TENANT_ID, "day_remaining": 2})
    assert answer["day_remaining"] == {DEMO_TENANT_ID: 2}
    seen = [api.get("/Currencies").headers["X-DayLimit-Remaining"] for _ in range(2)]
    assert seen == ["1", "0"]
    refused = api.get("/Currencies", validate=False)
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "day"
    assert refused.headers["X-DayLimit-Remaining"] == "0"
    # the day's calls free up 24 hours after they were made
    assert 86000 <= int(refused.headers["Retry-After"]) <= 86400
    # per organisation: the other one has its whole day
    assert second_api.get("/Currencies").headers["X-DayLimit-Remaining"] == "4999"
    tenant = _tenant(sandbox)
    assert (tenant["day_remaining"], tenant["rate_limited"]) == (0, 1)
    assert _tenant(sandbox, SECOND_TENANT_ID)["day_remaining"] == 4999


def test_moving_the_clock_on_a_day_frees_the_day(sandbox, api):
    _control(sandbox, "POST", "faults", json={"tenant_id": DEMO_TENANT_ID, "day_remaining": 0})
    assert api.get("/Currencies", validate=False).status_code == 429
    before = _sandbox_now(sandbox)
    clock = _control(sandbox, "POST", "clock", json={"advance_seconds": 86400})
    assert clock["offset_seconds"] == 86400
    assert _sandbox_now(sandbox) - before >= dt.timedelta(days=1)
    answer = api.get("/Currencies")
    assert answer.status_code == 200 and answer.headers["X-DayLimit-Remaining"] == "4999"
    _control(sandbox, "POST", "reset")
    assert _control(sandbox, "GET", "clock")["offset_seconds"] == 0


def test_gzip_when_asked_and_the_bytes_sent_are_counted(sandbox, api, no_spec_violations):
    plain = api.get("/Contacts", params={"page": 1, "pageSize": 100},
                    headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    raw = requests.get(sandbox.url + "/api.xro/2.0/Contacts",
                       params={"page": 1, "pageSize": 100}, stream=True,
                       headers={**api.session.headers, "Accept-Encoding": "gzip"})
    body = raw.raw.read(decode_content=False)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert int(raw.headers["Content-Length"]) == len(body)
    assert json.loads(gzip.decompress(body))["Contacts"] == plain.json()["Contacts"]
    assert len(body) * 4 < len(plain.content), "JSON compresses well"
    calls = _control(sandbox, "GET", "calls")["calls"]
    assert [c["bytes"] for c in calls] == [len(plain.content), len(body)]
    stats = _stats(sandbox)
    assert stats["bytes_sent"] == len(plain.content) + len(body)
    assert stats["by_tenant"][DEMO_TENANT_ID]["bytes_sent"] == stats["bytes_sent"]
    assert stats["by_tenant"][DEMO_TENANT_ID]["api_calls"] == 2
    assert stats["bytes_by_operation"]["GET /Contacts"] == stats["bytes_sent"]


def test_the_sdk_reads_gzipped_answers(sandbox, sdk):
    plain = sdk["accounting"].get_contacts(DEMO_TENANT_ID, page=1, summary_only=True)
    sdk["client"].set_default_header("Accept-Encoding", "gzip")
    zipped = sdk["accounting"].get_contacts(DEMO_TENANT_ID, page=1, summary_only=True)
    assert zipped.contacts == plain.contacts and len(zipped.contacts) > 50
    assert [c["bytes"] * 4 < plain_call["bytes"] for c, plain_call in [
        _control(sandbox, "GET", "calls")["calls"][::-1][:2]]] == [True]


def test_invoices_changed_since_in_pages_and_summary(sandbox, api, no_spec_violations):
    start = _sandbox_now(sandbox)
    changed = _control(sandbox, "POST", "orgs/%s/churn" % DEMO_TENANT_ID,
                       json={"invoices": 12, "contacts": 3, "seed": 1})
    assert len(set(changed["invoices"])) == 12 and len(changed["contacts"]) == 3
    statuses = "DRAFT,SUBMITTED,AUTHORISED,PAID,VOIDED,DELETED"
    pages = [api.get("/Invoices", params={
        "page": page, "pageSize": 5, "summaryOnly": "true", "Statuses": statuses,
        "where": 'Type=="ACCREC"', "order": "UpdatedDateUTC ASC"},
        headers={"If-Modified-Since": _since(start)}).json() for page in (1, 2, 3)]
    assert [p["pagination"]["itemCount"] for p in pages] == [12] * 3
    assert [len(p["Invoices"]) for p in pages] == [5, 5, 2]
    found = [i for p in pages for i in p["Invoices"]]
    assert {i["InvoiceID"] for i in found} == set(changed["invoices"])
    for invoice in found:
        assert "LineItems" not in invoice and "Payments" not in invoice, "summary only"
        assert {"Total", "AmountDue", "DueDate", "Status", "Contact"} <= set(invoice)
    full = api.get("/Invoices", params={"page": 1, "pageSize": 5},
                   headers={"If-Modified-Since": _since(start)}).json()["Invoices"]
    assert all("LineItems" in i for i in full), "paged answers carry lines unless summary"
    contacts = api.get("/Contacts", params={"summaryOnly": "true", "page": 1},
                       headers={"If-Modified-Since": _since(start)}).json()["Contacts"]
    assert {c["ContactID"] for c in contacts} == set(changed["contacts"])


def test_deleted_invoices_come_back_when_asked_for(sandbox, api, customer_invoice):
    invoice_id = customer_invoice["InvoiceID"]
    start = _sandbox_now(sandbox)
    api.post("/Invoices/%s" % invoice_id, json={"Invoices": [{"Status": "DELETED"}]})
    plain = api.get("/Invoices", headers={"If-Modified-Since": _since(start)}).json()
    assert invoice_id not in [i["InvoiceID"] for i in plain["Invoices"]]
    asked = api.get("/Invoices", params={"Statuses": "AUTHORISED,DELETED", "page": 1},
                    headers={"If-Modified-Since": _since(start)}).json()
    assert [i["Status"] for i in asked["Invoices"]] == ["DELETED"]


def test_credit_notes_and_payments_changed_since_in_pages(sandbox, pay_api):
    start = _sandbox_now(sandbox)
    invoice = next(i for i in requests.get(
        sandbox.url + "/_sandbox/orgs/%s/invoices" % DEMO_TENANT_ID,
        params={"status": "AUTHORISED"}).json()["Invoices"] if i["Type"] == "ACCREC")
    _control(sandbox, "POST", "orgs/%s/credit-notes" % DEMO_TENANT_ID,
             json={"invoice_id": invoice["InvoiceID"], "amount": 1})
    _control(sandbox, "POST", "orgs/%s/invoices/%s/pay" % (DEMO_TENANT_ID, invoice["InvoiceID"]),
             json={"amount": 2})
    since = {"If-Modified-Since": _since(start)}
    notes = pay_api.get("/CreditNotes", params={"page": 1, "pageSize": 1000,
                                                 "where": 'Type=="ACCRECCREDIT"'},
                        headers=since).json()
    assert notes["pagination"]["itemCount"] == 1
    assert notes["CreditNotes"][0]["Contact"]["ContactID"] == invoice["Contact"]["ContactID"]
    payments = pay_api.get("/Payments", params={"page": 1, "pageSize": 1000},
                           headers=since).json()
    assert payments["pagination"]["itemCount"] == 1
    assert payments["Payments"][0]["Invoice"]["InvoiceID"] == invoice["InvoiceID"]
    again = pay_api.get("/Invoices", params={"page": 1, "summaryOnly": "true"},
                        headers=since).json()["Invoices"]
    assert [i["InvoiceID"] for i in again] == [invoice["InvoiceID"]], \
        "credited and paid: the invoice itself changed, so one read finds both"


def test_churn_is_repeatable(sandbox):
    one = _control(sandbox, "POST", "orgs/%s/churn" % DEMO_TENANT_ID,
                   json={"contacts": 2, "new_contacts": 1, "invoices": 3, "seed": 7})
    _control(sandbox, "POST", "reset")
    two = _control(sandbox, "POST", "orgs/%s/churn" % DEMO_TENANT_ID,
                   json={"contacts": 2, "new_contacts": 1, "invoices": 3, "seed": 7})
    # the same records changed (new ones get new ids, as in Xero)
    assert one["contacts"] == two["contacts"]
    assert [c["Name"] for c in one["new_contacts"]] == [c["Name"] for c in two["new_contacts"]]
    assert len(one["invoices"]) == len(two["invoices"]) == 3
    assert requests.get(sandbox.url + "/_sandbox/orgs/%s/contacts" % DEMO_TENANT_ID,
                        params={"name": one["new_contacts"][0]["Name"]}).json()["Contacts"]
    assert _stats(sandbox)["api_calls"] == 0, "control calls are no API calls"


@pytest.fixture
def customer_invoice(api):
    contact = next(c for c in api.get("/Contacts", params={"page": 1}).json()["Contacts"]
                   if c["ContactStatus"] == "ACTIVE")
    return api.put("/Invoices", json={"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]},
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10,
                       "AccountCode": "200"}]}]}).json()["Invoices"][0]


@pytest.fixture
def pay_api(sandbox, accounting_spec):
    from .helpers import SCOPES, XeroHttp, connect
    token = connect(sandbox.url, tenants=[DEMO_TENANT_ID],
                    scope=SCOPES + " accounting.payments.read")
    return XeroHttp(sandbox.url, accounting_spec, token["access_token"], DEMO_TENANT_ID)
