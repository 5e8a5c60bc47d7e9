"""Every contact field, both ways, as Xero holds it: what users saw of the
import and of Update and Export to Xero, each on both sides (the Odoo record
and the sandbox's contact), as the salesperson and as the admin."""
from odoo.tests import tagged

from .test_accounts import XeroAccountCase
from .test_import import XeroImportCase
from .test_round_trip import PHONE_FIELDS, BothSides

EVERY_PHONE = [
    {"PhoneType": "DEFAULT", "PhoneCountryCode": "1", "PhoneAreaCode": "299",
     "PhoneNumber": "410-1723"},
    {"PhoneType": "DDI", "PhoneCountryCode": "1", "PhoneAreaCode": "299",
     "PhoneNumber": "410-1799"},
    {"PhoneType": "MOBILE", "PhoneCountryCode": "1", "PhoneAreaCode": "917",
     "PhoneNumber": "555-0142"},
    {"PhoneType": "FAX", "PhoneCountryCode": "1", "PhoneAreaCode": "299",
     "PhoneNumber": "410-1700"},
]
NEWARK = {"AddressType": "STREET", "AddressLine1": "12 Ferry Street", "City": "Newark",
          "Region": "NJ", "PostalCode": "07105", "Country": "United States"}
PO_BOX = {"AddressType": "POBOX", "AddressLine1": "PO Box 4410", "City": "Trenton",
          "Region": "NJ", "PostalCode": "08608", "Country": "United States",
          "AttentionTo": "Accounts payable"}


class FieldsCase(BothSides):

    def users(self):
        return (self.salesman, self.env.ref("base.user_admin"))

    def import_all(self):
        self.env["xero.import.run"]._xero_queue(self.xero_connection, full=True,
                                                archived_mode="archive")
        self.env["xero.import.run"]._xero_cron_import()
        self.env.invalidate_all()

    def imported(self, contact):
        link = self.env["xero.contact.link"].search([("contact_id", "=", contact["ContactID"])])
        self.assertTrue(link, contact["Name"])
        return link.partner_id.with_context(active_test=False)

    def in_xero(self, **fields):
        """A contact made by the accountant in Xero, as Xero holds it."""
        made = self.sandbox.create_contact(self.tenant, **fields)
        return self.xero_contact(made["ContactID"])

    def import_one(self, **fields):
        """A contact made in Xero, then Import Xero Data: (account, contact)."""
        contact = self.in_xero(**fields)
        self.env["xero.import.run"]._xero_queue(self.xero_connection, full=True)
        self.env["xero.import.run"]._xero_cron_import()
        self.env.invalidate_all()
        return self.imported(contact), contact


