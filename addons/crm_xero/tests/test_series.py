"""What Odoo 18.0 and 19.0 do differently (crm_xero/compat.py), proven on
whichever series runs the tests: the Xero Manager group's place in the user
form, an account's mobile number both ways (19.0 has no res.partner.mobile of
its own), and the accounts found by "In Xero" and "Not in Xero"."""
from odoo.tests import tagged

from .test_accounts import XeroAccountCase
from .test_import import XeroImportCase


@tagged("post_install", "-at_install", "crm_xero")
class TestSeriesAccounts(XeroAccountCase):

    def test_the_xero_manager_group_has_its_place_in_the_user_form(self):
        # Under "Xero": its category on 18.0, a privilege of it on 19.0.
        group = self.env.ref("crm_xero.group_xero_manager")
        self.assertEqual(group.full_name, "Xero / Xero Manager")
        self.assertIn(self.env.ref("sales_team.group_sale_salesman"), group.implied_ids)
        self.assertTrue(self.env.ref("base.user_admin").has_group("crm_xero.group_xero_manager"))
        self.assertFalse(self.salesman.has_group("crm_xero.group_xero_manager"))

    def test_an_accounts_mobile_number_reaches_xero(self):
        account = self.new_account("Mobile Joinery Ltd", phone="+64 9 555 0100",
                                   mobile="+64 21 555 0199")
        self.export(account)
        phones = {p["PhoneType"]: (p.get("PhoneCountryCode"), p.get("PhoneAreaCode"),
                                   p.get("PhoneNumber"))
                  for p in self.xero_contact(account.xero_contact_id)["Phones"]}
        self.assertEqual((phones.get("DEFAULT"), phones.get("MOBILE")),
                         (("64", "9", "555 0100"), ("64", "21", "555 0199")))

    def test_in_xero_and_not_in_xero_find_the_right_accounts(self):
        exported = self.new_account("Exported Ltd")
        self.export(exported)
        kept = self.new_account("Kept In Odoo Ltd")
        accounts = exported | kept
        Partner = self.env["res.partner"].with_user(self.salesman)
        # As the search view's filters ask, and the other ways a domain can.
        for domain, expected in (
                ([("xero_in_xero", "=", True)], exported),
                ([("xero_in_xero", "!=", False)], exported),
                ([("xero_in_xero", "in", [True])], exported),
                ([("xero_in_xero", "=", False)], kept),
                ([("xero_in_xero", "!=", True)], kept),
                ([("xero_in_xero", "not in", [True])], kept),
                (["!", ("xero_in_xero", "=", True)], kept)):
            self.assertEqual(Partner.search([("id", "in", accounts.ids), *domain]), expected,
                             domain)


@tagged("post_install", "-at_install", "crm_xero")
class TestSeriesImport(XeroImportCase):
    seed_contacts = 5

    def test_a_mobile_number_in_xero_reaches_the_account(self):
        self.in_xero(Name="Pohutukawa Cafe", Phones=[
            {"PhoneType": "DEFAULT", "PhoneNumber": "09 555 0123"},
            {"PhoneType": "MOBILE", "PhoneNumber": "021 555 0123"}])
        self.run_import()
        account = self.account("Pohutukawa Cafe")
        self.assertEqual((account.phone, account.mobile), ("09 555 0123", "021 555 0123"))
