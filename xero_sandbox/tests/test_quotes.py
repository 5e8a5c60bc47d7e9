"""Quotes over HTTP, every request and answer checked against Xero's spec:
numbering, totals (an invoice's arithmetic), statuses and what each allows,
updates as Xero reads them, lists and filters, idempotency, history, PDF."""
import datetime as dt

import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID

from .helpers import XeroHttp, connect

TODAY = dt.date.today()
SEEDED = 8        # the demo organisation's seeded quotes: QU-0001..QU-0008
LINES = [{"Description": "Consulting", "Quantity": 3, "UnitAmount": 120.5, "AccountCode": "200",
          "DiscountRate": 10},
         {"ItemCode": "WIDGET", "Quantity": 7,
          "Tracking": [{"Name": "Region", "Option": "North"}]},
         {"Description": "Interest", "Quantity": 1, "UnitAmount": 9.99, "AccountCode": "270"}]


@pytest.fixture
def customer(api):
    return api.put("/Contacts", {"Contacts": [{"Name": "Quote Customer Ltd"}]}) \
        .json()["Contacts"][0]["ContactID"]


def _quote(api, contact_id, lines=None, validate=True, **fields):
    quote = {"Contact": {"ContactID": contact_id}, "Date": TODAY.isoformat(),
             "LineItems": lines if lines is not None else [
                 {"Description": "Design", "Quantity": 2, "UnitAmount": 100,
                  "AccountCode": "200"}]}
    quote.update(fields)
    return api.put("/Quotes", {"Quotes": [quote]}, validate=validate)


def _update(api, quote, **fields):
    """POST /Quotes/{id} as a client should: Contact and Date each time."""
    body = {"Contact": {"ContactID": quote["Contact"]["ContactID"]},
            "Date": quote["DateString"][:10]}
    body.update(fields)
    return api.post("/Quotes/" + quote["QuoteID"], {"Quotes": [body]})


def _errors(answer):
    assert answer.status_code == 400, answer.text
    return [m["Message"] for e in answer.json()["Elements"] for m in e["ValidationErrors"]]


def test_numbers_and_totals_are_an_invoices(api, customer):
    answer = _quote(api, customer, LINES, Title="Website", Summary="Phase one",
                    Terms="30 days", Reference="OPP-12", ExpiryDate=(
                        TODAY + dt.timedelta(days=30)).isoformat())
    assert answer.status_code == 200, answer.text
    [quote] = answer.json()["Quotes"]
    assert quote["QuoteNumber"] == "QU-%04d" % (SEEDED + 1)
    assert (quote["Status"], quote["LineAmountTypes"], quote["CurrencyCode"],
            quote["CurrencyRate"]) == ("DRAFT", "EXCLUSIVE", "USD", 1.0)
    assert (quote["Title"], quote["Summary"], quote["Terms"], quote["Reference"]) == (
        "Website", "Phase one", "30 days", "OPP-12")
    assert quote["ExpiryDateString"] == (TODAY + dt.timedelta(days=30)).strftime(
        "%Y-%m-%dT00:00:00")
    assert quote["Contact"]["Name"] == "Quote Customer Ltd"
    invoice = api.put("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": customer}, "LineItems": LINES}]}) \
        .json()["Invoices"][0]
    for key in ("SubTotal", "TotalTax", "Total"):
        assert quote[key] == invoice[key], key
    assert [(l["LineAmount"], l["TaxAmount"], l["TaxType"]) for l in quote["LineItems"]] == \
        [(l["LineAmount"], l["TaxAmount"], l["TaxType"]) for l in invoice["LineItems"]]
    assert quote["LineItems"][1]["Item"]["Code"] == "WIDGET"
    assert [t["Option"] for t in quote["LineItems"][1]["Tracking"]] == ["North"]
    assert quote["TotalDiscount"] == 36.15        # 10% of 3 x 120.50
    second = _quote(api, customer, LineAmountTypes="INCLUSIVE").json()["Quotes"][0]
    assert second["QuoteNumber"] == "QU-%04d" % (SEEDED + 2)
    assert (second["LineAmountTypes"], second["Total"], second["TotalTax"]) == (
        "INCLUSIVE", 200.0, 26.09)
    own = _quote(api, customer, QuoteNumber="Q-OWN-1").json()["Quotes"][0]
    assert own["QuoteNumber"] == "Q-OWN-1"
    assert _errors(_quote(api, customer, QuoteNumber="Q-OWN-1")) == ["Quote # must be unique."]