@tagged("post_install", "-at_install", "crm_xero")
class TestImportAsXeroHoldsIt(FieldsCase, XeroImportCase):

    def test_every_phone_keeps_its_country_and_area_codes(self):
        contact = self.in_xero(Name="Dial Tone Ltd", Phones=EVERY_PHONE)
        self.import_all()
        account = self.imported(contact)
        # Xero's 1 299 410-1723 (country, area, number), not 410-1723
        self.assertEqual(tuple(account[PHONE_FIELDS[p["PhoneType"]]] for p in EVERY_PHONE),
                         ("+1 299 410-1723", "+1 299 410-1799", "+1 917 555-0142",
                          "+1 299 410-1700"))
        form = account.with_user(self.salesman).get_views([(False, "form")])["views"]["form"]
        for field in PHONE_FIELDS.values():
            self.assertIn('name="%s"' % field, form["arch"], "on the account's form")
        for user in self.users():
            self.assertEqual(self.update(account, user),
                             "Xero already has these details: nothing to update.")
            self.assertFalse(self.api_calls("POST /Contacts/{id}"))
        self.assertEqual(self.comparable(self.xero_contact(contact["ContactID"])),
                         self.comparable(contact), "Xero unchanged")
        # one changed in Odoo: that one, split as Xero keeps it
        account.xero_fax = "+44 20 7946 0000"
        self.assertEqual(self.update(account, self.salesman), "Xero updated: fax.")
        phones = {p["PhoneType"]: p for p in self.xero_contact(contact["ContactID"])["Phones"]}
        self.assertEqual(phones["FAX"], {"PhoneType": "FAX", "PhoneCountryCode": "44",
                                         "PhoneAreaCode": "20", "PhoneNumber": "7946 0000"})
        self.assertEqual([phones[p["PhoneType"]] for p in EVERY_PHONE[:3]], EVERY_PHONE[:3])

    def test_people_in_xero_are_persons_in_odoo(self):
        # the seeded organisation's individuals (Noah Patel, Pablo Wilson, Anna Kim...)
        seeded = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"
                  and c["Name"] == "%s %s" % (c["FirstName"], c["LastName"])]
        self.assertTrue(seeded)
        self.import_all()
        for contact in seeded:
            person = self.imported(contact)
            self.assertFalse(person.is_company, contact["Name"])
            self.assertFalse(person.parent_id)
            self.assert_odoo_shows(person, contact, imported=True)
        # the salesperson then updates one like any account
        person = self.imported(seeded[0])
        person.email = "new.address@person.example"
        self.assertIn("email", self.update(person, self.salesman))
        after = self.xero_contact(seeded[0]["ContactID"])
        self.assertEqual((after["Name"], after["FirstName"], after["LastName"],
                          after["EmailAddress"]),
                         (seeded[0]["Name"], seeded[0]["FirstName"], seeded[0]["LastName"],
                          "new.address@person.example"))

    def test_the_po_box_is_the_invoice_address_and_goes_back_to_its_own_type(self):
        contact = self.in_xero(Name="Post Office Ltd", Addresses=[NEWARK, PO_BOX])
        self.import_all()
        account = self.imported(contact)
        invoice = account.child_ids.filtered(lambda c: c.type == "invoice")
        self.assertEqual((invoice.street, invoice.city, invoice.zip, invoice.state_id.code,
                          invoice.country_id.code),
                         ("PO Box 4410", "Trenton", "08608", "NJ", "US"))
        self.assertEqual((account.street, account.city), ("12 Ferry Street", "Newark"))
        invoice.zip = "08609"
        self.assertIn("postal address", self.update(account, self.salesman))
        after = {a["AddressType"]: a for a in self.xero_contact(contact["ContactID"])["Addresses"]}
        self.assertEqual(after["POBOX"], dict(PO_BOX, PostalCode="08609"), "NJ and Attention")
        self.assertEqual(after["STREET"], {**{k: "" for k in after["STREET"]}, **NEWARK})

    def test_a_sync_brings_xeros_changes_to_their_own_place_then_update_sends_nothing(self):
        contact = self.in_xero(Name="Moving Post Ltd", Addresses=[NEWARK, PO_BOX])
        self.import_all()
        account = self.imported(contact)
        # the accountant moves the PO box and the direct dial in Xero
        self.sandbox.update_contact(self.tenant, contact["ContactID"], Addresses=[
            dict(PO_BOX, AddressLine1="PO Box 99", Region="New York")], Phones=[
            {"PhoneType": "DDI", "PhoneCountryCode": "1", "PhoneAreaCode": "212",
             "PhoneNumber": "555-0100"}])
        self.env["xero.connection"]._xero_cron_sync_contacts()
        self.env["xero.import.run"]._xero_cron_import()
        self.env.invalidate_all()
        invoice = account.child_ids.filtered(lambda c: c.type == "invoice")
        self.assertEqual((invoice.street, invoice.state_id.name, account.xero_ddi),
                         ("PO Box 99", "New York", "+1 212 555-0100"))
        moved = self.xero_contact(contact["ContactID"])
        self.assert_odoo_shows(account, moved, imported=True)
        for user in self.users():
            self.assertEqual(self.update(account, user),
                             "Xero already has these details: nothing to update.")
        self.assertEqual(self.comparable(self.xero_contact(contact["ContactID"])),
                         self.comparable(moved))

    def test_every_seeded_contact_shows_in_odoo_as_xero_holds_it_and_back(self):
        contacts = self.xero_contacts()
        self.import_all()
        for contact in contacts:
            self.assert_odoo_shows(self.imported(contact), contact, imported=True)
        # The real books' kinds: non-ASCII, a region as a code, a region Odoo has
        # no state for, a postal address of its own, an individual; each updated
        # unchanged, by each user: nothing sent, Xero as it was.
        kinds = {
            "non-ASCII": lambda c: not (c["Name"] + str(c["Addresses"])).isascii(),
            "region code": lambda c: any(a["Region"] == "NJ" or len(a["Region"]) == 2
                                         for a in c["Addresses"]),
            "no state": lambda c: any(a["Region"] in ("Bavaria", "Greater London")
                                      for a in c["Addresses"]),
            "PO box": lambda c: all(a["AddressLine1"] for a in c["Addresses"])
            and len({a["AddressLine1"] for a in c["Addresses"]}) == 2,
            "individual": lambda c: c["Name"] == "%s %s" % (c["FirstName"], c["LastName"]),
        }
        for kind, test in kinds.items():
            contact = next(c for c in contacts if c["ContactStatus"] == "ACTIVE" and test(c))
            for user in self.users():
                self.assertEqual(self.update(self.imported(contact), user),
                                 "Xero already has these details: nothing to update.", kind)
            self.assertEqual(self.comparable(self.xero_contact(contact["ContactID"])),
                             self.comparable(contact), kind)


