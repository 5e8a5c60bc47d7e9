"""Xero's web app pages the addon links to: contact, invoice, online invoice."""
import datetime as dt
from urllib.parse import quote

import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID
from xero_sandbox.accounting.invoices import online_token

SHORT_CODE = "!dEm0C"


def _act(sandbox, path, body=None):
    answer = requests.post("%s/_sandbox/orgs/%s/%s" % (sandbox.url, DEMO_TENANT_ID, path),
                           json=body or {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _open(sandbox, redirect, encoded, short_code=SHORT_CODE):
    if encoded:
        url = "%s/organisationlogin/default.aspx?shortcode=%s&redirecturl=%s" % (
            sandbox.url, quote(short_code, safe=""), quote(redirect, safe=""))
    else:                       # as an addon may build it: "?" and "=" left as they are
        url = "%s/organisationlogin/default.aspx?shortcode=%s&redirecturl=%s" % (
            sandbox.url, short_code, redirect)
    return requests.get(url)


@pytest.fixture
def customer(sandbox):
    return _act(sandbox, "contacts", {
        "Name": "Web Page Customer & Co", "AccountNumber": "WEB-1", "ContactNumber": "ODOO-77",
        "EmailAddress": "ap@webpage.example",
        "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "555-0142",
                    "PhoneCountryCode": "1"}],
        "Addresses": [{"AddressType": "STREET", "AddressLine1": "7 Quay Street",
                       "City": "Auckland"}],
        "ContactPersons": [{"FirstName": "Ann", "LastName": "Lee",
                            "EmailAddress": "ann@webpage.example"}]})


@pytest.mark.parametrize("encoded", [True, False])
def test_contact_page(sandbox, customer, encoded):
    invoice = _act(sandbox, "invoices", {"ContactID": customer["ContactID"], "LineItems": [
        {"Description": "x", "UnitAmount": 100, "AccountCode": "200"}]})
    _act(sandbox, "invoices/%s/approve" % invoice["InvoiceID"])
    page = _open(sandbox, "/Contacts/View/" + customer["ContactID"], encoded)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "#13b5ea" in page.text                         # the consent page's look
    for expected in ("Web Page Customer &amp; Co", "WEB-1", "ODOO-77", "ap@webpage.example",
                     "555-0142", "7 Quay Street", "Auckland", "Ann Lee", "115.00",
                     invoice["InvoiceNumber"], "Awaiting Payment", "Contact created",
                     "Demo User"):
        assert expected in page.text, expected


@pytest.mark.parametrize("encoded", [True, False])
def test_invoice_page(sandbox, customer, encoded):
    invoice = _act(sandbox, "invoices", {
        "ContactID": customer["ContactID"], "Reference": "PO-WEB", "Date": "2025-03-04",
        "DueDate": "2025-04-03", "LineItems": [
            {"ItemCode": "WIDGET", "Quantity": 4, "DiscountRate": 10,
             "Tracking": [{"Name": "Region", "Option": "North"}]}]})
    page = _open(sandbox, "/AccountsReceivable/View.aspx?InvoiceID=" + invoice["InvoiceID"],
                 encoded)
    assert page.status_code == 200 and "Draft" in page.text
    _act(sandbox, "invoices/%s/approve" % invoice["InvoiceID"])
    _act(sandbox, "invoices/%s/pay" % invoice["InvoiceID"], {"amount": 50, "reference": "CHQ9"})
    credit = _act(sandbox, "credit-notes", {"invoice_id": invoice["InvoiceID"], "amount": 20})
    page = _open(sandbox, "/AccountsReceivable/View.aspx?InvoiceID=" + invoice["InvoiceID"],
                 encoded)
    assert page.status_code == 200
    for expected in (invoice["InvoiceNumber"], "Awaiting Payment", "Web Page Customer",
                     "04 Mar 2025", "03 Apr 2025", "PO-WEB", "WIDGET", "Widget, standard size",
                     "Region: North", "90.00", "103.50", "CHQ9", "50.00",
                     credit["CreditNoteNumber"], "20.00", "33.50", "Standard", "Approved"):
        assert expected in page.text, expected


def test_status_words_match_xero(sandbox, api, customer):
    def status_on_page(invoice_id):
        text = _open(sandbox, "/AccountsReceivable/View.aspx?InvoiceID=" + invoice_id,
                     False).text
        return text.split('class="status">', 1)[1].split("<", 1)[0]
    lines = [{"Description": "x", "UnitAmount": 10, "AccountCode": "200"}]
    ids = [api.put("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": customer["ContactID"]}, "LineItems": lines,
        "DueDate": dt.date.today().isoformat()}]}).json()["Invoices"][0]["InvoiceID"]
        for _ in range(5)]
    for invoice_id, status in zip(ids, ["SUBMITTED", "AUTHORISED", "AUTHORISED", "DELETED"]):
        api.post("/Invoices/" + invoice_id, {"Invoices": [{"Status": status}]})
    _act(sandbox, "invoices/%s/pay" % ids[1])
    _act(sandbox, "invoices/%s/void" % ids[2])
    assert [status_on_page(i) for i in ids] == ["Awaiting Approval", "Paid", "Voided",
                                                "Deleted", "Draft"]


def test_unknown_short_code_record_or_page_is_an_html_404(sandbox, customer):
    for answer in (
            _open(sandbox, "/Contacts/View/" + customer["ContactID"], True, "!nOpE"),
            _open(sandbox, "/Contacts/View/00000000-0000-0000-0000-000000000000", False),
            _open(sandbox, "/AccountsReceivable/View.aspx?InvoiceID="
                  "00000000-0000-0000-0000-000000000000", True),
            _open(sandbox, "/Reports/Index", True)):
        assert answer.status_code == 404
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "Page not found" in answer.text


def test_online_invoice_is_the_customers_page(sandbox, api, customer):
    invoice = _act(sandbox, "invoices", {"ContactID": customer["ContactID"], "LineItems": [
        {"Description": "Design work", "Quantity": 2, "UnitAmount": 100, "AccountCode": "200",
         "Tracking": [{"Name": "Department", "Option": "Services"}]}]})
    draft_url = "%s/online-invoice/%s" % (sandbox.browser_url,
                                          online_token(invoice["InvoiceID"]))
    assert requests.get(draft_url).status_code == 404          # no online draft
    _act(sandbox, "invoices/%s/approve" % invoice["InvoiceID"])
    url = api.get("/Invoices/%s/OnlineInvoice" % invoice["InvoiceID"]) \
        .json()["OnlineInvoices"][0]["OnlineInvoiceUrl"]
    assert url == draft_url
    page = requests.get(url)
    assert page.status_code == 200
    for expected in ("Demo Company (Global)", invoice["InvoiceNumber"], "Web Page Customer",
                     "Design work", "230.00", "Awaiting Payment", "Pay now"):
        assert expected in page.text, expected
    assert "Services" not in page.text and "Demo User" not in page.text   # not for customers
    _act(sandbox, "invoices/%s/pay" % invoice["InvoiceID"])
    paid = requests.get(url).text
    assert "Paid" in paid and "Pay now" not in paid
    assert requests.get(sandbox.url + "/online-invoice/nope").status_code == 404