def test_refusals_in_xeros_shape(api, customer):
    archived = api.get("/Contacts", params={"where": 'ContactStatus=="ARCHIVED"'}) \
        .json()["Contacts"][0]["ContactID"]
    assert _errors(api.put("/Quotes", {"Quotes": [{"LineItems": LINES}]})) == [
        "A Contact must be specified for this type of transaction"]
    assert _errors(_quote(api, customer, [], CurrencyCode="JPY")) == [
        "Organisation is not subscribed to currency JPY",
        "One or more line items must be specified."]
    assert _errors(_quote(api, customer, Status="ACCEPTED")) == [
        "Quote status ACCEPTED cannot be used for a new quote."]
    assert "archived" in _errors(_quote(api, archived))[0]
    assert _errors(_quote(api, customer, Title="x" * 101, validate="response")) == [
        "Title must not be more than 100 characters long."]
    after = _quote(api, customer)      # the refusals used no number
    assert after.status_code == 200 and after.json()["Quotes"][0]["QuoteNumber"] == "QU-0009"
    mixed = api.put("/Quotes", {"Quotes": [
        {"Contact": {"ContactID": customer}, "LineItems": LINES},
        {"Contact": {"ContactID": customer}, "LineItems": LINES, "CurrencyCode": "JPY"}]},
        params={"summarizeErrors": "false"})
    assert mixed.status_code == 200
    good, bad = mixed.json()["Quotes"]
    assert good["StatusAttributeString"] == "OK" and good["QuoteNumber"] == "QU-0010"
    assert bad["StatusAttributeString"] == "ERROR" and bad["ValidationErrors"] == [
        {"Message": "Organisation is not subscribed to currency JPY"}]
    whole = api.put("/Quotes", {"Quotes": [
        {"Contact": {"ContactID": customer}, "LineItems": LINES},
        {"Contact": {"ContactID": customer}, "LineItems": LINES, "CurrencyCode": "JPY"}]})
    assert whole.status_code == 400 and whole.json()["Type"] == "ValidationException"
    # A refused batch makes nothing and uses no number.
    assert _quote(api, customer).json()["Quotes"][0]["QuoteNumber"] == "QU-0011"


def test_statuses_move_as_in_xero(api, customer):
    draft = _quote(api, customer).json()["Quotes"][0]
    assert _errors(_update(api, draft, Status="DECLINED")) == [
        "The status of a DRAFT quote cannot be changed to DECLINED."]
    assert _errors(_update(api, draft, Status="ACCEPTED")) == [
        "The status of a DRAFT quote cannot be changed to ACCEPTED."]
    sent = _update(api, draft, Status="SENT").json()["Quotes"][0]
    assert sent["Status"] == "SENT"
    accepted = _update(api, sent, Status="ACCEPTED").json()["Quotes"][0]
    assert accepted["Status"] == "ACCEPTED"
    assert _errors(_update(api, accepted, Status="DECLINED")) == [
        "The status of a ACCEPTED quote cannot be changed to DECLINED."]
    invoiced = _update(api, accepted, Status="INVOICED").json()["Quotes"][0]
    assert invoiced["Status"] == "INVOICED"
    deleted = _update(api, invoiced, Status="DELETED").json()["Quotes"][0]
    assert deleted["Status"] == "DELETED"
    assert _errors(_update(api, deleted, Status="DRAFT")) == [
        "Quote not of valid status for modification"]
    made_sent = _quote(api, customer, Status="SENT").json()["Quotes"][0]
    declined = _update(api, made_sent, Status="DECLINED").json()["Quotes"][0]
    assert declined["Status"] == "DECLINED"
    assert _update(api, declined, Status="SENT").json()["Quotes"][0]["Status"] == "SENT"
    assert _errors(_update(api, made_sent, Status="DRAFT")) == [
        "The status of a SENT quote cannot be changed to DRAFT."]


