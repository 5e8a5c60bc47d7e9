"""Export to Xero, as a salesperson: the contact Xero gets, its ledger code,
clashes with what Xero has, and what is refused before any call."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_accounts import XeroAccountCase


@tagged("post_install", "-at_install", "crm_xero")
class TestExport(XeroAccountCase):

    def test_export_creates_the_contact_with_its_main_person(self):
        account = self.new_account("Zenith Widgets Ltd", email="sales@zenith.example",
                                   phone="+1 555 0100", street="1 Main St", city="Oaktown",
                                   vat="US123")
        ada = self.env["res.partner"].create({"name": "Ada Lovelace", "parent_id": account.id,
                                              "email": "ada@zenith.example"})
        bob = self.env["res.partner"].create({"name": "Bob Stone", "parent_id": account.id,
                                              "email": "bob@zenith.example"})

        _wizard, result = self.export(account, main_person=bob)

        self.assertEqual(result["params"]["type"], "success")
        self.assertTrue(account.xero_in_xero)
        self.assertEqual(account.xero_account_number, "ODOO-00001")
        contact = self.xero_contact(account.xero_contact_id)
        self.assertEqual(contact["Name"], "Zenith Widgets Ltd")
        self.assertEqual(contact["AccountNumber"], "ODOO-00001")
        self.assertEqual((contact["FirstName"], contact["LastName"]), ("Bob", "Stone"))
        self.assertEqual([(p["FirstName"], p["EmailAddress"]) for p in contact["ContactPersons"]],
                         [("Ada", ada.email)])
        self.assertEqual(contact["TaxNumber"], "US123")
        self.assertTrue(contact["ContactNumber"].startswith("odoo-"))
        street = next(a for a in contact["Addresses"] if a["AddressType"] == "STREET")
        self.assertEqual((street["AddressLine1"], street["City"]), ("1 Main St", "Oaktown"))
        history = [h["Details"] for h in contact["History"]]
        self.assertTrue(any("Created from Odoo CRM by Sam Salesman" in d for d in history), history)
        note = account.message_ids.filtered(lambda m: "Xero" in (m.body or ""))[:1]
        self.assertIn("Created from Odoo CRM", note.body)
        self.assertEqual(note.author_id, self.salesman.partner_id, "the salesperson's note")
        self.assertEqual(account.xero_link_id.main_person_id, bob)

    def test_export_uses_the_ledger_code_typed_in(self):
        account = self.new_account("Typed Code Ltd")
        self.export(account, account_number="CUST-42")
        self.assertEqual(account.xero_account_number, "CUST-42")
        self.assertEqual(self.xero_contact(account.xero_contact_id)["AccountNumber"], "CUST-42")

    def test_generated_code_skips_codes_taken_in_xero(self):
        self.export(self.new_account("Holder Ltd"), account_number="ODOO-00001")
        account = self.new_account("Second Ltd")
        self.export(account)
        self.assertEqual(account.xero_account_number, "ODOO-00002")

    def test_customer_code_pattern_is_a_setting_per_company(self):
        admin = self.env.ref("base.user_admin")
        self.env["res.config.settings"].with_user(admin).create(
            {"xero_code_prefix": "ACME-", "xero_code_padding": 3}).execute()
        account = self.new_account("Pattern Ltd")
        self.export(account)
        self.assertEqual(account.xero_account_number, "ACME-001")
        self.assertEqual(self.xero_contact(account.xero_contact_id)["AccountNumber"], "ACME-001")

    def test_a_name_xero_has_in_another_case_offers_the_link(self):
        """ANCHOR CATERING PTY LTD and Anchor Catering Pty Ltd are one name
        for Xero: the clash is found before anything is written."""
        existing = self.active_contact()
        account = self.new_account(existing["Name"].upper())
        before = len(self.xero_contacts())

        wizard, _result = self.export(account)

        self.assertEqual(wizard.state, "clash")
        self.assertIn("already has a contact named %s" % existing["Name"], wizard.clash_message)
        self.assertFalse(self.api_calls("PUT /Contacts"), "nothing written")
        wizard.action_link_existing()
        self.env.invalidate_all()
        self.assertEqual(account.xero_contact_id, existing["ContactID"])
        self.assertEqual(len(self.xero_contacts()), before, "no contact created in Xero")
        history = [h["Details"] for h in self.xero_contact(existing["ContactID"])["History"]]
        self.assertTrue(any("Linked from Odoo CRM" in d for d in history), history)

    def test_an_archived_name_is_said_archived(self):
        archived = next(c for c in self.xero_contacts() if c["ContactStatus"] == "ARCHIVED")
        wizard, _result = self.export(self.new_account(archived["Name"]))
        self.assertEqual(wizard.state, "clash")
        self.assertIn("archived contact named", wizard.clash_message)

    def test_a_refused_ledger_code_is_not_kept_and_the_link_names_the_contact(self):
        coded = next(c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"
                     and c.get("AccountNumber"))
        account = self.new_account("Another Name Entirely Ltd")
        wizard, _result = self.export(account, account_number=coded["AccountNumber"])
        self.assertEqual(wizard.state, "clash")
        self.assertIn(coded["AccountNumber"], wizard.clash_message)
        self.assertIn(coded["Name"], wizard.clash_message)
        self.assertFalse(account.xero_account_number, "the refused code is not kept")
        self.assertFalse(account.xero_in_xero)
        # Another account already links to that contact: linking says who.
        holder = self.new_account(coded["Name"])
        self.check_link(holder)
        wizard, _result = self.export(account, account_number=coded["AccountNumber"])
        self.assertTrue(wizard.clash_linked)
        self.assertIn("linked to the Odoo account %s" % holder.name, wizard.clash_message)
        with self.assertRaisesRegex(UserError, "already linked to the Odoo account %s"
                                    % holder.name):
            account.with_user(self.salesman)._xero_link_existing(coded["ContactID"])

    def test_giving_a_linked_contact_its_code_leaves_other_edits_for_update(self):
        # Linked on first opening to a Xero contact without a ledger code; the
        # salesperson then changes the phone, and Exports to give it the code.
        contact = next(c for c in self.xero_contacts() if not c.get("AccountNumber")
                       and c["ContactStatus"] == "ACTIVE")
        account = self.new_account(contact["Name"])
        self.assertEqual(self.check_link(account), "linked")
        self.assertTrue(account.xero_code_missing)
        account.phone = "+61 2 5550 0199"
        self.export(account, account_number="CUST-77")
        self.assertEqual(self.xero_contact(contact["ContactID"])["AccountNumber"], "CUST-77")
        self.env.flush_all()
        account.with_user(self.salesman).action_xero_update()
        self.env.invalidate_all()
        phones = {p["PhoneType"]: p.get("PhoneNumber")
                  for p in self.xero_contact(contact["ContactID"])["Phones"]}
        self.assertIn("5550 0199", " ".join(filter(None, phones.values())),
                      "Update sent the phone changed before the code was given")

    def test_bad_input_is_refused_before_calling_xero(self):
        account = self.new_account("Bad Email Ltd", email="not-an-email")
        with self.assertRaisesRegex(UserError, "not a valid email address"):
            self.export(account)
        with self.assertRaisesRegex(UserError, "at most 255"):
            self.export(self.new_account("L" * 300))
        self.assertFalse(self.api_calls("PUT /Contacts"))
        self.assertFalse(account.xero_link_id.contact_id)

    def test_needs_reconnect_says_so_without_calling_xero(self):
        account = self.new_account("Later Ltd")
        self.xero_connection.sudo().state = "needs_reconnect"
        with self.assertRaisesRegex(UserError, "Reconnect Xero in Settings"):
            account.with_user(self.salesman).action_xero_export()
        self.assertFalse(self.sandbox.calls())
