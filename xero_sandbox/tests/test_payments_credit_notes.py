"""Payments and credit notes, and how both keep invoices and balances consistent."""
import datetime as dt

import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID

from .helpers import SCOPES, XeroHttp, connect

TODAY = dt.date.today()


@pytest.fixture
def pay_api(sandbox, accounting_spec):
    """Payments need their own granular scope."""
    tokens = connect(sandbox.url, tenants=[DEMO_TENANT_ID],
                     scope=SCOPES + " accounting.payments.read")
    return XeroHttp(sandbox.url, accounting_spec, tokens["access_token"], DEMO_TENANT_ID)


def _control(sandbox, path, body=None, status=200):
    answer = requests.post("%s/_sandbox/orgs/%s/%s" % (sandbox.url, DEMO_TENANT_ID, path),
                           json=body or {})
    assert answer.status_code == status, answer.text
    return answer.json()


def _approved(sandbox, name="Credit Customer Ltd", amount=100):
    contact = _control(sandbox, "contacts", {"Name": name})
    invoice = _control(sandbox, "invoices", {"ContactID": contact["ContactID"], "LineItems": [
        {"Description": "Work", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}]})
    _control(sandbox, "invoices/%s/approve" % invoice["InvoiceID"])
    return contact["ContactID"], invoice["InvoiceID"]


def test_payments_match_the_invoices_they_pay(pay_api):
    invoices = pay_api.get("/Invoices", params={"page": 1, "pageSize": 1000}).json()["Invoices"]
    on_invoices = {p["PaymentID"]: (i["InvoiceID"], p["Amount"])
                   for i in invoices for p in i["Payments"]}
    assert on_invoices, "seeded PAID invoices carry their payments"
    for invoice in invoices:
        assert round(sum(p["Amount"] for p in invoice["Payments"]), 2) == invoice["AmountPaid"]
        if invoice["Status"] == "PAID":
            assert invoice["AmountDue"] == 0 and invoice["FullyPaidOnDate"]
    listed = pay_api.get("/Payments").json()["Payments"]
    assert {p["PaymentID"]: (p["Invoice"]["InvoiceID"], p["Amount"]) for p in listed} == \
        on_invoices
    assert {p["Status"] for p in listed} == {"AUTHORISED"}
    assert {p["PaymentType"] for p in listed} == {"ACCRECPAYMENT", "ACCPAYPAYMENT"}
    page = pay_api.get("/Payments", params={"page": 2, "pageSize": 10,
                                            "order": "Amount DESC"}).json()
    assert page["pagination"]["itemCount"] == len(listed)
    amounts = [p["Amount"] for p in page["Payments"]]
    assert len(amounts) == 10 and amounts == sorted(amounts, reverse=True)
    target = listed[0]
    one = pay_api.get("/Payments/" + target["PaymentID"]).json()["Payments"]
    assert one == [target]
    where = pay_api.get("/Payments", params={
        "where": 'Invoice.InvoiceID==Guid("%s")' % target["Invoice"]["InvoiceID"]}).json()
    assert target["PaymentID"] in [p["PaymentID"] for p in where["Payments"]]
    assert pay_api.get("/Payments/00000000-0000-0000-0000-000000000000").status_code == 404


def test_payments_need_the_payments_scope(api):
    assert api.get("/Payments").status_code == 401


def test_a_payment_made_in_xero_shows_up_since(sandbox, pay_api):
    _, invoice_id = _approved(sandbox)
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    paid = _control(sandbox, "invoices/%s/pay" % invoice_id, {"amount": 15, "reference": "r1"})
    recent = pay_api.get("/Payments", headers={"If-Modified-Since": since.isoformat()}).json()
    assert [(p["PaymentID"], p["Amount"], p["Reference"]) for p in recent["Payments"]] == [
        (paid["Payments"][0]["PaymentID"], 15.0, "r1")]
    read = requests.get("%s/_sandbox/orgs/%s/payments" % (sandbox.url, DEMO_TENANT_ID),
                        params={"invoice_id": invoice_id}).json()["Payments"]
    assert [p["PaymentID"] for p in read] == [paid["Payments"][0]["PaymentID"]]


def test_seeded_credit_notes_listing_and_filters(api):
    answer = api.get("/CreditNotes").json()
    notes = answer["CreditNotes"]
    assert len(notes) >= 3 and {n["Type"] for n in notes} == {"ACCRECCREDIT"}
    assert all("LineItems" not in n for n in notes)            # unpaged: no lines
    allocated = [n for n in notes if n["Allocations"]]
    open_credit = [n for n in notes if n["RemainingCredit"] > 0]
    assert allocated and open_credit
    note = allocated[0]
    assert note["Status"] == "PAID" and note["RemainingCredit"] == 0
    invoice_id = note["Allocations"][0]["Invoice"]["InvoiceID"]
    invoice = api.get("/Invoices/" + invoice_id).json()["Invoices"][0]
    assert [(c["CreditNoteID"], c["AppliedAmount"]) for c in invoice["CreditNotes"]] == \
        [(note["CreditNoteID"], note["Allocations"][0]["Amount"])]
    assert invoice["AmountCredited"] == note["Allocations"][0]["Amount"]
    assert invoice["AmountDue"] == round(invoice["Total"] - invoice["AmountPaid"]
                                         - invoice["AmountCredited"], 2)
    contact_id = note["Contact"]["ContactID"]
    mine = api.get("/CreditNotes", params={
        "where": 'Contact.ContactID==Guid("%s")' % contact_id}).json()["CreditNotes"]
    assert note["CreditNoteID"] in [n["CreditNoteID"] for n in mine]
    assert {n["Contact"]["ContactID"] for n in mine} == {contact_id}
    authorised = api.get("/CreditNotes", params={"where": 'Status=="AUTHORISED"'}).json()
    assert {n["CreditNoteID"] for n in authorised["CreditNotes"]} == \
        {n["CreditNoteID"] for n in open_credit}
    paged = api.get("/CreditNotes", params={"page": 1, "pageSize": 2,
                                            "order": "CreditNoteNumber"}).json()
    assert paged["pagination"]["itemCount"] == len(notes)
    assert [n["CreditNoteNumber"] for n in paged["CreditNotes"]] == ["CN-0001", "CN-0002"]
    assert all(n["LineItems"] for n in paged["CreditNotes"])
    one = api.get("/CreditNotes/" + note["CreditNoteID"]).json()["CreditNotes"][0]
    assert one["LineItems"][0]["AccountCode"] == "200" and one["Total"] == note["Total"]
    assert api.get("/CreditNotes/00000000-0000-0000-0000-000000000000").status_code == 404


