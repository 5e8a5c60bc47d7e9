"""/_sandbox/orgs/{tenant}/quotes: Xero's quotes read directly, sent by the
accountant, accepted or declined by the customer, invoiced; the seed; a restart."""
import datetime as dt

import requests

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID, SandboxServer
from xero_sandbox.accounting import quotes
from xero_sandbox.seed import build_orgs

from .conftest import TLS_DIR
from .helpers import connect

TODAY = dt.date.today()


def _url(sandbox, path, tenant=DEMO_TENANT_ID):
    return "%s/_sandbox/orgs/%s/%s" % (sandbox.url, tenant, path)


def _post(sandbox, path, body=None, status=200):
    answer = requests.post(_url(sandbox, path), json=body or {})
    assert answer.status_code == status, answer.text
    return answer.json()


def _draft(sandbox, api, name="Online Customer Ltd", **fields):
    contact_id = api.put("/Contacts", {"Contacts": [{"Name": name}]}) \
        .json()["Contacts"][0]["ContactID"]
    quote = dict({"Contact": {"ContactID": contact_id}, "LineItems": [
        {"Description": "Audit", "Quantity": 2, "UnitAmount": 400, "AccountCode": "200"}]},
        **fields)
    return api.put("/Quotes", {"Quotes": [quote]}).json()["Quotes"][0]


def test_read_quotes_with_filters_and_history(sandbox, api):
    listed = requests.get(_url(sandbox, "quotes")).json()["Quotes"]
    assert [q["QuoteNumber"] for q in listed] == ["QU-%04d" % n for n in range(1, 9)]
    assert listed == sorted(api.get("/Quotes").json()["Quotes"],
                            key=lambda q: q["QuoteNumber"])
    accepted = requests.get(_url(sandbox, "quotes"), params={"status": "accepted"}).json()
    assert {q["Status"] for q in accepted["Quotes"]} == {"ACCEPTED"}
    one = listed[2]
    for params in ({"contact_id": one["Contact"]["ContactID"]}, {"number": one["QuoteNumber"]},
                   {"reference": one["Reference"]}):
        found = requests.get(_url(sandbox, "quotes"), params=params).json()["Quotes"]
        assert one["QuoteID"] in [q["QuoteID"] for q in found], params
    by_number = requests.get(_url(sandbox, "quotes/" + one["QuoteNumber"])).json()
    by_id = requests.get(_url(sandbox, "quotes/" + one["QuoteID"])).json()
    assert by_number == by_id and by_id["History"][0]["Changes"] == "Created"
    assert dict(by_id, History=None) == dict(one, History=None)
    assert requests.get(_url(sandbox, "quotes/QU-9999")).status_code == 404
    assert requests.get(_url(sandbox, "quotes", SECOND_TENANT_ID)).json() == {"Quotes": []}


def test_sent_then_accepted_or_declined_by_the_customer(sandbox, api):
    quote = _draft(sandbox, api)
    path = "quotes/%s/" % quote["QuoteID"]
    refused = _post(sandbox, path + "accept", status=400)
    assert refused["messages"] == ["The status of a DRAFT quote cannot be changed to ACCEPTED."]
    sent = _post(sandbox, path + "send")
    assert sent["Status"] == "SENT"
    assert sent["History"][-1]["Details"] == "Quote %s sent to Online Customer Ltd" % (
        quote["QuoteNumber"])
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    accepted = _post(sandbox, path + "accept", {"comment": "Go ahead"})
    assert accepted["Status"] == "ACCEPTED"
    assert (accepted["History"][-1]["Changes"], accepted["History"][-1]["User"],
            accepted["History"][-1]["Details"]) == (
        "Accepted", "Online Customer Ltd",
        "Quote %s accepted online by Online Customer Ltd: Go ahead" % quote["QuoteNumber"])
    # The API sees it, and a sync by If-Modified-Since finds it.
    changed = api.get("/Quotes", headers={"If-Modified-Since": before.replace(
        microsecond=0).isoformat()}).json()["Quotes"]
    assert [(q["QuoteID"], q["Status"]) for q in changed] == [(quote["QuoteID"], "ACCEPTED")]
    assert _post(sandbox, path + "decline", status=400)["messages"] == [
        "The status of a ACCEPTED quote cannot be changed to DECLINED."]
    other = _draft(sandbox, api, "Other Customer Ltd", Status="SENT")
    declined = _post(sandbox, "quotes/%s/decline" % other["QuoteNumber"], {"name": "Jo Buyer"})
    assert (declined["Status"], declined["History"][-1]["User"]) == ("DECLINED", "Jo Buyer")
    calls = requests.get(sandbox.url + "/_sandbox/calls").json()["calls"]
    assert not [c for c in calls if "_sandbox" in c["path"]], "control calls are not API calls"


