"""xero/contacts.py on its own (no sandbox, no database): what each Xero
field becomes in Odoo, and back, as its table says."""
from odoo.tests import BaseCase, tagged

from ..xero import contacts
from .common import REPO_ROOT
from .test_round_trip import spec_schema

#: An account as Odoo holds it: every key of the table (a baseline as it is kept).
ACCOUNT = contacts.snapshot({
    "name": "Kauri Ltd", "email": "info@kauri.example", "phone": "+64 9 555 0100",
    "account_number": "K-1", "street": "1 Quay St", "city": "Auckland",
    "country": "New Zealand", "main_name": "Mere Ngata", "main_email": "mere@kauri.example",
    "persons": [["Tom Hale", "tom@kauri.example"], ["Ana Lee", ""]]})


def xero_contact(**fields):
    """A contact as Xero holds it after the account above was exported."""
    contact = {
        "ContactID": "c-1", "Name": "Kauri Ltd", "EmailAddress": "mere@kauri.example",
        "AccountNumber": "K-1", "FirstName": "Mere", "LastName": "Ngata",
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 0100", "PhoneAreaCode": "9",
                    "PhoneCountryCode": "64"},
                   {"PhoneType": "OFFICE", "PhoneNumber": "555 0199"}],
        "Addresses": [{"AddressType": "STREET", "AddressLine1": "1 Quay St",
                       "City": "Auckland", "Country": "New Zealand", "AttentionTo": None},
                      {"AddressType": "POBOX", "AddressLine1": "1 Quay St",
                       "City": "Auckland", "Country": "New Zealand"}],
        "ContactPersons": [{"FirstName": "Tom", "LastName": "Hale",
                            "EmailAddress": "tom@kauri.example", "IncludeInEmails": True},
                           {"FirstName": "Ana", "LastName": "Lee", "IncludeInEmails": False}],
    }
    contact.update(fields)
    return contact


@tagged("crm_xero")
class TestTheTable(BaseCase):

    def test_every_phone_and_address_type_of_the_spec_has_its_odoo_place(self):
        phone_types = set(spec_schema("Phone")["properties"]["PhoneType"]["enum"])
        # OFFICE is not one of the types Xero's screens offer: it stays in Xero.
        self.assertEqual(set(contacts.PHONES.values()), phone_types - {"OFFICE"})
        odoo = {kind: contacts.PARTNER_FIELDS[key] for key, kind in contacts.PHONES.items()}
        mobile = odoo.pop("MOBILE")   # the series' mobile field (18: mobile)
        self.assertEqual(odoo, {"DEFAULT": "phone", "DDI": "xero_ddi", "FAX": "xero_fax"})
        self.assertTrue(mobile.isidentifier())
        address_types = set(spec_schema("Address")["properties"]["AddressType"]["enum"])
        self.assertEqual(set(contacts.ADDRESS_TYPES.values()), address_types)
        for row in contacts.FIELDS:
            self.assertIn(row.key, contacts.SNAPSHOT_KEYS)

    def test_the_readme_shows_the_same_table(self):
        readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
        section = readme[readme.index("## Every contact field, both ways"):]
        for row in contacts.FIELDS:
            self.assertIn("`%s`" % row.xero.split(" ")[0], section, row)
            if row.odoo.isidentifier():
                self.assertIn("`%s`" % row.odoo, section, row)
        self.assertIn("Xero does not keep the website", section)

    def test_the_spec_says_website_is_read_only(self):
        self.assertTrue(spec_schema("Contact")["properties"]["Website"]["readOnly"])