def test_an_update_is_the_whole_header(api, customer):
    quote = _quote(api, customer, LineAmountTypes="INCLUSIVE", Title="T", Summary="S",
                   Terms="Terms", Reference="R", ExpiryDate=(TODAY + dt.timedelta(days=9))
                   .isoformat()).json()["Quotes"][0]
    assert quote["Total"] == 200.0
    bare = api.post("/Quotes/" + quote["QuoteID"], {"Quotes": [{"Reference": "R2"}]})
    assert _errors(bare) == ["A Contact must be specified for this type of transaction",
                             "A Date must be specified when a quote is updated."]
    again = _update(api, quote, Reference="R2").json()["Quotes"][0]
    # Texts left out are cleared, LineAmountTypes goes back to EXCLUSIVE (re-priced),
    # the lines and the expiry date stay.
    assert (again["Reference"], again["Title"], again["Summary"], again["Terms"]) == (
        "R2", "", "", "")
    assert (again["LineAmountTypes"], again["SubTotal"], again["Total"]) == (
        "EXCLUSIVE", 200.0, 230.0)
    assert again["ExpiryDate"] == quote["ExpiryDate"]
    assert [l["LineItemID"] for l in again["LineItems"]] == \
        [l["LineItemID"] for l in quote["LineItems"]]
    replaced = _update(api, again, LineItems=[{"Description": "New", "Quantity": 1,
                                              "UnitAmount": 10, "AccountCode": "260"}],
                       Title="Kept", Status="SENT").json()["Quotes"][0]
    assert [l["Description"] for l in replaced["LineItems"]] == ["New"]
    assert (replaced["Total"], replaced["Title"], replaced["Status"]) == (11.5, "Kept", "SENT")
    edited_sent = _update(api, replaced, Title="Still editable once sent").json()["Quotes"][0]
    assert (edited_sent["Status"], edited_sent["Title"]) == ("SENT", "Still editable once sent")


def test_an_accepted_quote_only_changes_status(api, customer):
    quote = _quote(api, customer, Status="SENT", Title="Fixed").json()["Quotes"][0]
    accepted = _update(api, quote, Status="ACCEPTED", Title="Fixed").json()["Quotes"][0]
    for change in ({"Title": "Other"}, {"LineItems": LINES}, {"CurrencyCode": "EUR"},
                   {"Date": (TODAY - dt.timedelta(days=1)).isoformat()}):
        assert _errors(_update(api, accepted, **change)) == [
            "A quote with status ACCEPTED cannot be edited; only its status can be changed."]
    invoiced = _update(api, accepted, Status="INVOICED").json()["Quotes"][0]
    assert (invoiced["Status"], invoiced["Title"]) == ("INVOICED", "Fixed")  # nothing cleared


