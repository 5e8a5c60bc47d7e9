"""Invoices: totals, tax defaults, status rules and listing."""
import datetime as dt

import pytest

TODAY = dt.date.today().isoformat()


@pytest.fixture
def customer(api):
    return api.put("/Contacts", {"Contacts": [{"Name": "Invoice Customer Ltd"}]}) \
        .json()["Contacts"][0]["ContactID"]


def _draft(api, contact_id, lines=None, **fields):
    invoice = {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": TODAY,
               "DueDate": TODAY, "LineItems": lines or [
                   {"Description": "Consulting", "Quantity": 2, "UnitAmount": 100,
                    "AccountCode": "200"}]}
    invoice.update(fields)
    return api.put("/Invoices", {"Invoices": [invoice]})


def _set_status(api, invoice_id, status):
    return api.post("/Invoices/" + invoice_id, {"Invoices": [{"Status": status}]})


def test_tax_defaults_from_account_and_exclusive_totals(api, customer):
    answer = _draft(api, customer, Reference="OPP-7", Url="http://localhost:8069/odoo/crm/7")
    assert answer.status_code == 200
    [invoice] = answer.json()["Invoices"]
    assert invoice["Status"] == "DRAFT" and invoice["InvoiceNumber"].startswith("INV-")
    [line] = invoice["LineItems"]
    assert line["TaxType"] == "OUTPUT"          # account 200's default
    assert (line["LineAmount"], line["TaxAmount"]) == (200.0, 30.0)
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == (200.0, 30.0, 230.0)
    assert invoice["AmountDue"] == 230.0 and invoice["CurrencyCode"] == "USD"
    assert invoice["Reference"] == "OPP-7" and invoice["Url"].endswith("/crm/7")
    other = _draft(api, customer, [{"Description": "Interest", "Quantity": 1,
                                    "UnitAmount": 50, "AccountCode": "270"}]).json()
    assert other["Invoices"][0]["LineItems"][0]["TaxType"] == "TAX001"
    assert other["Invoices"][0]["TotalTax"] == 0.0
    assert other["Invoices"][0]["InvoiceNumber"] != invoice["InvoiceNumber"]


def test_inclusive_and_no_tax_totals(api, customer):
    lines = [{"Description": "A", "Quantity": 1, "UnitAmount": 115, "AccountCode": "200"},
             {"Description": "B", "Quantity": 3, "UnitAmount": 3.33, "AccountCode": "260"}]
    inclusive = _draft(api, customer, lines, LineAmountTypes="Inclusive").json()["Invoices"][0]
    assert [l["TaxAmount"] for l in inclusive["LineItems"]] == [15.0, 1.3]
    assert (inclusive["SubTotal"], inclusive["TotalTax"], inclusive["Total"]) == \
        (108.69, 16.3, 124.99)
    no_tax = _draft(api, customer, lines, LineAmountTypes="NoTax").json()["Invoices"][0]
    assert (no_tax["SubTotal"], no_tax["TotalTax"], no_tax["Total"]) == (124.99, 0.0, 124.99)
    exclusive = _draft(api, customer, lines).json()["Invoices"][0]
    assert (exclusive["SubTotal"], exclusive["TotalTax"], exclusive["Total"]) == \
        (124.99, 18.75, 143.74)


def test_archived_or_unknown_account_refused(api, customer):
    answer = _draft(api, customer, [{"Description": "x", "UnitAmount": 1, "AccountCode": "280"}])
    assert answer.status_code == 400
    assert answer.json()["Elements"][0]["ValidationErrors"] == [{"Message": (
        "Account code '280' has been archived, or has been deleted. Each line item must "
        "reference a valid account.")}]
    unknown = _draft(api, customer, [{"Description": "x", "UnitAmount": 1, "AccountCode": "999"}])
    assert "is not a valid code" in unknown.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    wrong_tax = _draft(api, customer, [{"Description": "x", "UnitAmount": 1,
                                        "AccountCode": "200", "TaxType": "INPUT"}])
    assert wrong_tax.status_code == 400