def test_open_credit_lowers_the_outstanding_balance(api):
    notes = api.get("/CreditNotes", params={"where": 'Status=="AUTHORISED"'}).json()
    contact_id = notes["CreditNotes"][0]["Contact"]["ContactID"]
    credit = sum(n["RemainingCredit"] for n in notes["CreditNotes"]
                 if n["Contact"]["ContactID"] == contact_id)
    invoices = api.get("/Invoices", params={"ContactIDs": contact_id, "Statuses": "AUTHORISED",
                                            "where": 'Type=="ACCREC"'}).json()["Invoices"]
    contact = api.get("/Contacts/" + contact_id).json()["Contacts"][0]
    due = sum(i["AmountDue"] for i in invoices)
    assert contact["Balances"]["AccountsReceivable"]["Outstanding"] == round(due - credit, 2)


def test_credit_note_in_xero_allocated_to_an_invoice(sandbox, api):
    contact_id, invoice_id = _approved(sandbox)                  # 115.00 due
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    part = _control(sandbox, "credit-notes", {"contact_id": contact_id, "amount": 15,
                                              "invoice_id": invoice_id})
    assert (part["Status"], part["Total"], part["RemainingCredit"]) == ("PAID", 15.0, 0.0)
    invoice = api.get("/Invoices/" + invoice_id).json()["Invoices"][0]
    assert (invoice["Status"], invoice["AmountCredited"], invoice["AmountDue"]) == \
        ("AUTHORISED", 15.0, 100.0)
    rest = _control(sandbox, "credit-notes", {"invoice_id": invoice_id, "lines": [
        {"Description": "Refund", "Quantity": 1, "UnitAmount": 200, "AccountCode": "200"}]})
    assert (rest["Total"], rest["RemainingCredit"], rest["Status"]) == (230.0, 130.0,
                                                                        "AUTHORISED")
    invoice = api.get("/Invoices/" + invoice_id).json()["Invoices"][0]
    assert (invoice["Status"], invoice["AmountCredited"], invoice["AmountDue"]) == \
        ("PAID", 115.0, 0.0)
    assert invoice["FullyPaidOnDate"]
    assert [c["AppliedAmount"] for c in invoice["CreditNotes"]] == [15.0, 100.0]
    balances = api.get("/Contacts/" + contact_id).json()["Contacts"][0]["Balances"]
    assert balances["AccountsReceivable"] == {"Outstanding": -130.0, "Overdue": 0.0}
    recent = api.get("/CreditNotes", headers={"If-Modified-Since": since.isoformat()}).json()
    assert [n["CreditNoteID"] for n in recent["CreditNotes"]] == [part["CreditNoteID"],
                                                                  rest["CreditNoteID"]]
    assert api.post("/Invoices/" + invoice_id, {"Invoices": [{"Status": "VOIDED"}]}) \
        .status_code == 400
    read = requests.get("%s/_sandbox/orgs/%s/credit-notes" % (sandbox.url, DEMO_TENANT_ID),
                        params={"invoice_id": invoice_id}).json()["CreditNotes"]
    assert [n["CreditNoteNumber"] for n in read] == [part["CreditNoteNumber"],
                                                     rest["CreditNoteNumber"]]


def test_credit_note_refusals(sandbox):
    contact_id, invoice_id = _approved(sandbox)
    draft = _control(sandbox, "credit-notes", {"contact_id": contact_id, "amount": 10,
                                               "invoice_id": invoice_id, "status": "DRAFT"},
                     status=400)
    assert draft["messages"] == ["Only an AUTHORISED credit note can be allocated."]
    other, _ = _approved(sandbox, "Someone Else Ltd")
    wrong = _control(sandbox, "credit-notes", {"contact_id": other, "amount": 10,
                                               "invoice_id": invoice_id}, status=400)
    assert wrong["messages"] == ["The credit note and the invoice must be for the same "
                                 "contact."]
    assert _control(sandbox, "credit-notes", {"contact_id": contact_id}, status=400)
    unallocated = _control(sandbox, "credit-notes", {"contact_id": contact_id, "amount": 10,
                                                     "status": "DRAFT"})
    assert unallocated["Status"] == "DRAFT" and unallocated["Allocations"] == []
