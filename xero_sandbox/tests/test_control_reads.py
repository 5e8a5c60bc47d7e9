"""Reading Xero's side through /_sandbox/orgs/{tenant}/...: no token, no log, no limit."""
import requests

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID


def _read(sandbox, path, tenant=DEMO_TENANT_ID, **params):
    answer = requests.get("%s/_sandbox/orgs/%s/%s" % (sandbox.url, tenant, path), params=params)
    return answer


def test_contacts_include_archived_with_full_json_and_filters(sandbox, api):
    listed = _read(sandbox, "contacts").json()["Contacts"]
    assert len(listed) == 60
    archived = [c for c in listed if c["ContactStatus"] == "ARCHIVED"]
    assert archived, "archived contacts are part of Xero's side too"
    api_view = api.get("/Contacts", params={"page": 1, "includeArchived": "true"}).json()
    assert sorted(c["ContactID"] for c in listed) == \
        sorted(c["ContactID"] for c in api_view["Contacts"])
    one = next(c for c in listed if c.get("AccountNumber") and c.get("ContactNumber"))
    for key in ("Addresses", "Phones", "ContactPersons", "Balances", "ContactStatus"):
        assert key in one
    by_api = api.get("/Contacts/" + one["ContactID"]).json()["Contacts"][0]
    assert one == by_api
    assert [c["ContactID"] for c in _read(sandbox, "contacts", name=one["Name"].upper())
            .json()["Contacts"]] == [one["ContactID"]]
    assert [c["ContactID"] for c in _read(sandbox, "contacts",
                                          account_number=one["AccountNumber"]).json()
            ["Contacts"]] == [one["ContactID"]]
    assert [c["ContactID"] for c in _read(sandbox, "contacts",
                                          contact_number=one["ContactNumber"]).json()
            ["Contacts"]] == [one["ContactID"]]
    assert _read(sandbox, "contacts", name="No Such Name Ltd").json() == {"Contacts": []}


def test_one_contact_carries_its_history(sandbox, api):
    created = api.put("/Contacts", {"Contacts": [{"Name": "Read Back Ltd"}]}).json()
    contact_id = created["Contacts"][0]["ContactID"]
    api.put("/Contacts/%s/History" % contact_id, {"HistoryRecords": [{"Details": "Hello"}]})
    answer = _read(sandbox, "contacts/" + contact_id)
    assert answer.status_code == 200
    contact = answer.json()
    assert contact["Name"] == "Read Back Ltd"
    assert [(h["Changes"], h["Details"]) for h in contact["History"]] == [
        ("Created", "Contact created: Read Back Ltd"), ("Note", "Hello")]
    assert _read(sandbox, "contacts/00000000-0000-0000-0000-000000000000").status_code == 404
    assert _read(sandbox, "contacts", tenant="nope").status_code == 404


def test_invoices_with_filters_and_full_detail(sandbox, api):
    contact_id = api.put("/Contacts", {"Contacts": [{"Name": "Read Invoices Ltd"}]}) \
        .json()["Contacts"][0]["ContactID"]
    made = api.put("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Reference": "READ-1",
        "LineItems": [{"Description": "x", "Quantity": 2, "UnitAmount": 10,
                       "AccountCode": "200", "DiscountRate": 10}]}]}).json()["Invoices"][0]
    mine = _read(sandbox, "invoices", contact_id=contact_id).json()["Invoices"]
    assert [i["InvoiceID"] for i in mine] == [made["InvoiceID"]]
    [line] = mine[0]["LineItems"]
    assert (line["DiscountRate"], line["LineAmount"], line["TaxAmount"]) == (10.0, 18.0, 2.7)
    for key in ("Payments", "AmountPaid", "AmountDue", "AmountCredited", "Date", "Status"):
        assert key in mine[0]
    assert [i["InvoiceID"] for i in _read(sandbox, "invoices", reference="READ-1")
            .json()["Invoices"]] == [made["InvoiceID"]]
    drafts = _read(sandbox, "invoices", status="draft").json()["Invoices"]
    assert drafts and {i["Status"] for i in drafts} == {"DRAFT"}
    one = _read(sandbox, "invoices/" + made["InvoiceID"]).json()
    assert one["InvoiceNumber"] == made["InvoiceNumber"]
    assert [h["Changes"] for h in one["History"]] == ["Created"]
    every = _read(sandbox, "invoices").json()["Invoices"]
    assert len(every) == len(api.get("/Invoices", params={"Statuses": "DRAFT,SUBMITTED,"
                                     "AUTHORISED,PAID,VOIDED,DELETED"}).json()["Invoices"])
    assert _read(sandbox, "invoices/00000000-0000-0000-0000-000000000000").status_code == 404


def test_reads_are_neither_logged_nor_rate_limited(sandbox, api):
    requests.post(sandbox.url + "/_sandbox/faults", json={"minute_limit": 1})
    assert api.get("/Organisation").status_code == 200
    for _ in range(5):
        assert _read(sandbox, "contacts").status_code == 200
        assert _read(sandbox, "invoices", tenant=SECOND_TENANT_ID).status_code == 200
    calls = requests.get(sandbox.url + "/_sandbox/calls").json()["calls"]
    assert [c["operation"] for c in calls] == ["GET /Organisation"]
    assert api.get("/Organisation", validate=False).status_code == 429