@tagged("crm_xero")
class TestPhones(BaseCase):

    def test_a_xero_phone_shows_country_area_and_number(self):
        self.assertEqual(contacts.phone_text({"PhoneCountryCode": "1", "PhoneAreaCode": "299",
                                              "PhoneNumber": "410-1723"}), "+1 299 410-1723")
        self.assertEqual(contacts.phone_text({"PhoneCountryCode": "+64",
                                              "PhoneNumber": "555 0100"}), "+64 555 0100")
        self.assertEqual(contacts.phone_text({"PhoneAreaCode": "09", "PhoneNumber": "555"}),
                         "09 555")
        self.assertEqual(contacts.phone_text({"PhoneCountryCode": "1", "PhoneAreaCode": "299",
                                              "PhoneNumber": ""}), "", "no number, no phone")

    def test_odoos_phone_splits_back_into_what_it_showed(self):
        self.assertEqual(contacts.phone_parts("+1 299 410-1723"),
                         {"PhoneCountryCode": "1", "PhoneAreaCode": "299",
                          "PhoneNumber": "410-1723"})
        self.assertEqual(contacts.phone_parts("555 0199"),
                         {"PhoneCountryCode": "", "PhoneAreaCode": "", "PhoneNumber": "555 0199"})
        for text in ("+1 299 410-1723", "+44 20 7946 0000", "+1 410-1723", "555 0199",
                     "+61 (02) 5550 0100", "", "+64", "0800 EXPERT"):
            self.assertEqual(contacts.phone_text(contacts.phone_parts(text)), text, text)


