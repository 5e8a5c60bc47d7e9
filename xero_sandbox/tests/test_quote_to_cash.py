"""Items, tracking categories, branding themes and the invoice PDF."""
import datetime as dt
import io

import pytest
import requests
from PyPDF2 import PdfReader

from xero_sandbox import DEMO_TENANT_ID

from .helpers import check_against_spec

TODAY = dt.date.today().isoformat()


@pytest.fixture
def customer(api):
    return api.put("/Contacts", {"Contacts": [{"Name": "Quote To Cash Ltd"}]}) \
        .json()["Contacts"][0]["ContactID"]


def _invoice(api, contact_id, lines, **fields):
    body = {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": TODAY,
            "DueDate": TODAY, "LineItems": lines}
    body.update(fields)
    return api.put("/Invoices", {"Invoices": [body]})


def _errors(answer):
    assert answer.status_code == 400, answer.text
    assert answer.json()["Type"] == "ValidationException"
    return [v["Message"] for e in answer.json()["Elements"] for v in e["ValidationErrors"]]


def _control(sandbox, path, body):
    answer = requests.post("%s/_sandbox/orgs/%s/%s" % (sandbox.url, DEMO_TENANT_ID, path),
                           json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_items_list_filter_order_and_one(api):
    listed = api.get("/Items").json()["Items"]
    assert [i["Code"] for i in listed] == ["CONSULT-HR", "OFFICE-SUP", "SUPPORT-MO",
                                           "TRAINING-DAY", "WIDGET"]
    widget = next(i for i in listed if i["Code"] == "WIDGET")
    assert widget["SalesDetails"] == {"UnitPrice": 25.0, "AccountCode": "200",
                                      "TaxType": "OUTPUT"}
    assert widget["PurchaseDetails"]["AccountCode"] == "310" and widget["IsPurchased"]
    sold = api.get("/Items", params={"where": "IsSold==true", "order": "Name DESC"})
    assert [i["Name"] for i in sold.json()["Items"]] == [
        "Widget", "Training day", "Support plan (monthly)", "Consulting hour"]
    one = api.get("/Items/" + widget["ItemID"]).json()["Items"]
    assert one == [widget]
    by_code = api.get("/Items/widget", validate="response").json()["Items"]
    assert [i["ItemID"] for i in by_code] == [widget["ItemID"]]
    assert api.get("/Items/00000000-0000-0000-0000-000000000000").status_code == 404


def test_items_if_modified_since_sees_an_item_changed_in_xero(sandbox, api):
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    assert api.get("/Items", headers={"If-Modified-Since": since.isoformat()}) \
        .json()["Items"] == []
    changed = _control(sandbox, "items", {"Code": "WIDGET", "SalesDetails": {"UnitPrice": 30}})
    assert changed["SalesDetails"]["UnitPrice"] == 30.0
    added = _control(sandbox, "items", {"Code": "NEW-1", "Name": "New thing",
                                        "Description": "A new thing", "IsSold": True,
                                        "SalesDetails": {"UnitPrice": 9.5,
                                                         "AccountCode": "260"}})
    assert added["SalesDetails"]["TaxType"] == "OUTPUT"     # the account's default
    recent = api.get("/Items", headers={"If-Modified-Since": since.isoformat()}).json()
    assert [i["Code"] for i in recent["Items"]] == ["NEW-1", "WIDGET"]


def test_item_code_fills_the_line_where_it_is_silent(api, customer):
    answer = _invoice(api, customer, [
        {"ItemCode": "CONSULT-HR", "Quantity": 3},
        {"ItemCode": "widget", "Description": "Blue widget", "UnitAmount": 20, "Quantity": 2}])
    assert answer.status_code == 200, answer.text
    first, second = answer.json()["Invoices"][0]["LineItems"]
    assert (first["ItemCode"], first["Description"], first["UnitAmount"], first["AccountCode"],
            first["TaxType"], first["LineAmount"]) == (
        "CONSULT-HR", "Consulting, per hour", 150.0, "200", "OUTPUT", 450.0)
    assert first["Item"]["Code"] == "CONSULT-HR" and first["Item"]["ItemID"]
    assert (second["ItemCode"], second["Description"], second["UnitAmount"]) == \
        ("WIDGET", "Blue widget", 20.0)
    assert answer.json()["Invoices"][0]["Total"] == round((450 + 40) * 1.15, 2)
    assert _errors(_invoice(api, customer, [{"ItemCode": "NOPE", "Quantity": 1}])) == \
        ["Item code 'NOPE' is not valid"]


def test_tracking_categories_hide_archived_unless_asked(api):
    active = api.get("/TrackingCategories").json()["TrackingCategories"]
    assert [(c["Name"], [o["Name"] for o in c["Options"]]) for c in active] == [
        ("Department", ["Sales", "Services"]), ("Region", ["North", "South"])]
    everything = api.get("/TrackingCategories", params={"includeArchived": "true"}) \
        .json()["TrackingCategories"]
    assert [(c["Name"], c["Status"]) for c in everything] == [
        ("Department", "ACTIVE"), ("Old Projects", "ARCHIVED"), ("Region", "ACTIVE")]
    region = next(c for c in everything if c["Name"] == "Region")
    assert {o["Name"]: o["Status"] for o in region["Options"]} == {
        "North": "ACTIVE", "South": "ACTIVE", "West": "ARCHIVED"}
    where = api.get("/TrackingCategories", params={"where": 'Name=="Region"',
                                                   "order": "Name DESC"})
    assert [c["Name"] for c in where.json()["TrackingCategories"]] == ["Region"]
    one = api.get("/TrackingCategories/" + region["TrackingCategoryID"]).json()
    assert one["TrackingCategories"][0]["Options"] == region["Options"]


def test_line_tracking_by_name_or_id_and_refusals(sandbox, api, customer):
    region = next(c for c in api.get("/TrackingCategories").json()["TrackingCategories"]
                  if c["Name"] == "Region")
    south = next(o for o in region["Options"] if o["Name"] == "South")
    answer = _invoice(api, customer, [{
        "Description": "x", "UnitAmount": 10, "AccountCode": "200",
        "Tracking": [{"Name": "region", "Option": "north"},
                     {"TrackingCategoryID": region["TrackingCategoryID"].upper(),
                      "TrackingOptionID": south["TrackingOptionID"]}]}])
    assert _errors(answer) == ["The tracking category 'Region' is used more than once on a "
                               "line item."]
    good = _invoice(api, customer, [{
        "Description": "x", "UnitAmount": 10, "AccountCode": "200",
        "Tracking": [{"Name": "Region", "Option": "North"},
                     {"Name": "Department", "Option": "Services"}]}])
    assert good.status_code == 200, good.text
    tracking = good.json()["Invoices"][0]["LineItems"][0]["Tracking"]
    assert [(t["Name"], t["Option"]) for t in tracking] == [("Region", "North"),
                                                            ("Department", "Services")]
    assert tracking[0]["TrackingCategoryID"] == region["TrackingCategoryID"]
    line = {"Description": "x", "UnitAmount": 10, "AccountCode": "200"}
    assert _errors(_invoice(api, customer, [dict(line, Tracking=[
        {"Name": "Region", "Option": "West"}])])) == [
        "The tracking option 'West' is not an ACTIVE option of the tracking category 'Region'."]
    assert _errors(_invoice(api, customer, [dict(line, Tracking=[
        {"Name": "Old Projects", "Option": "Apollo"}])])) == [
        "There is no ACTIVE tracking category with the name 'Old Projects'."]
    assert "A line item can have a maximum of 2 tracking categories." in _errors(
        _invoice(api, customer, [dict(line, Tracking=[
            {"Name": "Region", "Option": "North"}, {"Name": "Department", "Option": "Sales"},
            {"Name": "Region", "Option": "South"}])]))
    # The accountant archives North: new lines are refused, the saved invoice still voids.
    category = _control(sandbox, "tracking-categories/Region/options/North",
                        {"status": "ARCHIVED"})
    assert {o["Name"]: o["Status"] for o in category["Options"]}["North"] == "ARCHIVED"
    assert _errors(_invoice(api, customer, [dict(line, Tracking=[
        {"Name": "Region", "Option": "North"}])]))
    invoice_id = good.json()["Invoices"][0]["InvoiceID"]
    assert api.post("/Invoices/" + invoice_id, {"Invoices": [{"Status": "AUTHORISED"}]}) \
        .status_code == 200
    assert api.post("/Invoices/" + invoice_id, {"Invoices": [{"Status": "VOIDED"}]}) \
        .json()["Invoices"][0]["Status"] == "VOIDED"
    added = _control(sandbox, "tracking-categories/Region/options/East", {"status": "ACTIVE"})
    assert "East" in [o["Name"] for o in added["Options"]]


def test_branding_themes_and_invoices(api, customer):
    themes = api.get("/BrandingThemes").json()["BrandingThemes"]
    assert [(t["Name"], t["SortOrder"]) for t in themes] == [("Standard", 0),
                                                              ("Special projects", 1)]
    special = themes[1]
    assert api.get("/BrandingThemes/" + special["BrandingThemeID"]).json()["BrandingThemes"] \
        == [special]
    line = [{"Description": "x", "UnitAmount": 10, "AccountCode": "200"}]
    plain = _invoice(api, customer, line).json()["Invoices"][0]
    assert plain["BrandingThemeID"] == themes[0]["BrandingThemeID"]
    branded = _invoice(api, customer, line, BrandingThemeID=special["BrandingThemeID"])
    assert branded.json()["Invoices"][0]["BrandingThemeID"] == special["BrandingThemeID"]
    assert _errors(_invoice(api, customer, line,
                            BrandingThemeID="00000000-0000-0000-0000-000000000000"))
    assert api.get("/BrandingThemes/00000000-0000-0000-0000-000000000000").status_code == 404


def test_invoice_pdf(api, customer, accounting_spec):
    invoice = _invoice(api, customer, [
        {"Description": "Gardening (Spring)", "Quantity": 2, "UnitAmount": 60,
         "AccountCode": "200"}], Reference="PO-PDF").json()["Invoices"][0]
    answer = api.session.get(api.url + "/api.xro/2.0/Invoices/" + invoice["InvoiceID"],
                             headers={"Accept": "application/pdf"})
    # The spec describes this answer under /Invoices/{InvoiceID}/pdf (x-path).
    check_against_spec(accounting_spec, answer, "/api.xro/2.0", path_map=lambda p: p + "/pdf")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-1.4") and answer.content.rstrip().endswith(b"%%EOF")
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    for expected in (invoice["InvoiceNumber"], "Quote To Cash Ltd", "Gardening (Spring)",
                     "Total: 138.00 USD", "Status: Draft", "PO-PDF"):
        assert expected in text
    json_again = api.get("/Invoices/" + invoice["InvoiceID"])
    assert json_again.headers["Content-Type"].startswith("application/json")