def test_an_accepted_quote_becomes_an_invoice(sandbox, api):
    quote = _draft(sandbox, api, Status="SENT", CurrencyCode="EUR", Reference="OPP-77",
                   LineItems=[{"ItemCode": "CONSULT-HR", "Quantity": 10, "DiscountRate": 5}])
    path = "quotes/%s/" % quote["QuoteID"]
    assert _post(sandbox, path + "invoice", status=400)["messages"] == [
        "Only an accepted quote can be invoiced (this one is SENT)."]
    _post(sandbox, path + "accept")
    made = _post(sandbox, path + "invoice", {"status": "AUTHORISED",
                                             "due_date": (TODAY + dt.timedelta(days=14))
                                             .isoformat()})
    invoice, marked = made["Invoice"], made["Quote"]
    assert marked["Status"] == "INVOICED" and marked["History"][-1]["Changes"] == "Invoiced"
    assert (invoice["Status"], invoice["Reference"], invoice["CurrencyCode"],
            invoice["CurrencyRate"]) == ("AUTHORISED", "OPP-77", "EUR", 0.92)
    for key in ("SubTotal", "TotalTax", "Total"):
        assert invoice[key] == quote[key], key
    assert invoice["AmountDue"] == quote["Total"]
    assert [(l["ItemCode"], l["Quantity"], l["DiscountRate"], l["LineAmount"])
            for l in invoice["LineItems"]] == [("CONSULT-HR", 10.0, 5.0, 1425.0)]
    again = api.get("/Invoices/" + invoice["InvoiceID"]).json()["Invoices"][0]
    assert again["Total"] == quote["Total"]


def test_the_accountant_creates_and_edits_a_quote(sandbox, api):
    contact_id = api.put("/Contacts", {"Contacts": [{"Name": "Office Made Ltd"}]}) \
        .json()["Contacts"][0]["ContactID"]
    made = _post(sandbox, "quotes", {"ContactID": contact_id, "Title": "Made in Xero",
                                     "LineItems": [{"ItemCode": "TRAINING-DAY"}]})
    assert (made["Status"], made["Total"], made["History"][0]["User"]) == (
        "DRAFT", 1035.0, "Demo User")
    edited = _post(sandbox, "quotes/" + made["QuoteNumber"], {"Summary": "Two days",
                                                              "LineItems": [{
                                                                  "ItemCode": "TRAINING-DAY",
                                                                  "Quantity": 2}]})
    assert (edited["Title"], edited["Summary"], edited["Total"]) == (
        "Made in Xero", "Two days", 2070.0)     # only what was named changed
    assert [h["Changes"] for h in edited["History"]] == ["Created", "Edited"]
    refused = _post(sandbox, "quotes", {"ContactID": contact_id}, status=400)
    assert refused["messages"] == ["One or more line items must be specified."]