@tagged("crm_xero")
class TestContactsExport(BaseCase):

    def test_split_name_and_snapshot(self):
        self.assertEqual(contacts.split_name("Ada King Lovelace"), ("Ada", "King Lovelace"))
        self.assertEqual(contacts.split_name(" Ada "), ("Ada", ""))
        self.assertEqual(contacts.split_name(None), ("", ""))
        snap = contacts.snapshot({"name": " Acme ", "email": False,
                                  "persons": [["Zoe", None], [" Al ", "al@x.example "]]})
        self.assertEqual(set(snap), set(contacts.SNAPSHOT_KEYS))
        self.assertEqual((snap["name"], snap["email"], snap["billing_city"]), ("Acme", "", ""))
        self.assertEqual(snap["persons"], [["Al", "al@x.example"], ["Zoe", ""]])

    def test_a_new_contact_carries_every_value_odoo_has(self):
        values = dict(ACCOUNT, name=" Kauri Ltd ", billing_street="PO Box 9",
                      billing_city="Auckland", ddi="+64 9 555 0111", fax="+64 9 555 0112",
                      mobile="+64 21 555", street2="Level 2", website="https://kauri.example")
        self.assertEqual(contacts.contact_for_create(values, "K-1", "odoo-partner-1"), {
            "Name": "Kauri Ltd", "AccountNumber": "K-1", "ContactNumber": "odoo-partner-1",
            # Xero keeps one email, its primary person's: the main contact's own
            "EmailAddress": "mere@kauri.example", "FirstName": "Mere", "LastName": "Ngata",
            "Phones": [
                {"PhoneType": "DEFAULT", "PhoneNumber": "555 0100", "PhoneAreaCode": "9",
                 "PhoneCountryCode": "64"},
                {"PhoneType": "DDI", "PhoneNumber": "555 0111", "PhoneAreaCode": "9",
                 "PhoneCountryCode": "64"},
                {"PhoneType": "MOBILE", "PhoneNumber": "555", "PhoneAreaCode": "21",
                 "PhoneCountryCode": "64"},
                {"PhoneType": "FAX", "PhoneNumber": "555 0112", "PhoneAreaCode": "9",
                 "PhoneCountryCode": "64"}],
            "Addresses": [
                {"AddressType": "POBOX", "AddressLine1": "PO Box 9", "AddressLine2": "",
                 "City": "Auckland", "Region": "", "PostalCode": "", "Country": ""},
                {"AddressType": "STREET", "AddressLine1": "1 Quay St", "AddressLine2": "Level 2",
                 "City": "Auckland", "Region": "", "PostalCode": "", "Country": "New Zealand"}],
            "ContactPersons": [
                {"FirstName": "Ana", "LastName": "Lee", "IncludeInEmails": False},
                {"FirstName": "Tom", "LastName": "Hale", "IncludeInEmails": False,
                 "EmailAddress": "tom@kauri.example"}],
        })

    def test_the_accounts_own_email_without_a_main_contact_and_an_individual(self):
        alone = contacts.contact_for_create(dict(ACCOUNT, main_name="", main_email=""), "K", "o")
        self.assertEqual(alone["EmailAddress"], "info@kauri.example")
        self.assertNotIn("FirstName", alone)
        mute = contacts.contact_for_create(dict(ACCOUNT, main_email=""), "K", "o")
        self.assertEqual(mute["EmailAddress"], "info@kauri.example", "a main contact without one")
        person = contacts.contact_for_create(
            {"name": "Anna Kim", "individual": "1", "email": "anna@kim.example"}, "A", "o")
        self.assertEqual((person["Name"], person["FirstName"], person["LastName"],
                          person["EmailAddress"]),
                         ("Anna Kim", "Anna", "Kim", "anna@kim.example"))
        self.assertTrue(contacts.is_individual(person))

    def test_blank_values_are_left_out_and_the_street_is_the_postal_address(self):
        bare = contacts.contact_for_create({"name": "Bare Ltd"}, "B-1", "odoo-partner-2")
        self.assertEqual(bare, {"Name": "Bare Ltd", "AccountNumber": "B-1",
                                "ContactNumber": "odoo-partner-2"})
        street = contacts.contact_for_create({"name": "S", "city": "Oaktown"}, "S-1", "o-3")
        self.assertEqual([(a["AddressType"], a["City"]) for a in street["Addresses"]],
                         [("POBOX", "Oaktown"), ("STREET", "Oaktown")])
        postal = contacts.contact_for_create({"name": "P", "billing_city": "Oaktown"}, "P", "o")
        self.assertEqual([a["AddressType"] for a in postal["Addresses"]], ["POBOX"])
        crowd = contacts.contact_for_create(
            {"name": "C", "persons": [["Person %d" % i, ""] for i in range(8)]}, "C", "o")
        self.assertEqual(len(crowd["ContactPersons"]), contacts.MAX_CONTACT_PERSONS)

    def test_problems_xero_would_refuse(self):
        self.assertEqual(contacts.contact_problems(
            contacts.contact_for_create(ACCOUNT, "K-1", "odoo-1")), [])
        problems = contacts.contact_problems({
            "Name": "", "AccountNumber": "A" * 51, "EmailAddress": "not-an-email",
            "ContactPersons": [{"EmailAddress": "tom@"}],
            "Addresses": [{"AddressType": "STREET", "PostalCode": "9" * 51}],
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "1" * 51}]})
        self.assertEqual([params for _template, params in problems], [
            {}, {"field": "AccountNumber", "length": 51, "limit": 50},
            {"email": "not-an-email"}, {"email": "tom@"},
            {"field": "PostalCode", "limit": 50}, {"number": "1" * 51, "limit": 50}])
        template, params = problems[1]
        self.assertEqual(template % params, "The AccountNumber is 51 characters long; Xero "
                                            "accepts at most 50. Shorten it and try again.")
        self.assertEqual(contacts.contact_problems({"EmailAddress": "a@b.example"}), [])

    def test_history_note(self):
        self.assertEqual(contacts.history_details("Updated", "Sam", ["phone", "billing", "vat"]),
                         "Updated from Odoo CRM by Sam: phone, postal address, tax number.")
        self.assertEqual(contacts.history_details("Updated", "Sam", ["ddi", "fax"]),
                         "Updated from Odoo CRM by Sam: direct dial, fax.")
        self.assertEqual(contacts.history_details("Exported", "Sam", []),
                         "Exported from Odoo CRM by Sam: no field.")
        self.assertEqual(contacts.history_details("Updated", "Sam", ["colour"]),
                         "Updated from Odoo CRM by Sam: colour.")
        self.assertEqual(len(contacts.history_details("Updated", "S" * 400, ["name"])), 250)