@tagged("post_install", "-at_install", "crm_xero")
class TestUpdateAsXeroHoldsIt(FieldsCase, XeroAccountCase):

    def test_an_unchanged_import_sends_nothing_where_xero_writes_the_state_as_a_code(self):
        account, contact = self.import_one(Name="Garden State Ltd", Addresses=[NEWARK])
        self.assertEqual((account.state_id.name, account.country_id.code), ("New Jersey", "US"))
        for user in self.users():
            self.assertEqual(self.update(account, user),
                             "Xero already has these details: nothing to update.")
        after = self.xero_contact(contact["ContactID"])
        self.assertEqual(self.comparable(after), self.comparable(contact))
        self.assertFalse([h for h in after["History"] if h["Changes"] != "Created"],
                         "no change noted in Xero's history")
        # a change elsewhere in the address leaves Xero's "NJ" as it is
        account.city = "Jersey City"
        self.update(account, self.salesman)
        street = next(a for a in self.xero_contact(contact["ContactID"])["Addresses"]
                      if a["AddressType"] == "STREET")
        self.assertEqual((street["City"], street["Region"]), ("Jersey City", "NJ"))
        # and another state goes in Xero's form too
        account.state_id = self.env.ref("base.state_us_27")   # New York
        self.update(account, self.env.ref("base.user_admin"))
        street = next(a for a in self.xero_contact(contact["ContactID"])["Addresses"]
                      if a["AddressType"] == "STREET")
        self.assertEqual(street["Region"], "NY")

    def test_a_region_odoo_cannot_match_is_shown_and_never_blanked(self):
        london = dict(NEWARK, City="London", Region="Greater London", PostalCode="EC1A 1BB",
                      Country="United Kingdom")
        account, contact = self.import_one(Name="Thames Ltd", Addresses=[london])
        self.assertEqual((account.state_id, account.xero_region, account.country_id.code),
                         (self.env["res.country.state"], "Greater London", "GB"))
        form = account.with_user(self.salesman).get_views([(False, "form")])["views"]["form"]
        self.assertIn('name="xero_region"', form["arch"], "shown in the address")
        for user in self.users():
            self.assertIn("nothing to update", self.update(account, user))
        account.zip = "EC1A 2BB"
        self.update(account, self.salesman)
        street = next(a for a in self.xero_contact(contact["ContactID"])["Addresses"]
                      if a["AddressType"] == "STREET")
        self.assertEqual((street["PostalCode"], street["Region"]), ("EC1A 2BB", "Greater London"))

    def test_an_account_imported_by_the_previous_version_sends_nothing_unchanged(self):
        account, contact = self.import_one(Name="Old Import Ltd", Addresses=[NEWARK, PO_BOX],
                                           Phones=EVERY_PHONE[:1])
        # What the previous version made of it: a bare phone, no invoice address, and
        # a baseline in Xero's words ("NJ"), without the keys it did not know.
        account.child_ids.filtered(lambda c: c.type == "invoice").unlink()
        account.phone = "410-1723"
        link = account.xero_link_id
        link.odoo_values = {
            "name": "Old Import Ltd", "email": "", "phone": "410-1723", "mobile": "",
            "vat": "", "account_number": "", "street": "12 Ferry Street", "street2": "",
            "city": "Newark", "state": "NJ", "zip": "07105", "country": "United States",
            **{"billing_" + k: v for k, v in (("street", "PO Box 4410"), ("street2", ""),
                                              ("city", "Trenton"), ("state", "NJ"),
                                              ("zip", "08608"), ("country", "United States"))},
            "main_name": "", "main_email": "", "persons": []}
        for user in self.users():
            self.assertEqual(self.update(account, user),
                             "Xero already has these details: nothing to update.")
        self.assertEqual(self.comparable(self.xero_contact(contact["ContactID"])),
                         self.comparable(contact))

    def test_only_the_website_changed_says_xero_does_not_keep_it(self):
        account, contact = self.import_one(Name="Web Only Ltd", Website="https://web.example")
        self.assertEqual(account.website, "https://web.example")
        account.website = "https://new-web.example"
        for user in self.users():
            message = self.update(account, user)
            self.assertIn("Xero does not keep the website", message)
            self.assertNotIn("already has these details", message)
            self.assertFalse(self.api_calls("POST /Contacts/{id}"))
        self.assertEqual(self.xero_contact(contact["ContactID"])["Website"], "https://web.example")


