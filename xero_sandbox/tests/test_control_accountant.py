"""An accountant at work in Xero's UI, through /_sandbox/orgs/{tenant}/... actions."""
import datetime as dt

import requests

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID
from xero_sandbox.store import tenant_id_for

from .helpers import connect, consent_form

TODAY = dt.date.today()


def _act(sandbox, path, body=None, tenant=DEMO_TENANT_ID):
    return requests.post("%s/_sandbox/orgs/%s/%s" % (sandbox.url, tenant, path), json=body or {})


def _customer(sandbox, name="Accountant Customer Ltd"):
    answer = _act(sandbox, "contacts", {"Name": name, "EmailAddress": "ap@customer.example"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _draft(sandbox, contact_id, **fields):
    body = {"ContactID": contact_id, "Date": TODAY.isoformat(), "LineItems": [
        {"Description": "Consulting", "Quantity": 2, "UnitAmount": 100, "AccountCode": "200"}]}
    body.update(fields)
    answer = _act(sandbox, "invoices", body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_contact_created_and_edited_in_xero_is_seen_by_the_api_and_not_logged(sandbox, api):
    contact = _customer(sandbox)
    assert contact["ContactStatus"] == "ACTIVE"
    assert contact["History"][0]["User"] == "Demo User"
    seen = api.get("/Contacts/" + contact["ContactID"]).json()["Contacts"][0]
    assert seen["EmailAddress"] == "ap@customer.example"
    edited = _act(sandbox, "contacts/" + contact["ContactID"], {
        "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "555-0199"}],
        "Addresses": [{"AddressType": "STREET", "City": "Leeds"}]}).json()
    phones = {p["PhoneType"]: p["PhoneNumber"] for p in edited["Phones"]}
    assert phones["MOBILE"] == "555-0199" and phones["DEFAULT"] == ""
    assert {a["AddressType"]: a["City"] for a in edited["Addresses"]} == \
        {"POBOX": "", "STREET": "Leeds"}
    assert edited["EmailAddress"] == "ap@customer.example"       # merged, not replaced
    assert [h["Changes"] for h in edited["History"]] == ["Created", "Edited"]
    archived = _act(sandbox, "contacts/" + contact["ContactID"], {"ContactStatus": "ARCHIVED"})
    assert archived.json()["ContactStatus"] == "ARCHIVED"
    duplicate = _act(sandbox, "contacts", {"Name": "accountant customer LTD"})
    assert duplicate.status_code == 400 and "already assigned" in duplicate.json()["error"]
    operations = [c["operation"] for c in requests.get(sandbox.url + "/_sandbox/calls")
                  .json()["calls"]]
    assert operations == ["GET /Contacts/{id}"]


def test_archiving_a_contact_that_owes_money_is_refused(sandbox):
    contact = _customer(sandbox)
    invoice = _draft(sandbox, contact["ContactID"])
    _act(sandbox, "invoices/%s/approve" % invoice["InvoiceID"])
    refused = _act(sandbox, "contacts/" + contact["ContactID"], {"ContactStatus": "ARCHIVED"})
    assert refused.status_code == 400
    assert refused.json()["messages"] == [
        "This contact cannot be archived as it has outstanding invoices or bills."]


def test_approve_then_pay_in_two_parts(sandbox, api):
    contact = _customer(sandbox)
    draft = _draft(sandbox, contact["ContactID"], Reference="ACC-1")
    assert (draft["Type"], draft["Status"], draft["Total"]) == ("ACCREC", "DRAFT", 230.0)
    approved = _act(sandbox, "invoices/%s/approve" % draft["InvoiceID"]).json()
    assert approved["Status"] == "AUTHORISED"
    assert approved["DueDateString"][:10] == (TODAY + dt.timedelta(days=30)).isoformat()
    part = _act(sandbox, "invoices/%s/pay" % draft["InvoiceID"],
                {"amount": 30, "date": TODAY.isoformat()}).json()
    assert (part["Status"], part["AmountPaid"], part["AmountDue"]) == ("AUTHORISED", 30.0, 200.0)
    assert [p["Amount"] for p in part["Payments"]] == [30.0]
    assert "FullyPaidOnDate" not in part
    too_much = _act(sandbox, "invoices/%s/pay" % draft["InvoiceID"], {"amount": 200.01})
    assert too_much.status_code == 400 and "exceeds" in too_much.json()["error"]
    rest = _act(sandbox, "invoices/%s/pay" % draft["InvoiceID"]).json()
    assert (rest["Status"], rest["AmountPaid"], rest["AmountDue"]) == ("PAID", 230.0, 0.0)
    assert rest["FullyPaidOnDate"] == rest["Payments"][1]["Date"]
    assert [h["Changes"] for h in rest["History"]] == ["Created", "Approved", "Payment", "Paid"]
    seen = api.get("/Invoices/" + draft["InvoiceID"]).json()["Invoices"][0]
    assert seen["Status"] == "PAID" and seen["AmountDue"] == 0.0
    assert [p["PaymentID"] for p in seen["Payments"]] == \
        [p["PaymentID"] for p in rest["Payments"]]
    assert _act(sandbox, "invoices/%s/void" % draft["InvoiceID"]).status_code == 400
    balances = api.get("/Contacts/" + contact["ContactID"]).json()["Contacts"][0]["Balances"]
    assert balances["AccountsReceivable"] == {"Outstanding": 0.0, "Overdue": 0.0}


def test_explicit_due_date_void_and_refusals(sandbox, api):
    contact = _customer(sandbox)
    draft = _draft(sandbox, contact["ContactID"])
    early = (TODAY - dt.timedelta(days=3)).isoformat()
    approved = _act(sandbox, "invoices/%s/approve" % draft["InvoiceID"],
                    {"due_date": early}).json()
    assert approved["DueDateString"][:10] == early
    balances = api.get("/Contacts/" + contact["ContactID"]).json()["Contacts"][0]["Balances"]
    assert balances["AccountsReceivable"] == {"Outstanding": 230.0, "Overdue": 230.0}
    again = _act(sandbox, "invoices/%s/approve" % draft["InvoiceID"])
    assert again.status_code == 400
    voided = _act(sandbox, "invoices/%s/void" % draft["InvoiceID"]).json()
    assert voided["Status"] == "VOIDED"
    unpaid = _draft(sandbox, contact["ContactID"])
    assert _act(sandbox, "invoices/%s/pay" % unpaid["InvoiceID"]).status_code == 400  # draft
    bad = _act(sandbox, "invoices", {"ContactID": contact["ContactID"], "LineItems": [
        {"Description": "x", "UnitAmount": 1, "AccountCode": "280"}]})
    assert bad.status_code == 400 and "archived" in bad.json()["messages"][0]
    assert _act(sandbox, "invoices/00000000-0000-0000-0000-000000000000/pay").status_code == 404


def test_more_organisations_for_a_benchmark(sandbox):
    answer = requests.post(sandbox.url + "/_sandbox/orgs",
                           json={"count": 3, "contacts": 7, "name_prefix": "Bench Org"})
    assert answer.status_code == 200, answer.text
    added = answer.json()["orgs"]
    assert [o["name"] for o in added] == ["Bench Org 1", "Bench Org 2", "Bench Org 3"]
    assert [o["tenant_id"] for o in added] == [tenant_id_for(o["name"]) for o in added]
    more = requests.post(sandbox.url + "/_sandbox/orgs", json={"count": 1}).json()["orgs"]
    assert [o["name"] for o in more] == ["Bench Org 4"]
    _, _, shown = consent_form(sandbox.url)
    assert shown == [DEMO_TENANT_ID, SECOND_TENANT_ID] + [o["tenant_id"] for o in added + more]
    tokens = connect(sandbox.url, tenants=shown)
    headers = {"Authorization": "Bearer " + tokens["access_token"],
               "xero-tenant-id": added[2]["tenant_id"]}
    contacts = requests.get(sandbox.url + "/api.xro/2.0/Contacts",
                            params={"includeArchived": "true"}, headers=headers).json()
    assert len(contacts["Contacts"]) == 7
    org = requests.get(sandbox.url + "/api.xro/2.0/Organisation", headers=headers).json()
    assert org["Organisations"][0]["Name"] == "Bench Org 3"
    sandbox.reset()
    assert len(requests.get(sandbox.url + "/_sandbox/orgs").json()) == 2