def test_lists_filters_and_pages_of_100(api, customer):
    seeded = api.get("/Quotes").json()["Quotes"]
    assert sorted(q["QuoteNumber"] for q in seeded) == ["QU-%04d" % n for n in range(1, 9)]
    assert {q["Status"] for q in seeded} == {"DRAFT", "SENT", "ACCEPTED", "DECLINED",
                                             "INVOICED"}
    assert all(q["LineItems"] for q in seeded)
    sent = api.get("/Quotes", params={"Status": "SENT"}).json()["Quotes"]
    assert sent and {q["Status"] for q in sent} == {"SENT"}
    one = seeded[3]
    assert [q["QuoteID"] for q in api.get("/Quotes", params={
        "QuoteNumber": one["QuoteNumber"]}).json()["Quotes"]] == [one["QuoteID"]]
    mine = api.get("/Quotes", params={"ContactID": one["Contact"]["ContactID"]}).json()
    assert one["QuoteID"] in [q["QuoteID"] for q in mine["Quotes"]]
    assert {q["Contact"]["ContactID"] for q in mine["Quotes"]} == {one["Contact"]["ContactID"]}
    day = one["DateString"][:10]
    on_day = api.get("/Quotes", params={"DateFrom": day, "DateTo": day}).json()["Quotes"]
    assert one["QuoteID"] in [q["QuoteID"] for q in on_day]
    assert {q["DateString"][:10] for q in on_day} == {day}
    expiry = one["ExpiryDateString"][:10]
    expiring = api.get("/Quotes", params={"ExpiryDateFrom": expiry, "ExpiryDateTo": expiry})
    assert {q["ExpiryDateString"][:10] for q in expiring.json()["Quotes"]} == {expiry}
    ordered = api.get("/Quotes", params={"order": "Total DESC"}).json()["Quotes"]
    assert [q["Total"] for q in ordered] == sorted((q["Total"] for q in seeded), reverse=True)
    since = api.get("/Quotes", headers={"If-Modified-Since": TODAY.isoformat() + "T00:00:00Z"})
    assert since.json()["Quotes"] == [], "seeded quotes are older than today"
    made = api.put("/Quotes", {"Quotes": [{"Contact": {"ContactID": customer},
                                           "LineItems": LINES[:1]}] * 100}).json()["Quotes"]
    first, second = (api.get("/Quotes", params={"page": n}).json() for n in (1, 2))
    assert (len(first["Quotes"]), len(second["Quotes"])) == (100, 100 + SEEDED - 100)
    assert "pagination" not in first        # Xero's Quotes have none: read until < 100
    assert api.get("/Quotes", params={"page": 3}).json()["Quotes"] == []
    new = api.get("/Quotes", headers={"If-Modified-Since": TODAY.isoformat() + "T00:00:00Z"})
    assert len(new.json()["Quotes"]) == 100
    gone = _update(api, made[0], Status="DELETED").json()["Quotes"][0]
    assert gone["QuoteID"] not in [q["QuoteID"] for q in api.get("/Quotes", params={
        "page": 1, "ContactID": customer}).json()["Quotes"]]
    assert [q["QuoteID"] for q in api.get("/Quotes", params={"Status": "DELETED"})
            .json()["Quotes"]] == [gone["QuoteID"]]
    assert [q["Status"] for q in api.get("/Quotes", params={
        "QuoteNumber": gone["QuoteNumber"]}).json()["Quotes"]] == ["DELETED"]
    bad = api.get("/Quotes", params={"DateFrom": "soon"}, validate="response")
    assert bad.status_code == 400


