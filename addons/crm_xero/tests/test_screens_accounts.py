"""What a user meets first on an account (issue 20): Update to Xero stays on
the record, and the clash dialog of Export to Xero always leads somewhere:
"Link to <contact>", "Open <account>" when that contact is another Odoo
account's, renaming or changing the ledger code; any case of a name or a
ledger code is the same one, as Xero compares them; Xero's own refusal of a
ledger code is said in our words.  Driven as the salesperson (Own Documents
Only, no email) and the admin; both sides checked."""
from odoo.tests import tagged

from ..models.xero_errors import xero_message
from ..xero.errors import XeroValidationError
from .test_accounts import XeroAccountCase

# The web client's own reload of the record the button is on: a record
# created in that same form stays on screen (soft_reload restores the action
# as it was opened: a blank "New" form).
RELOAD_IN_PLACE = {"type": "ir.actions.act_window_close"}


def phone_digits(contact):
    """A Xero contact's phones as digits, however Xero splits them (country,
    area, number)."""
    return "".join(ch for phone in contact["Phones"] for part in (
        phone.get("PhoneCountryCode"), phone.get("PhoneAreaCode"), phone.get("PhoneNumber"))
        for ch in (part or "") if ch.isdigit())


@tagged("post_install", "-at_install", "crm_xero")
class TestScreensAccounts(XeroAccountCase):

    def users(self):
        return (self.salesman, self.env.ref("base.user_admin"))

    def test_update_to_xero_stays_on_the_record(self):
        for user in self.users():
            with self.subTest(user=user.login):
                account = self.new_account("Stay Put %s Ltd" % user.login)
                self.export(account, user=user)
                account.phone = "+1 555 0142"
                self.env.flush_all()
                result = account.with_user(user).action_xero_update()
                self.env.invalidate_all()
                self.assertEqual(result["params"]["type"], "success")
                self.assertEqual(result["params"]["next"], RELOAD_IN_PLACE)
                self.assertIn("0142", phone_digits(self.xero_contact(account.xero_contact_id)),
                              "the phone reached Xero")

    def acme(self):
        """The demo organisation's Acme Supplies Inc, ledger code CUS-00047."""
        acme = self.xero_contacts(name="Acme Supplies Inc")
        self.assertEqual([(c["Name"], c["AccountNumber"]) for c in acme],
                         [("Acme Supplies Inc", "CUS-00047")])
        return acme[0]

    def test_a_name_clash_with_a_contact_offers_link_to_it_by_name(self):
        acme = self.acme()
        other = next(c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"
                     and c["ContactID"] != acme["ContactID"])
        for user, contact in zip(self.users(), (acme, other)):
            with self.subTest(user=user.login):
                self.sandbox.clear_calls()
                account = self.new_account(contact["Name"].upper())
                wizard, _result = self.export(account, user=user)
                self.assertEqual(wizard.state, "clash")
                self.assertEqual(wizard.clash_link_label, "Link to %s" % contact["Name"])
                self.assertFalse(wizard.clash_partner_id)
                self.assertFalse(self.api_calls("PUT /Contacts"), "nothing written")
                result = wizard.action_link_existing()
                self.env.invalidate_all()
                self.assertEqual(result["params"]["type"], "success")
                self.assertEqual(account.xero_contact_id, contact["ContactID"])
                self.assertEqual(len(self.xero_contacts(name=contact["Name"])), 1)

    def test_a_clash_with_an_account_linked_in_odoo_opens_it_and_never_loops(self):
        """ACME SUPPLIES INC meets Acme Supplies Inc, which Odoo links to
        another account: the dialog opens that account (a real button), or
        exports under another name; it never offers a ledger code change
        that leads back to the same clash."""
        acme = self.acme()
        holder = self.new_account("Acme Supplies Inc")
        self.check_link(holder)
        self.assertEqual(holder.xero_contact_id, acme["ContactID"])
        for user in self.users():
            with self.subTest(user=user.login):
                account = self.new_account("ACME SUPPLIES INC")
                wizard, _result = self.export(account, user=user)
                self.assertEqual((wizard.state, wizard.clash_field), ("clash", "Name"))
                self.assertEqual(wizard.clash_partner_id, holder)
                self.assertEqual(wizard.clash_open_label, "Open Acme Supplies Inc")
                self.assertIn("linked to the Odoo account Acme Supplies Inc",
                              wizard.clash_message)
                opened = wizard.action_open_clash_partner()
                self.assertEqual((opened["res_model"], opened["res_id"]),
                                 ("res.partner", holder.id))
                # Or another name, typed in the dialog, then Export to Xero.
                new_name = "Acme Supplies West %s" % user.login
                wizard.new_name = new_name
                wizard.action_rename()
                self.assertEqual((wizard.state, account.name), ("choose", new_name))
                self.env.flush_all()
                result = wizard.action_export()
                self.env.invalidate_all()
                self.assertEqual(result["params"]["type"], "success")
                contact = self.xero_contact(account.xero_contact_id)
                self.assertEqual(contact["Name"], new_name)
                self.assertEqual(self.xero_contact(acme["ContactID"])["Name"],
                                 "Acme Supplies Inc", "the other contact is untouched")

    def test_a_ledger_code_in_another_case_is_the_same_code(self):
        """Xero holds CUS-00047; cus-00047 is the same code for Xero: the
        dialog offers the contact before anything is written."""
        self.acme()
        for user, typed in zip(self.users(), ("cus-00047", "Cus-00047")):
            with self.subTest(user=user.login):
                self.sandbox.clear_calls()
                account = self.new_account("Someone Else Entirely %s Ltd" % user.login)
                wizard, _result = self.export(account, account_number=typed, user=user)
                self.assertEqual((wizard.state, wizard.clash_field), ("clash", "AccountNumber"))
                self.assertIn("Xero already has a contact, Acme Supplies Inc, with the ledger "
                              "code %s" % typed, wizard.clash_message)
                self.assertEqual(wizard.clash_link_label, "Link to Acme Supplies Inc")
                self.assertFalse(self.api_calls("PUT /Contacts"), "nothing written")
                searches = [c for c in self.api_calls("GET /Contacts")
                            if "ToLower" in str(c.get("query"))]
                self.assertTrue(searches, "the search asks Xero case-insensitively")
                self.assertFalse(account.xero_in_xero)
                self.assertEqual(len(self.xero_contacts(account_number="CUS-00047")), 1)

    def test_a_generated_code_xero_has_in_another_case_is_skipped(self):
        self.sandbox.create_contact(self.tenant, Name="Lower Code Holder",
                                    AccountNumber="odoo-00001")
        account = self.new_account("Generated Code Ltd")
        self.export(account)
        self.assertEqual(account.xero_account_number, "ODOO-00002")
        self.assertEqual(self.xero_contact(account.xero_contact_id)["AccountNumber"], "ODOO-00002")

    def test_xero_refusing_a_ledger_code_is_said_in_our_words(self):
        """If Xero refuses a code our search did not see (made in between),
        the person reads our sentence, not Xero's."""
        refused = XeroValidationError(
            ["The Account Number already exists. Please enter a different Account Number."])
        text = xero_message(self.env, refused)
        self.assertNotIn("Account Number already exists", text)
        self.assertIn("ledger code", text)