@tagged("post_install", "-at_install", "crm_xero")
class TestExportPeople(FieldsCase, XeroAccountCase):

    def wizard(self, account, user):
        account.sudo().user_id = user
        return self.env["xero.export.wizard"].with_user(user).with_context(
            default_partner_id=account.id).create({})

    def test_people_added_with_the_add_button_are_offered(self):
        account = self.new_account("Added People Ltd", email="office@added.example")
        # the form's Add button saves them as "Other Address"
        ada, bob = self.env["res.partner"].create([
            {"name": "Ada Lovelace", "parent_id": account.id, "type": "other",
             "email": "ada@added.example"},
            {"name": "Bob Stone", "parent_id": account.id, "type": "contact",
             "email": "bob@added.example"}])
        self.env["res.partner"].create([
            {"parent_id": account.id, "type": "invoice", "street": "PO Box 1"},
            {"name": "Warehouse", "parent_id": account.id, "type": "delivery"}])
        for user in self.users():
            wizard = self.wizard(account, user)
            self.assertEqual(wizard.person_ids, ada | bob)
            self.assertEqual(wizard.main_person_id, ada)
            self.assertFalse(wizard.no_person_reason)

    def test_no_people_says_why(self):
        lonely = self.new_account("Lonely Ltd")
        addresses = self.new_account("Addresses Only Ltd")
        self.env["res.partner"].create([
            {"parent_id": addresses.id, "type": "invoice", "street": "PO Box 2"},
            {"name": "Depot", "parent_id": addresses.id, "type": "delivery"}])
        for user in self.users():
            self.assertIn("Lonely Ltd has no contacts to choose as main contact",
                          self.wizard(lonely, user).no_person_reason)
            reason = self.wizard(addresses, user).no_person_reason
            self.assertIn("invoice and delivery addresses", reason)
            self.assertIn("Xero gets the account's own email", reason)

    def test_the_main_contacts_own_email_reaches_xero(self):
        for user, name in zip(self.users(), ("Own Email Ltd", "Own Email Two Ltd")):
            account = self.new_account(name, email="office@own.example")
            ada = self.env["res.partner"].create({"name": "Ada Lovelace", "type": "other",
                                                  "parent_id": account.id,
                                                  "email": "ada@own.example"})
            self.export(account, main_person=ada, user=user)
            contact = self.xero_contact(account.xero_contact_id)
            self.assertEqual((contact["FirstName"], contact["LastName"], contact["EmailAddress"]),
                             ("Ada", "Lovelace", "ada@own.example"))
            # the account's own email is not Xero's: changing it says so, sends nothing
            account.email = "front-desk@own.example"
            message = self.update(account, user)
            self.assertIn("Xero keeps one email address, its primary person's", message)
            self.assertFalse(self.api_calls("POST /Contacts/{id}"))

    def test_a_person_of_no_company_exports_as_an_individual(self):
        for user, name in zip(self.users(), ("Solo Person", "Zoë Ångström")):
            person = self.env["res.partner"].create({"name": name, "email": "solo@x.example",
                                                     "phone": "+44 20 7946 0000"})
            wizard = self.wizard(person, user)
            self.assertFalse(wizard.person_ids)
            self.assertFalse(wizard.no_person_reason)
            self.export(person, user=user)
            contact = self.xero_contact(person.xero_contact_id)
            first, last = name.split(" ")
            self.assertEqual((contact["Name"], contact["FirstName"], contact["LastName"],
                              contact["EmailAddress"]), (name, first, last, "solo@x.example"))
            phone = next(p for p in contact["Phones"] if p["PhoneType"] == "DEFAULT")
            self.assertEqual((phone["PhoneCountryCode"], phone["PhoneAreaCode"],
                              phone["PhoneNumber"]), ("44", "20", "7946 0000"))
            self.assert_odoo_shows(person, contact)
            person.name = "%s Renamed" % name
            self.assertIn("name", self.update(person, user))
            self.assertEqual(self.xero_contact(person.xero_contact_id)["LastName"],
                             "%s Renamed" % last)