def test_archived_contact_refused(api):
    archived = api.get("/Contacts", params={"where": 'ContactStatus=="ARCHIVED"'}) \
        .json()["Contacts"][0]
    answer = _draft(api, archived["ContactID"])
    assert answer.status_code == 400
    message = answer.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    assert "archived" in message.lower()


def test_currency_must_be_enabled(api, customer):
    assert _draft(api, customer, CurrencyCode="EUR").json()["Invoices"][0]["CurrencyCode"] == "EUR"
    refused = _draft(api, customer, CurrencyCode="JPY")
    assert refused.status_code == 400
    assert refused.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "Organisation is not subscribed to currency JPY"}]


def test_status_transitions(api, customer):
    draft = _draft(api, customer).json()["Invoices"][0]["InvoiceID"]
    assert _set_status(api, draft, "SUBMITTED").json()["Invoices"][0]["Status"] == "SUBMITTED"
    assert _set_status(api, draft, "DELETED").json()["Invoices"][0]["Status"] == "DELETED"
    assert _set_status(api, draft, "DRAFT").status_code == 400     # DELETED is final

    approved = _draft(api, customer).json()["Invoices"][0]["InvoiceID"]
    assert _set_status(api, approved, "AUTHORISED").status_code == 200
    refused = _set_status(api, approved, "DELETED")
    assert refused.status_code == 400
    assert refused.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "Invoice not of valid status for modification"}]
    assert _set_status(api, approved, "DRAFT").status_code == 400
    assert _set_status(api, approved, "VOIDED").json()["Invoices"][0]["Status"] == "VOIDED"
    assert _set_status(api, approved, "AUTHORISED").status_code == 400


def test_paid_invoice_cannot_be_edited_or_voided(api):
    [paid] = api.get("/Invoices", params={"Statuses": "PAID", "page": 1, "pageSize": 1}) \
        .json()["Invoices"]
    edit = api.post("/Invoices/" + paid["InvoiceID"], {"Invoices": [{"LineItems": [
        {"Description": "changed", "UnitAmount": 1, "AccountCode": "200"}]}]})
    assert edit.status_code == 400
    assert edit.json()["Elements"][0]["ValidationErrors"][0]["Message"] == \
        "Invoice not of valid status for modification"
    assert _set_status(api, paid["InvoiceID"], "VOIDED").status_code == 400


def test_draft_lines_can_be_replaced(api, customer):
    invoice_id = _draft(api, customer).json()["Invoices"][0]["InvoiceID"]
    answer = api.post("/Invoices/" + invoice_id, {"Invoices": [{"LineItems": [
        {"Description": "New", "Quantity": 1, "UnitAmount": 10, "AccountCode": "260"}]}]})
    invoice = answer.json()["Invoices"][0]
    assert [l["Description"] for l in invoice["LineItems"]] == ["New"]
    assert invoice["Total"] == 11.5
    assert api.get("/Invoices/" + invoice_id).json()["Invoices"][0]["Total"] == 11.5