@tagged("crm_xero")
class TestContactsUpdate(BaseCase):

    def test_only_what_odoo_changed_since_the_last_sync_is_sent(self):
        current = dict(ACCOUNT, main_email="mere@new.example", vat="NZ-9")
        self.assertEqual(contacts.changes(current, ACCOUNT, xero_contact()),
                         ["vat", "main_email"])
        update, labels = contacts.contact_for_update(current, ACCOUNT, xero_contact())
        self.assertEqual(update, {"EmailAddress": "mere@new.example", "TaxNumber": "NZ-9"})
        self.assertEqual(labels, ["email", "vat"])
        self.assertEqual(contacts.contact_for_update(ACCOUNT, ACCOUNT, xero_contact()), ({}, []))

    def test_what_xero_does_not_keep_is_said_and_not_sent(self):
        current = dict(ACCOUNT, website="https://kauri.example", email="sales@kauri.example")
        self.assertEqual(contacts.contact_for_update(current, ACCOUNT, xero_contact()), ({}, []))
        notes = contacts.not_kept(current, ACCOUNT, xero_contact())
        self.assertEqual([template % params for template, params in notes], [
            "Xero does not keep the website (its API does not take it); it stays in Odoo.",
            "Xero keeps one email address, its primary person's: Mere Ngata's is sent, and "
            "the account's own email stays in Odoo."])
        # without a main contact the account's own email is Xero's
        alone = dict(ACCOUNT, main_name="", main_email="")
        update, labels = contacts.contact_for_update(dict(alone, email="sales@kauri.example"),
                                                     alone, xero_contact())
        self.assertEqual((update, labels), ({"EmailAddress": "sales@kauri.example"}, ["email"]))

    def test_a_key_the_baseline_does_not_have_counts_as_unchanged(self):
        # a baseline kept before Odoo modelled the fax, the website...
        older = {k: v for k, v in ACCOUNT.items() if k not in ("fax", "website")}
        current = dict(ACCOUNT, fax="+64 9 555 0112", website="https://kauri.example")
        self.assertEqual(contacts.changes(current, older, xero_contact()), [])
        self.assertEqual(contacts.changes(current, dict(older, fax=""), xero_contact()),
                         ["fax"])

    def test_a_value_emptied_in_odoo_clears_xeros(self):
        update, labels = contacts.contact_for_update(dict(ACCOUNT, main_email="", email="",
                                                          phone=""), ACCOUNT, xero_contact())
        self.assertEqual(update["EmailAddress"], "")
        self.assertEqual(update["Phones"], [{"PhoneType": "DEFAULT", "PhoneNumber": "",
                                             "PhoneAreaCode": "", "PhoneCountryCode": ""}])
        self.assertEqual(labels, ["email", "phone"])

    def test_without_a_baseline_only_odoos_values_that_differ_count(self):
        xero = xero_contact(TaxNumber="XERO-TAX", EmailAddress="other@kauri.example")
        current = dict(ACCOUNT, phone="", vat="", website="https://kauri.example")
        self.assertEqual(contacts.changes(current, None, xero), ["email"])
        update, labels = contacts.contact_for_update(current, None, xero)
        self.assertEqual(update, {"EmailAddress": "mere@kauri.example"})
        self.assertEqual(labels, ["email"])

    def test_a_phone_replaces_xeros_number_of_that_type_only(self):
        update, labels = contacts.contact_for_update(dict(ACCOUNT, mobile="+64 21 555"),
                                                     ACCOUNT, xero_contact())
        self.assertEqual(update, {"Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "555",
                                              "PhoneAreaCode": "21", "PhoneCountryCode": "64"}]})
        self.assertEqual(labels, ["mobile"])
        update, labels = contacts.contact_for_update(dict(ACCOUNT, fax="555 0112"), ACCOUNT,
                                                     xero_contact())
        self.assertEqual(update["Phones"], [{"PhoneType": "FAX", "PhoneNumber": "555 0112",
                                             "PhoneAreaCode": "", "PhoneCountryCode": ""}])

    def test_address_lines_merge_into_what_xero_holds(self):
        xero = xero_contact(Addresses=[dict(xero_contact()["Addresses"][0], AddressLine3="Gate 4",
                                            AttentionTo="Reception"),
                                       {"AddressType": "POBOX", "AddressLine1": "PO Box 1"}])
        update, labels = contacts.contact_for_update(
            dict(ACCOUNT, city="Wellington", billing_street="PO Box 9"), ACCOUNT, xero)
        self.assertEqual(update["Addresses"], [
            {"AddressType": "STREET", "AddressLine1": "1 Quay St", "AddressLine3": "Gate 4",
             "City": "Wellington", "Country": "New Zealand", "AttentionTo": "Reception"},
            {"AddressType": "POBOX", "AddressLine1": "PO Box 9"}])
        self.assertEqual(labels, ["address", "billing"])
        # street2 shows Xero's lines 2 to 4: changed, it is line 2 and the others go
        imported = contacts.contact_to_snapshot(xero)
        self.assertEqual(imported["street2"], "Gate 4")
        update, _labels = contacts.contact_for_update(dict(imported, street2="Level 2"),
                                                      imported, xero)
        self.assertEqual({k: update["Addresses"][0].get(k) for k in
                          ("AddressLine2", "AddressLine3")}, {"AddressLine2": "Level 2",
                                                              "AddressLine3": ""})
        fresh, _labels = contacts.contact_for_update(dict(ACCOUNT, city="Wellington"), ACCOUNT,
                                                     xero_contact(Addresses=[]))
        self.assertEqual(fresh["Addresses"], [{"City": "Wellington", "AddressType": "STREET"}])

    def test_a_state_goes_back_in_the_form_xero_writes_it(self):
        baseline = dict(ACCOUNT, country="United States", state="New Jersey",
                        codes={"state": "NJ", "country": "US"}, forms={"state": "code"})
        xero = xero_contact(Addresses=[{"AddressType": "STREET", "AddressLine1": "1 Quay St",
                                        "City": "Newark", "Region": "NJ",
                                        "Country": "United States"}])
        self.assertEqual(contacts.contact_for_update(baseline, baseline, xero), ({}, []))
        moved = dict(baseline, state="New York", codes={"state": "NY", "country": "US"})
        update, _labels = contacts.contact_for_update(moved, baseline, xero)
        self.assertEqual(update["Addresses"][0]["Region"], "NY")
        moved.pop("forms")
        by_name, _labels = contacts.contact_for_update(moved, dict(baseline, forms={}), xero)
        self.assertEqual(by_name["Addresses"][0]["Region"], "New York")
        # a region Odoo has no state for, shown as it is: unchanged, never sent
        london = dict(ACCOUNT, state="Greater London")
        self.assertEqual(contacts.contact_for_update(dict(london, city="Croydon"), london,
                                                     xero_contact())[0]["Addresses"][0].get(
                                                         "Region"), None)

    def test_the_main_contact(self):
        update, labels = contacts.contact_for_update(dict(ACCOUNT, main_name="Aroha Te Paa"),
                                                     ACCOUNT, xero_contact())
        self.assertEqual(update, {"FirstName": "Aroha", "LastName": "Te Paa"})
        self.assertEqual(labels, ["main"])
        update, labels = contacts.contact_for_update(
            dict(ACCOUNT, main_name="Aroha Te Paa", main_email="aroha@kauri.example"),
            ACCOUNT, xero_contact())
        self.assertEqual(update, {"FirstName": "Aroha", "LastName": "Te Paa",
                                  "EmailAddress": "aroha@kauri.example"})

    def test_an_individual_renamed_renames_their_primary_person(self):
        anna = {"name": "Anna Kim", "individual": "1", "email": "anna@kim.example"}
        held = {"Name": "Anna Kim", "FirstName": "Anna", "LastName": "Kim",
                "EmailAddress": "anna@kim.example"}
        self.assertEqual(contacts.contact_for_update(anna, anna, held), ({}, []))
        update, labels = contacts.contact_for_update(dict(anna, name="Anna Lee"), anna, held)
        self.assertEqual(update, {"Name": "Anna Lee", "FirstName": "Anna", "LastName": "Lee"})
        self.assertEqual(labels, ["name"])

    def test_persons_merge_by_name(self):
        baseline = dict(ACCOUNT, persons=[["Tom Hale", "tom@kauri.example"], ["Ana Lee", ""]])
        xero = xero_contact(ContactPersons=xero_contact()["ContactPersons"] + [
            {"FirstName": "Xero", "LastName": "Only", "EmailAddress": "x@kauri.example"}])
        current = dict(ACCOUNT, persons=[["tom  hale", "tom@new.example"],
                                         ["Wiremu Kaa", "wiremu@kauri.example"]])
        update, labels = contacts.contact_for_update(current, baseline, xero)
        self.assertEqual(labels, ["persons"])
        self.assertEqual(update["ContactPersons"], [
            # Tom: same person (any case, any spacing), Odoo's new email
            {"FirstName": "Tom", "LastName": "Hale", "EmailAddress": "tom@new.example",
             "IncludeInEmails": True},
            # Ana: removed in Odoo since the last sync; Xero's own person stays
            {"FirstName": "Xero", "LastName": "Only", "EmailAddress": "x@kauri.example"},
            {"FirstName": "Wiremu", "LastName": "Kaa", "IncludeInEmails": False,
             "EmailAddress": "wiremu@kauri.example"}])
        # a person Odoo removed that Xero no longer has: nothing to send
        gone = dict(ACCOUNT, persons=[["Tom Hale", "tom@kauri.example"]])
        update, labels = contacts.contact_for_update(
            gone, baseline, xero_contact(ContactPersons=xero_contact()["ContactPersons"][:1]))
        self.assertEqual((update, labels), ({}, []))

    def test_the_postal_address_follows_the_street_it_copied_and_nothing_else(self):
        moved = dict(ACCOUNT, street="9 Wharf Rd")
        # exported without an invoice address: Xero's postal address is the
        # street's copy, and moves with it
        update, labels = contacts.contact_for_update(moved, ACCOUNT, xero_contact())
        self.assertEqual(labels, ["address", "billing"])
        self.assertEqual({a["AddressType"]: a["AddressLine1"] for a in update["Addresses"]},
                         {"STREET": "9 Wharf Rd", "POBOX": "9 Wharf Rd"})
        # the accountant's own postal address is never overwritten, nor
        # blanked because Odoo has no invoice address
        po_box = [xero_contact()["Addresses"][0],
                  {"AddressType": "POBOX", "AddressLine1": "PO Box 9", "City": "Auckland"}]
        imported = contacts.contact_to_snapshot(xero_contact(Addresses=po_box))
        self.assertEqual(imported["billing_street"], "PO Box 9")
        update, labels = contacts.contact_for_update(
            dict(imported, billing_street="", billing_city="", street="9 Wharf Rd"),
            imported, xero_contact(Addresses=po_box))
        self.assertEqual(labels, ["address"])
        self.assertEqual([a["AddressType"] for a in update["Addresses"]], ["STREET"])
        # an invoice address added in Odoo becomes Xero's postal address
        billed = dict(ACCOUNT, billing_street="PO Box 12", billing_city="Auckland")
        update, labels = contacts.contact_for_update(billed, ACCOUNT, xero_contact())
        self.assertEqual(labels, ["billing"])
        self.assertEqual(update["Addresses"], [{"AddressType": "POBOX",
                                                "AddressLine1": "PO Box 12",
                                                "City": "Auckland", "Country": "New Zealand"}])

    def test_persons_stay_within_xeros_five(self):
        baseline = dict(ACCOUNT, persons=[])
        current = dict(ACCOUNT, persons=[["Person %d" % i, ""] for i in range(7)])
        update, _labels = contacts.contact_for_update(current, baseline,
                                                      xero_contact(ContactPersons=[]))
        self.assertEqual(len(update["ContactPersons"]), contacts.MAX_CONTACT_PERSONS)


