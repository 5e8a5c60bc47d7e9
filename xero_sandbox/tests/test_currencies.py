"""Documents in other currencies: the day rate, a rate sent, currencies not
enabled, the control API's rate table, PUT /Currencies, payments and credit."""
import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID

from .helpers import SCOPES, XeroHttp, connect

LINE = {"Description": "Work", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}


@pytest.fixture
def customer(api):
    return api.put("/Contacts", {"Contacts": [{"Name": "Currency Customer Ltd"}]}) \
        .json()["Contacts"][0]["ContactID"]


def _invoice(api, contact_id, validate=True, **fields):
    body = dict({"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "LineItems": [LINE]},
                **fields)
    return api.put("/Invoices", {"Invoices": [body]}, validate=validate)


def _rates(sandbox, body=None, tenant=DEMO_TENANT_ID, status=200):
    url = "%s/_sandbox/orgs/%s/currency-rates" % (sandbox.url, tenant)
    answer = requests.post(url, json=body) if body is not None else requests.get(url)
    assert answer.status_code == status, answer.text
    return answer.json()


def _messages(answer):
    assert answer.status_code == 400, answer.text
    return [m["Message"] for e in answer.json()["Elements"] for m in e["ValidationErrors"]]


def test_documents_take_the_day_rate_or_the_rate_sent(api, second_api, customer):
    euro = _invoice(api, customer, CurrencyCode="EUR").json()["Invoices"][0]
    assert (euro["CurrencyCode"], euro["CurrencyRate"], euro["Total"], euro["AmountDue"]) == (
        "EUR", 0.92, 115.0, 115.0)          # amounts stay in euros
    pound = _invoice(api, customer, CurrencyCode="GBP").json()["Invoices"][0]
    assert pound["CurrencyRate"] == 0.79
    dollar = _invoice(api, customer, CurrencyRate=0.5).json()["Invoices"][0]
    assert (dollar["CurrencyCode"], dollar["CurrencyRate"]) == ("USD", 1.0)  # base: always 1
    agreed = _invoice(api, customer, CurrencyCode="EUR", CurrencyRate=0.9).json()["Invoices"][0]
    assert agreed["CurrencyRate"] == 0.9
    assert _messages(_invoice(api, customer, CurrencyCode="EUR", CurrencyRate=-1,
                              validate="response")) == [
        "The currency rate must be a number greater than zero."]
    assert _messages(_invoice(api, customer, CurrencyCode="NZD")) == [
        "Organisation is not subscribed to currency NZD"]
    quote = api.put("/Quotes", {"Quotes": [{"Contact": {"ContactID": customer},
                                            "CurrencyCode": "GBP", "LineItems": [LINE]}]})
    assert quote.json()["Quotes"][0]["CurrencyRate"] == 0.79
    # The second organisation counts in pounds: a euro is 0.92 / 0.79 of a pound's units.
    gb_customer = second_api.put("/Contacts", {"Contacts": [{"Name": "GB Currency Ltd"}]}) \
        .json()["Contacts"][0]["ContactID"]
    gb_euro = _invoice(second_api, gb_customer, CurrencyCode="EUR").json()["Invoices"][0]
    assert gb_euro["CurrencyRate"] == 1.164557
    assert _messages(_invoice(second_api, gb_customer, CurrencyCode="USD")) == [
        "Organisation is not subscribed to currency USD"]


def test_a_new_currency_takes_its_rate_and_a_paid_invoice_keeps_its_own(sandbox, api,
                                                                         customer):
    invoice = _invoice(api, customer, CurrencyCode="EUR", Date="2026-01-05",
                       DueDate="2026-02-05").json()["Invoices"][0]
    path = "/Invoices/" + invoice["InvoiceID"]
    moved = api.post(path, {"Invoices": [{"CurrencyCode": "GBP"}]}).json()["Invoices"][0]
    assert (moved["CurrencyCode"], moved["CurrencyRate"]) == ("GBP", 0.79)
    same = api.post(path, {"Invoices": [{"Reference": "kept"}]}).json()["Invoices"][0]
    assert same["CurrencyRate"] == 0.79
    control = "%s/_sandbox/orgs/%s/invoices/%s/" % (sandbox.url, DEMO_TENANT_ID,
                                                     invoice["InvoiceID"])
    assert requests.post(control + "approve").status_code == 200
    paid = requests.post(control + "pay", json={"amount": 50}).json()
    assert (paid["AmountPaid"], paid["AmountDue"], paid["Payments"][0]["CurrencyRate"]) == (
        50.0, 65.0, 0.79)
    refused = api.post(path, {"Invoices": [{"CurrencyCode": "EUR"}]})
    assert _messages(refused) == ["This document cannot be edited as it has a payment or "
                                  "credit note allocated to it."]
    assert api.post(path, {"Invoices": [{"CurrencyCode": "GBP", "Reference": "ok"}]}) \
        .status_code == 200


def test_payments_in_the_bank_and_credit_in_the_invoices_currency(sandbox, accounting_spec,
                                                                   api, customer):
    invoice = _invoice(api, customer, CurrencyCode="EUR", Status="AUTHORISED",
                       DueDate="2030-01-01").json()["Invoices"][0]
    control = "%s/_sandbox/orgs/%s/" % (sandbox.url, DEMO_TENANT_ID)
    requests.post(control + "invoices/%s/pay" % invoice["InvoiceID"], json={"amount": 46})
    tokens = connect(sandbox.url, tenants=[DEMO_TENANT_ID],
                     scope=SCOPES + " accounting.payments.read")
    payments = XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], DEMO_TENANT_ID)
    [payment] = payments.get("/Payments", params={
        "where": 'Invoice.InvoiceID==Guid("%s")' % invoice["InvoiceID"]}).json()["Payments"]
    # 46 euros at 0.92 euros a dollar: 50 dollars reach the (dollar) bank account.
    assert (payment["Amount"], payment["CurrencyRate"], payment["BankAmount"],
            payment["Invoice"]["CurrencyCode"]) == (46.0, 0.92, 50.0, "EUR")
    credit = requests.post(control + "credit-notes", json={
        "invoice_id": invoice["InvoiceID"], "amount": 20}).json()
    assert (credit["CurrencyCode"], credit["CurrencyRate"], credit["Total"]) == (
        "EUR", 0.92, 20.0)
    after = api.get("/Invoices/" + invoice["InvoiceID"]).json()["Invoices"][0]
    assert (after["AmountPaid"], after["AmountCredited"], after["AmountDue"]) == (
        46.0, 20.0, 49.0)