def test_seed_keeps_contacts_and_invoices_and_is_deterministic(monkeypatch):
    with_quotes, twin, other_seed = build_orgs(40, 3), build_orgs(40, 3), build_orgs(40, 4)
    monkeypatch.setattr(quotes, "seed", lambda *args: None)
    without = build_orgs(40, 3)
    for one, two in zip(with_quotes, without):
        assert one.contacts.keys() == two.contacts.keys()
        assert {k: (v["Total"], v["Status"], v["InvoiceNumber"]) for k, v in
                one.invoices.items()} == {k: (v["Total"], v["Status"], v["InvoiceNumber"])
                                          for k, v in two.invoices.items()}
        assert one.credit_notes.keys() == two.credit_notes.keys()
    demo = with_quotes[0]
    assert len(demo.quotes) == 8 and not with_quotes[1].quotes
    assert {k: (q["QuoteNumber"], q["Status"], q["Total"]) for k, q in demo.quotes.items()} == \
        {k: (q["QuoteNumber"], q["Status"], q["Total"]) for k, q in twin[0].quotes.items()}
    assert {q["CurrencyCode"] for q in demo.quotes.values()} == {"USD", "EUR", "GBP"}
    assert all(q["UpdatedDateUTC"].date() < TODAY for q in demo.quotes.values())
    assert max(q["Date"] for q in demo.quotes.values()) < TODAY
    assert sorted(other_seed[0].quotes) != sorted(demo.quotes)


def test_quotes_rates_and_currencies_survive_a_restart(tmp_path):
    state_file = str(tmp_path / "sandbox.json")
    first = SandboxServer(port=0, contacts=20, seed=2, state_file=state_file,
                          tls_dir=TLS_DIR).start()
    try:
        tokens = connect(first.url, tenants=[DEMO_TENANT_ID])
        headers = {"Authorization": "Bearer " + tokens["access_token"],
                   "xero-tenant-id": DEMO_TENANT_ID, "Accept": "application/json"}
        org = "%s/_sandbox/orgs/%s/" % (first.url, DEMO_TENANT_ID)
        requests.post(org + "currencies", json={"code": "NZD"})
        requests.post(org + "currency-rates", json={"NZD": 1.7})
        contact_id = requests.post(org + "contacts", json={"Name": "Kept Quote Ltd"}) \
            .json()["ContactID"]
        made = requests.put(first.url + "/api.xro/2.0/Quotes", headers=headers, json={
            "Quotes": [{"Contact": {"ContactID": contact_id}, "CurrencyCode": "NZD",
                        "LineItems": [{"ItemCode": "WIDGET", "Quantity": 4}]}]}) \
            .json()["Quotes"][0]
        requests.post(org + "quotes/%s/send" % made["QuoteID"])
        before = requests.get(org + "quotes").json()
        rates = requests.get(org + "currency-rates").json()
    finally:
        first.stop()
    again = SandboxServer(port=0, state_file=state_file, tls_dir=TLS_DIR).start()
    try:
        org = "%s/_sandbox/orgs/%s/" % (again.url, DEMO_TENANT_ID)
        assert requests.get(org + "quotes").json() == before
        assert requests.get(org + "currency-rates").json() == rates
        assert rates["enabled"] == ["USD", "EUR", "GBP", "NZD"] and rates["rates"]["NZD"] == 1.7
        assert [q["CurrencyRate"] for q in before["Quotes"] if q["QuoteID"] == made["QuoteID"]] \
            == [1.7]
        # Numbering goes on where it was.
        tokens = connect(again.url, tenants=[DEMO_TENANT_ID])
        headers = {"Authorization": "Bearer " + tokens["access_token"],
                   "xero-tenant-id": DEMO_TENANT_ID, "Accept": "application/json"}
        nxt = requests.put(again.url + "/api.xro/2.0/Quotes", headers=headers, json={
            "Quotes": [{"Contact": {"ContactID": made["Contact"]["ContactID"]},
                        "LineItems": [{"ItemCode": "WIDGET"}]}]}).json()["Quotes"][0]
        assert nxt["QuoteNumber"] == "QU-%04d" % (int(made["QuoteNumber"][3:]) + 1)
    finally:
        again.stop()