@tagged("crm_xero")
class TestContactsImport(BaseCase):

    def test_a_xero_contact_as_an_odoo_snapshot(self):
        snap = contacts.contact_to_snapshot(xero_contact(EmailAddress="info@kauri.example"))
        # Xero's EmailAddress is its primary person's, and the account's too
        self.assertEqual(snap, contacts.snapshot(dict(ACCOUNT, main_email="info@kauri.example")))
        phones = contacts.contact_to_snapshot({"Name": "D", "Phones": [
            {"PhoneType": "DDI", "PhoneNumber": "410-1723", "PhoneAreaCode": "299",
             "PhoneCountryCode": "1"}, {"PhoneType": "DEFAULT", "PhoneNumber": ""},
            {"PhoneType": "FAX", "PhoneNumber": "410-1724"}]})
        self.assertEqual((phones["phone"], phones["ddi"], phones["fax"]),
                         ("", "+1 299 410-1723", "410-1724"))
        postal = contacts.contact_to_snapshot({"Name": "P", "Addresses": [
            {"AddressType": "STREET", "AddressLine1": "", "City": ""},
            {"AddressType": "POBOX", "AddressLine1": "PO Box 9", "City": "Oaktown"}]})
        self.assertEqual((postal["street"], postal["billing_street"], postal["billing_city"]),
                         ("", "PO Box 9", "Oaktown"), "each address kept to its own type")
        nobody = contacts.contact_to_snapshot({"Name": "N", "EmailAddress": "n@x.example"})
        self.assertEqual((nobody["main_name"], nobody["main_email"], nobody["email"]),
                         ("", "", "n@x.example"))
        anna = contacts.contact_to_snapshot({"Name": "Anna  Kim", "FirstName": "anna",
                                             "LastName": "KIM", "EmailAddress": "a@kim.example"})
        self.assertEqual((anna["individual"], anna["main_name"], anna["email"]),
                         ("1", "", "a@kim.example"))

    def test_partner_values(self):
        values = contacts.contact_to_partner_values(xero_contact(
            Website="https://kauri.example", TaxNumber="NZ-1"))
        self.assertEqual(values, {
            "name": "Kauri Ltd", "email": "mere@kauri.example", "phone": "+64 9 555 0100",
            "mobile": False, "xero_ddi": False, "xero_fax": False, "vat": "NZ-1",
            "website": "https://kauri.example", "street": "1 Quay St", "street2": False,
            "city": "Auckland", "state": False, "zip": False, "country": "New Zealand"})

    def test_people_a_contact_brings(self):
        self.assertEqual(contacts.contact_people(xero_contact()), [
            {"name": "Mere Ngata", "email": "mere@kauri.example"},
            {"name": "Tom Hale", "email": "tom@kauri.example"},
            {"name": "Ana Lee", "email": False}])
        individual = {"Name": "Anna  Kim", "FirstName": "anna", "LastName": "KIM",
                      "EmailAddress": "anna@kim.example",
                      "ContactPersons": [{"EmailAddress": "assistant@kim.example"}]}
        self.assertEqual(contacts.contact_people(individual), [
            {"name": "assistant@kim.example", "email": "assistant@kim.example"}])
        self.assertEqual(contacts.contact_people({"Name": "Empty Ltd"}), [])

    def test_export_then_import_is_the_identity_on_what_odoo_keeps(self):
        values = dict(ACCOUNT, ddi="+64 9 555 0111", billing_street="PO Box 9",
                      billing_city="Auckland", street2="Level 2", main_email="mere@kauri.example",
                      email="mere@kauri.example")
        made = contacts.contact_for_create(values, "K-1", "o-1")
        self.assertEqual(contacts.contact_to_snapshot(made), contacts.snapshot(values))
