"""Update to Xero sends only what changed in Odoo since the last sync, field
by field, and never blanks what Xero holds that Odoo does not model."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_accounts import XeroAccountCase

FULL_CONTACT = {
    "FirstName": "Pat", "LastName": "Holder", "EmailAddress": "office@full.example",
    "TaxNumber": "TX-1", "AccountNumber": "FULL-1",
    "Addresses": [
        {"AddressType": "POBOX", "AddressLine1": "PO Box 77", "AddressLine2": "Mail Centre",
         "City": "Boxtown", "Region": "CA", "PostalCode": "90001", "Country": "United States",
         "AttentionTo": "Accounts payable"},
        {"AddressType": "STREET", "AddressLine1": "5 Long Road", "AddressLine3": "Unit 9",
         "City": "Streetville", "PostalCode": "90002", "Country": "United States"},
    ],
    "Phones": [
        {"PhoneType": "DEFAULT", "PhoneNumber": "555 0100", "PhoneAreaCode": "415"},
        {"PhoneType": "MOBILE", "PhoneNumber": "555 0101"},
        {"PhoneType": "DDI", "PhoneNumber": "555 0102"},
        {"PhoneType": "FAX", "PhoneNumber": "555 0103"},
    ],
    "ContactPersons": [
        {"FirstName": "Quinn", "LastName": "Extra", "EmailAddress": "quinn@full.example",
         "IncludeInEmails": True},
    ],
}


@tagged("post_install", "-at_install", "crm_xero")
class TestUpdate(XeroAccountCase):

    def full_contact(self, name):
        """A contact with everything filled in, made in Xero by the accountant."""
        return self.sandbox.create_contact(self.tenant, Name=name, **FULL_CONTACT)

    def update(self, account):
        self.env.flush_all()   # what the form saved, before the button's request
        result = account.with_user(self.salesman).action_xero_update()
        self.env.invalidate_all()
        return result

    def assert_unchanged_but(self, before, after, *fields):
        for field in set(FULL_CONTACT) - set(fields):
            self.assertEqual(after[field], before[field], field)

    def test_linked_on_first_opening_only_the_email_is_sent(self):
        before = self.full_contact("Full House Ltd")
        account = self.new_account("Full House Ltd", email="old@full.example",
                                   phone="+1 999 0000", street="Elsewhere 1")
        self.check_link(account)
        account.email = "new@full.example"
        self.sandbox.clear_calls()

        result = self.update(account)

        self.assertIn("email", result["params"]["message"])
        after = self.xero_contact(before["ContactID"])
        self.assertEqual(after["EmailAddress"], "new@full.example")
        self.assert_unchanged_but(before, after, "EmailAddress")
        sent = self.api_calls("POST /Contacts/{id}")
        self.assertEqual(len(sent), 1)
        history = [h["Details"] for h in after["History"]]
        self.assertTrue(any("Updated from Odoo CRM by Sam Salesman: email." in d for d in history),
                        history)

    def test_an_imported_account_changing_its_phone_keeps_the_po_box(self):
        before = self.full_contact("Imported Full Ltd")
        self.env["xero.import.run"]._xero_queue(self.xero_connection, full=True)
        self.env["xero.import.run"]._xero_cron_import()
        self.env.invalidate_all()
        account = self.env["res.partner"].search([("name", "=", "Imported Full Ltd")])
        self.assertTrue(account.xero_in_xero)
        account.phone = "555 0199"

        self.update(account)

        after = self.xero_contact(before["ContactID"])
        phones = {p["PhoneType"]: p for p in after["Phones"]}
        self.assertEqual(phones["DEFAULT"]["PhoneNumber"], "555 0199")
        self.assertEqual(phones["MOBILE"]["PhoneNumber"], "555 0101")
        self.assertEqual(phones["DDI"]["PhoneNumber"], "555 0102")
        self.assertEqual(phones["FAX"]["PhoneNumber"], "555 0103")
        self.assertEqual(after["Addresses"], before["Addresses"], "PO Box and street untouched")
        self.assert_unchanged_but(before, after, "Phones")

    def test_a_changed_city_changes_only_that_line_of_the_street_address(self):
        before = self.full_contact("Moving Ltd")
        account = self.new_account("Moving Ltd")
        self.check_link(account)
        account.city = "Newtown"
        self.update(account)
        after = self.xero_contact(before["ContactID"])
        street = next(a for a in after["Addresses"] if a["AddressType"] == "STREET")
        self.assertEqual(street["City"], "Newtown")
        self.assertEqual(street["AddressLine1"], "5 Long Road", "Odoo's empty street is not sent")
        self.assertEqual(street["AddressLine3"], "Unit 9", "Xero's own line stays")
        self.assertEqual(next(a for a in after["Addresses"] if a["AddressType"] == "POBOX"),
                         next(a for a in before["Addresses"] if a["AddressType"] == "POBOX"))

    def test_a_field_the_user_cleared_is_cleared_in_xero(self):
        account = self.new_account("Clear Me Ltd", vat="VAT-9", email="x@clear.example")
        self.export(account)
        account.vat = False
        self.update(account)
        after = self.xero_contact(account.xero_contact_id)
        self.assertFalse(after.get("TaxNumber"))
        self.assertEqual(after["EmailAddress"], "x@clear.example")

    def test_persons_are_merged_by_name(self):
        before = self.full_contact("People Ltd")
        account = self.new_account("People Ltd")
        self.check_link(account)
        self.env["res.partner"].create({"name": "Rae New", "parent_id": account.id,
                                        "email": "rae@people.example"})
        self.update(account)
        persons = self.xero_contact(before["ContactID"])["ContactPersons"]
        names = [(p["FirstName"], p["LastName"]) for p in persons]
        self.assertIn(("Quinn", "Extra"), names, "Xero's own person stays")
        self.assertIn(("Rae", "New"), names)

    def test_nothing_changed_nothing_sent(self):
        account = self.new_account("Steady Ltd", phone="+1 555 0001")
        self.export(account)
        self.sandbox.clear_calls()
        result = self.update(account)
        self.assertIn("nothing to update", result["params"]["message"])
        self.assertFalse(self.api_calls("POST /Contacts/{id}"))

    def test_update_refused_by_xero_leaves_odoo_as_it_was(self):
        first, second = self.new_account("First Co"), self.new_account("Second Co")
        self.export(first)
        self.export(second)
        baseline = second.xero_link_id.odoo_values
        second.name = "First Co"
        with self.assertRaisesRegex(UserError, "already assigned to another contact"):
            self.update(second)
        self.assertEqual(second.xero_link_id.odoo_values, baseline)
        self.assertEqual(self.xero_contact(second.xero_contact_id)["Name"], "Second Co")
