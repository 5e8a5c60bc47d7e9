"""Contacts: Xero's listing options and write rules."""
import datetime as dt
import time


def _archived(api):
    return api.get("/Contacts", params={"where": 'ContactStatus=="ARCHIVED"'}).json()["Contacts"]


def test_paging_with_counts(api):
    first = api.get("/Contacts", params={"page": 1}).json()
    assert first["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 1,
                                   "itemCount": len(first["Contacts"])}
    small = api.get("/Contacts", params={"page": 2, "pageSize": 25}).json()
    total = first["pagination"]["itemCount"]
    assert small["pagination"] == {"page": 2, "pageSize": 25,
                                   "pageCount": (total + 24) // 25, "itemCount": total}
    assert [c["ContactID"] for c in small["Contacts"]] == \
        [c["ContactID"] for c in first["Contacts"][25:50]]
    names = [c["Name"].lower() for c in first["Contacts"]]
    assert names == sorted(names)


def test_archived_hidden_unless_asked(api):
    listed = api.get("/Contacts", params={"page": 1}).json()
    archived = _archived(api)
    assert archived and all(c["ContactStatus"] == "ARCHIVED" for c in archived)
    assert all(c["ContactStatus"] == "ACTIVE" for c in listed["Contacts"])
    everything = api.get("/Contacts", params={"page": 1, "includeArchived": "true"}).json()
    assert everything["pagination"]["itemCount"] == \
        listed["pagination"]["itemCount"] + len(archived)
    by_id = api.get("/Contacts", params={"IDs": archived[0]["ContactID"]}).json()
    assert [c["ContactID"] for c in by_id["Contacts"]] == [archived[0]["ContactID"]]


def test_search_term_summary_only_and_ids(api):
    contacts = api.get("/Contacts", params={"page": 1}).json()["Contacts"]
    target = contacts[3]
    found = api.get("/Contacts", params={"searchTerm": target["EmailAddress"].upper()})
    assert target["ContactID"] in [c["ContactID"] for c in found.json()["Contacts"]]
    summary = api.get("/Contacts", params={"summaryOnly": "true", "page": 1}).json()
    assert all("Addresses" not in c and "Balances" not in c and "ContactPersons" not in c
               for c in summary["Contacts"])
    ids = ",".join(c["ContactID"] for c in contacts[:3])
    assert len(api.get("/Contacts", params={"IDs": ids}).json()["Contacts"]) == 3


def test_balances_match_invoices(api):
    contacts = api.get("/Contacts", params={"page": 1}).json()["Contacts"]
    owing = next(c for c in contacts if c["Balances"]["AccountsReceivable"]["Overdue"] > 0)
    invoices = api.get("/Invoices", params={"ContactIDs": owing["ContactID"],
                                            "Statuses": "AUTHORISED", "page": 1}).json()
    today = dt.date.today().isoformat()
    sales = [i for i in invoices["Invoices"] if i["Type"] == "ACCREC"]
    credits = api.get("/CreditNotes", params={"where": 'Status=="AUTHORISED" AND '
                                              'Contact.ContactID==Guid("%s")'
                                              % owing["ContactID"]}).json()["CreditNotes"]
    # Credit not yet allocated lowers the outstanding balance, not the overdue one.
    outstanding = round(sum(i["AmountDue"] for i in sales)
                        - sum(c["RemainingCredit"] for c in credits), 2)
    overdue = round(sum(i["AmountDue"] for i in sales if i["DueDateString"][:10] < today), 2)
    assert owing["Balances"]["AccountsReceivable"] == {"Outstanding": outstanding,
                                                       "Overdue": overdue}


def test_get_by_id_and_by_contact_number(api):
    created = api.put("/Contacts", {"Contacts": [
        {"Name": "Numbered Ltd", "ContactNumber": "ODOO-42"}]}).json()["Contacts"][0]
    by_id = api.get("/Contacts/" + created["ContactID"]).json()["Contacts"][0]
    by_number = api.get("/Contacts/ODOO-42").json()["Contacts"][0]
    assert by_id["ContactID"] == by_number["ContactID"] == created["ContactID"]
    assert api.get("/Contacts/00000000-0000-0000-0000-000000000000").status_code == 404


def test_create_then_update_merges_and_bumps_updated_date(api):
    body = {"Contacts": [{
        "Name": "Acme Ltd", "EmailAddress": "ap@acme.example", "AccountNumber": "ACME-1",
        "ContactPersons": [{"FirstName": "Ann", "LastName": "Lee",
                            "EmailAddress": "ann@acme.example", "IncludeInEmails": True}],
        "Addresses": [{"AddressType": "STREET", "AddressLine1": "1 Quay St",
                       "City": "Auckland"}],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555-0101"}]}]}
    created = api.put("/Contacts", body)
    assert created.status_code == 200
    contact = created.json()["Contacts"][0]
    assert contact["ContactStatus"] == "ACTIVE" and contact["HasValidationErrors"] is False
    assert {a["AddressType"] for a in contact["Addresses"]} == {"POBOX", "STREET"}
    time.sleep(0.01)
    updated = api.post("/Contacts/" + contact["ContactID"], {"Contacts": [
        {"EmailAddress": "billing@acme.example",
         "ContactPersons": [{"FirstName": "Bob", "LastName": "Ray"}]}]}).json()["Contacts"][0]
    assert updated["Name"] == "Acme Ltd" and updated["AccountNumber"] == "ACME-1"
    assert updated["EmailAddress"] == "billing@acme.example"
    assert [p["FirstName"] for p in updated["ContactPersons"]] == ["Bob"]
    street = next(a for a in updated["Addresses"] if a["AddressType"] == "STREET")
    assert street["City"] == "Auckland"
    assert updated["UpdatedDateUTC"] > contact["UpdatedDateUTC"]
    history = api.get("/Contacts/%s/History" % contact["ContactID"]).json()["HistoryRecords"]
    assert [h["Changes"] for h in history] == ["Created", "Edited"]


def test_post_upserts_by_contact_id(api):
    existing = api.get("/Contacts", params={"page": 1}).json()["Contacts"][0]
    answer = api.post("/Contacts", {"Contacts": [
        {"ContactID": existing["ContactID"], "FirstName": "Changed"},
        {"Name": "Brand New Co"}]})
    assert answer.status_code == 200
    first, second = answer.json()["Contacts"]
    assert first["ContactID"] == existing["ContactID"] and first["FirstName"] == "Changed"
    assert second["Name"] == "Brand New Co" and second["ContactID"] != existing["ContactID"]


def test_duplicate_name_is_refused_even_against_archived(api):
    archived = _archived(api)[0]
    answer = api.put("/Contacts", {"Contacts": [{"Name": archived["Name"].upper()}]})
    assert answer.status_code == 400
    body = answer.json()
    assert body["Type"] == "ValidationException" and body["ErrorNumber"] == 10
    [message] = [e["Message"] for e in body["Elements"][0]["ValidationErrors"]]
    assert message == ("The contact name %s is already assigned to another contact. The "
                       "contact name must be unique across all active contacts."
                       % archived["Name"].upper())


def test_duplicate_account_number_refused_including_archived(api):
    archived = api.get("/Contacts", params={
        "where": 'ContactStatus=="ARCHIVED" AND AccountNumber!=null'}).json()["Contacts"]
    number = archived[0]["AccountNumber"]
    answer = api.put("/Contacts", {"Contacts": [{"Name": "Fresh Name", "AccountNumber": number}]})
    assert answer.status_code == 400
    assert answer.json()["Elements"][0]["ValidationErrors"] == [{
        "Message": "The Account Number already exists. Please enter a different Account Number."}]


def test_validation_of_email_lengths_and_missing_name(api):
    answer = api.put("/Contacts", {"Contacts": [
        {"Name": "Bad Email Ltd", "EmailAddress": "not-an-email"},
        {"Name": "x" * 256},
        {"EmailAddress": "nobody@example.com"},
        {"Name": "Long Phone", "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "1" * 51}]}]},
        validate="response")
    assert answer.status_code == 400
    messages = [[v["Message"] for v in e["ValidationErrors"]] for e in answer.json()["Elements"]]
    assert messages[0] == ["Email address must be valid."]
    assert "Name must not be more than 255 characters long." in messages[1]
    assert messages[2] == ["The contact name must be specified."]
    assert messages[3] == ["PhoneNumber must not be more than 50 characters long."]
    # Nothing was written: the batch is all-or-nothing.
    assert api.get("/Contacts", params={"searchTerm": "Long Phone"}).json()["Contacts"] == []


def test_summarize_errors_false_keeps_the_valid_ones(api):
    answer = api.put("/Contacts?summarizeErrors=false", {"Contacts": [
        {"Name": "Good One Ltd"}, {"Name": "Good One Ltd"}, {"Name": "Bad", "EmailAddress": "@"}]})
    assert answer.status_code == 200
    good, dup, bad = answer.json()["Contacts"]
    assert good["HasValidationErrors"] is False and good["ContactID"]
    assert dup["HasValidationErrors"] is True and "already assigned" in \
        dup["ValidationErrors"][0]["Message"]
    assert bad["ValidationErrors"] == [{"Message": "Email address must be valid."}]
    assert len(api.get("/Contacts", params={"searchTerm": "Good One"}).json()["Contacts"]) == 1


def test_if_modified_since(api):
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    created = api.put("/Contacts", {"Contacts": [{"Name": "Recently Changed"}]}).json()
    changed = api.get("/Contacts", headers={"If-Modified-Since": before.isoformat()})
    assert [c["ContactID"] for c in changed.json()["Contacts"]] == \
        [created["Contacts"][0]["ContactID"]]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
    assert api.get("/Contacts", headers={
        "If-Modified-Since": later.strftime("%a, %d %b %Y %H:%M:%S GMT")},
        validate="response").json()["Contacts"] == []   # HTTP-date: lenient, off-spec


def test_history_notes(api):
    contact = api.get("/Contacts", params={"page": 1}).json()["Contacts"][0]
    path = "/Contacts/%s/History" % contact["ContactID"]
    added = api.put(path, {"HistoryRecords": [{"Details": "Linked to Odoo partner 7"}]})
    assert added.status_code == 200
    notes = [h for h in api.get(path).json()["HistoryRecords"] if h["Changes"] == "Note"]
    assert notes[0]["Details"] == "Linked to Odoo partner 7"
    assert notes[0]["DateUTC"].startswith("/Date(") and notes[0]["User"]


def test_archiving_a_contact_with_outstanding_invoices_is_refused(api):
    contacts = api.get("/Contacts", params={"page": 1}).json()["Contacts"]
    owing = next(c for c in contacts if c["Balances"]["AccountsReceivable"]["Outstanding"])
    answer = api.post("/Contacts/" + owing["ContactID"], {"ContactStatus": "ARCHIVED"})
    assert answer.status_code == 400
    quiet = next(c for c in contacts if not c["Balances"]["AccountsReceivable"]["Outstanding"]
                 and not c["Balances"]["AccountsPayable"]["Outstanding"])
    archived = api.post("/Contacts/" + quiet["ContactID"], {"ContactStatus": "ARCHIVED"})
    assert archived.json()["Contacts"][0]["ContactStatus"] == "ARCHIVED"


def test_names_and_ledger_codes_are_one_in_any_case_and_found_with_to_lower(api):
    """As Xero: uniqueness ignores the case of names and ledger codes, while
    ``==`` in a where filter does not; ``ToLower()`` (null-safe) finds them."""
    coded = api.get("/Contacts", params={
        "where": 'ContactStatus=="ACTIVE" AND AccountNumber!=null'}).json()["Contacts"][0]
    code = coded["AccountNumber"]
    answer = api.put("/Contacts", {"Contacts": [{"Name": "Other Case Ltd",
                                                 "AccountNumber": code.lower()}]})
    assert answer.status_code == 400
    assert "Account Number already exists" in answer.text
    answer = api.put("/Contacts", {"Contacts": [{"Name": coded["Name"].lower()}]})
    assert answer.status_code == 400
    assert "already assigned to another contact" in answer.text

    def quoted(value):
        return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')

    def found(where):
        return [c["ContactID"] for c in api.get("/Contacts", params={
            "where": where, "includeArchived": "true"}).json()["Contacts"]]
    assert found("AccountNumber==%s" % quoted(code.lower())) == []
    assert found("AccountNumber!=null AND AccountNumber.ToLower()==%s"
                 % quoted(code.lower())) == [coded["ContactID"]]
    assert found("Name!=null AND Name.ToLower()==%s" % quoted(coded["Name"].lower())) == \
        [coded["ContactID"]]