def test_the_rate_table_is_set_and_read_by_the_control_api(sandbox, api, customer):
    table = _rates(sandbox)
    assert (table["base_currency"], table["enabled"], table["overrides"]) == (
        "USD", ["USD", "EUR", "GBP"], {})
    assert (table["rates"]["USD"], table["rates"]["EUR"], table["rates"]["NZD"]) == (
        1.0, 0.92, 1.66)
    old = _invoice(api, customer, CurrencyCode="EUR").json()["Invoices"][0]
    changed = _rates(sandbox, {"EUR": 0.95, "GBP": "0.8123456"})
    assert changed["rates"]["EUR"] == 0.95 and changed["overrides"] == {
        "EUR": 0.95, "GBP": 0.812346}
    new = _invoice(api, customer, CurrencyCode="EUR").json()["Invoices"][0]
    assert new["CurrencyRate"] == 0.95
    kept = api.get("/Invoices/" + old["InvoiceID"]).json()["Invoices"][0]
    assert kept["CurrencyRate"] == 0.92, "a saved document keeps its rate"
    assert _rates(sandbox, {"rates": {"EUR": None}})["rates"]["EUR"] == 0.92
    refused = _rates(sandbox, {"USD": 2, "XXX": 1, "GBP": 0}, status=400)
    assert refused["messages"] == [
        "USD is the base currency: its rate is always 1",
        "unknown currency XXX (known: %s)" % ", ".join(sorted(table["rates"])),
        "the rate of GBP must be a number greater than zero"]
    assert _rates(sandbox)["overrides"] == {"GBP": 0.812346}, "a refusal changes nothing"
    second = _rates(sandbox, tenant=SECOND_TENANT_ID)
    assert (second["base_currency"], second["rates"]["GBP"], second["rates"]["USD"]) == (
        "GBP", 1.0, 1.265823)


def test_put_currencies_enables_one(sandbox, accounting_spec, api, customer):
    tokens = connect(sandbox.url, tenants=[DEMO_TENANT_ID],
                     scope=SCOPES.replace("accounting.settings.read", "accounting.settings"))
    admin = XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], DEMO_TENANT_ID)
    refused = api.put("/Currencies", {"Code": "NZD"}, validate=False)
    assert refused.status_code == 401, "settings.read cannot add a currency"
    added = admin.put("/Currencies", {"Code": "NZD", "Description": "New Zealand Dollar"})
    assert added.json()["Currencies"] == [{"Code": "NZD", "Description": "New Zealand Dollar"}]
    assert [c["Code"] for c in admin.get("/Currencies").json()["Currencies"]] == [
        "USD", "EUR", "GBP", "NZD"]
    assert admin.put("/Currencies", {"Code": "NZD"}).status_code == 200   # again: no change
    assert len(admin.get("/Currencies").json()["Currencies"]) == 4
    kiwi = _invoice(api, customer, CurrencyCode="NZD").json()["Invoices"][0]
    assert kiwi["CurrencyRate"] == 1.66
    unknown = admin.put("/Currencies", {"Code": "ZWD"})
    assert _messages(unknown) == ["'ZWD' is not a valid currency code."]
    enabled = requests.post("%s/_sandbox/orgs/%s/currencies" % (sandbox.url, SECOND_TENANT_ID),
                            json={"code": "usd"}).json()
    assert enabled["enabled"] == ["GBP", "EUR", "USD"]