def test_listing_filters_and_paging(api):
    every = api.get("/Invoices", params={"page": 1, "pageSize": 1000}).json()
    total = every["pagination"]["itemCount"]
    assert every["pagination"] == {"page": 1, "pageSize": 1000, "pageCount": 1,
                                   "itemCount": total}
    assert all("LineItems" in i for i in every["Invoices"])
    unpaged = api.get("/Invoices").json()
    assert "pagination" not in unpaged and len(unpaged["Invoices"]) == total
    assert all("LineItems" not in i for i in unpaged["Invoices"])
    drafts = api.get("/Invoices", params={"Statuses": "DRAFT,SUBMITTED", "page": 1}).json()
    assert drafts["Invoices"] and {i["Status"] for i in drafts["Invoices"]} <= {"DRAFT",
                                                                                "SUBMITTED"}
    some = every["Invoices"][:2]
    by_number = api.get("/Invoices", params={
        "InvoiceNumbers": ",".join(i["InvoiceNumber"] for i in some)}).json()["Invoices"]
    assert {i["InvoiceID"] for i in by_number} == {i["InvoiceID"] for i in some}
    where = api.get("/Invoices", params={"where": 'Type=="ACCPAY"', "page": 1}).json()
    assert where["Invoices"] and all(i["Type"] == "ACCPAY" for i in where["Invoices"])
    summary = api.get("/Invoices", params={"summaryOnly": "true", "page": 1}).json()
    assert all("LineItems" not in i for i in summary["Invoices"])
    page2 = api.get("/Invoices", params={"page": 2, "pageSize": 50, "order": "Total DESC"})
    totals = [i["Total"] for i in page2.json()["Invoices"]]
    assert totals == sorted(totals, reverse=True)


def test_invoice_if_modified_since(api, customer):
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    invoice_id = _draft(api, customer).json()["Invoices"][0]["InvoiceID"]
    changed = api.get("/Invoices", headers={"If-Modified-Since": since.isoformat()})
    assert [i["InvoiceID"] for i in changed.json()["Invoices"]] == [invoice_id]


def test_online_invoice(sandbox, api, customer):
    invoice_id = _draft(api, customer).json()["Invoices"][0]["InvoiceID"]
    refused = api.get("/Invoices/%s/OnlineInvoice" % invoice_id)
    assert refused.status_code == 400
    _set_status(api, invoice_id, "AUTHORISED")
    answer = api.get("/Invoices/%s/OnlineInvoice" % invoice_id)
    assert answer.status_code == 200
    url = answer.json()["OnlineInvoices"][0]["OnlineInvoiceUrl"]
    # the customer's page, served by the sandbox where a browser needs no CA
    assert url.startswith(sandbox.browser_url + "/online-invoice/")
    assert api.get("/Invoices/00000000-0000-0000-0000-000000000000").status_code == 404


def test_summarize_errors_false_for_invoices(api, customer):
    answer = api.put("/Invoices?summarizeErrors=false", {"Invoices": [
        {"Type": "ACCREC", "Contact": {"ContactID": customer},
         "LineItems": [{"Description": "ok", "UnitAmount": 5, "AccountCode": "200"}]},
        {"Type": "ACCREC", "Contact": {"ContactID": customer},
         "LineItems": [{"Description": "bad", "UnitAmount": 5, "AccountCode": "280"}]}]})
    assert answer.status_code == 200
    good, bad = answer.json()["Invoices"]
    assert good["HasErrors"] is False and good["InvoiceID"]
    assert bad["HasErrors"] is True and bad["ValidationErrors"]


def test_post_creates_or_updates_and_unknown_id_is_404(api, customer):
    created = api.post("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": customer}, "InvoiceNumber": "ODOO-1",
        "LineItems": [{"Description": "x", "UnitAmount": 20, "AccountCode": "200"}]}]})
    assert created.status_code == 200
    invoice = created.json()["Invoices"][0]
    assert invoice["InvoiceNumber"] == "ODOO-1"
    updated = api.post("/Invoices", {"Invoices": [{"InvoiceID": invoice["InvoiceID"],
                                                   "Reference": "changed"}]})
    assert updated.json()["Invoices"][0]["Reference"] == "changed"
    assert updated.json()["Invoices"][0]["Total"] == 23.0
    duplicate = api.put("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": customer}, "InvoiceNumber": "ODOO-1"}]})
    assert duplicate.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "Invoice # must be unique."}]
    missing = api.post("/Invoices/00000000-0000-0000-0000-000000000000",
                       {"Invoices": [{"Reference": "x"}]})
    assert missing.status_code == 404
    history = api.get("/Invoices/%s/History" % invoice["InvoiceID"]).json()["HistoryRecords"]
    assert [h["Changes"] for h in history] == ["Created", "Edited"]