def test_idempotency_key_replays_a_quote(sandbox, api, customer):
    body = {"Quotes": [{"Contact": {"ContactID": customer}, "LineItems": LINES,
                        "Reference": "IDEMP-Q"}]}
    first = api.put("/Quotes", body, headers={"Idempotency-Key": "quote-key-1"})
    again = api.put("/Quotes", body, headers={"Idempotency-Key": "quote-key-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = dict(body, Quotes=[dict(body["Quotes"][0], Reference="IDEMP-Q2")])
    clash = api.put("/Quotes", other, headers={"Idempotency-Key": "quote-key-1"},
                    validate="response")
    assert clash.status_code == 400
    assert "already used with a different request" in clash.json()["Message"]
    listed = requests.get("%s/_sandbox/orgs/%s/quotes" % (sandbox.url, DEMO_TENANT_ID),
                          params={"reference": "IDEMP-Q"}).json()["Quotes"]
    assert len(listed) == 1
    quote = first.json()["Quotes"][0]
    update = {"Quotes": [{"Contact": {"ContactID": customer}, "Date": TODAY.isoformat(),
                          "Status": "SENT", "Reference": "IDEMP-Q"}]}
    sent = api.post("/Quotes/" + quote["QuoteID"], update, headers={"Idempotency-Key": "qk-2"})
    replay = api.post("/Quotes/" + quote["QuoteID"], update, headers={"Idempotency-Key": "qk-2"})
    assert sent.json() == replay.json()
    history = api.get("/Quotes/%s/History" % quote["QuoteID"]).json()["HistoryRecords"]
    assert [h["Changes"] for h in history] == ["Created", "Sent"]


def test_upsert_read_history_and_pdf(sandbox, api, customer):
    created = api.post("/Quotes", {"Quotes": [{"Contact": {"ContactID": customer},
                                               "LineItems": LINES, "Title": "Upserted"}]})
    quote = created.json()["Quotes"][0]
    assert quote["Status"] == "DRAFT"
    upserted = api.post("/Quotes", {"Quotes": [{
        "QuoteID": quote["QuoteID"], "Contact": {"ContactID": customer},
        "Date": quote["DateString"][:10], "Status": "SENT", "Title": "Upserted"}]})
    assert upserted.json()["Quotes"][0]["Status"] == "SENT"
    fetched = api.get("/Quotes/" + quote["QuoteID"]).json()["Quotes"][0]
    assert (fetched["Status"], fetched["Title"], fetched["Total"]) == (
        "SENT", "Upserted", quote["Total"])
    assert api.get("/Quotes/00000000-0000-0000-0000-000000000000",
                   validate="response").status_code == 404
    unknown = api.post("/Quotes", {"Quotes": [{
        "QuoteID": "00000000-0000-0000-0000-000000000001", "Contact": {"ContactID": customer},
        "Date": TODAY.isoformat()}]})
    assert _errors(unknown) == [
        "The quote with QuoteID 00000000-0000-0000-0000-000000000001 could not be found."]
    twice = api.put("/Quotes", {"Quotes": [{"QuoteID": quote["QuoteID"],
                                            "Contact": {"ContactID": customer}}]})
    assert "already exists" in _errors(twice)[0]
    note = api.put("/Quotes/%s/History" % quote["QuoteID"],
                   {"HistoryRecords": [{"Details": "Called the customer"}]})
    assert note.status_code == 200
    history = api.get("/Quotes/%s/History" % quote["QuoteID"]).json()["HistoryRecords"]
    assert [(h["Changes"], h["Details"]) for h in history] == [
        ("Created", "Quote %s" % quote["QuoteNumber"]),
        ("Sent", "Quote %s" % quote["QuoteNumber"]), ("Note", "Called the customer")]
    pdf = api.get("/Quotes/" + quote["QuoteID"], headers={"Accept": "application/pdf"},
                  validate=False)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4")
    for text in (quote["QuoteNumber"], "Quote Customer Ltd", "Status: Sent", "Upserted",
                 "Total: %.2f USD" % quote["Total"]):
        assert text.encode() in pdf.content, text


def test_quotes_need_an_invoices_scope(sandbox, accounting_spec):
    reader = connect(sandbox.url, tenants=[DEMO_TENANT_ID],
                     scope="openid offline_access accounting.transactions.read")
    api = XeroHttp(sandbox.url, accounting_spec, reader["access_token"], DEMO_TENANT_ID)
    assert api.get("/Quotes").status_code == 200
    refused = api.put("/Quotes", {"Quotes": [{"LineItems": LINES}]}, validate=False)
    assert refused.status_code == 401
    settings_only = connect(sandbox.url, tenants=[DEMO_TENANT_ID],
                            scope="openid offline_access accounting.settings.read")
    api = XeroHttp(sandbox.url, accounting_spec, settings_only["access_token"], DEMO_TENANT_ID)
    assert api.get("/Quotes", validate=False).status_code == 401


def test_no_webhook_for_quotes(sandbox, api, customer):
    """Xero has no quote events: a quote's life sends nothing, a contact does."""
    caught = []
    sandbox.store.event_sink = lambda org, *event: caught.append(event[:2])
    try:
        quote = _quote(api, customer).json()["Quotes"][0]
        _update(api, quote, Status="SENT")
        path = "%s/_sandbox/orgs/%s/quotes/%s/" % (sandbox.url, DEMO_TENANT_ID,
                                                   quote["QuoteID"])
        assert requests.post(path + "accept").status_code == 200
        assert requests.post(path + "invoice").status_code == 200
        assert caught == [("INVOICE", "CREATE")], "the invoice made from it, nothing else"
    finally:
        sandbox.store.event_sink = sandbox.webhooks.publish
