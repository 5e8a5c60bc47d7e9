"""The upgrade to 2.2.0 (migrations/2.2.0/post-migrate.py): accounts an
earlier version imported show Xero's phones with their codes, its direct dial
and fax, and its postal address, as a 2.2.0 import would have made them; what
someone changed in Odoo meanwhile stays; and Update to Xero then sends
nothing, as the salesperson and as the admin, Xero's contact as it was."""
import importlib.util
import pathlib

from odoo.tests import tagged

from .test_accounts import XeroAccountCase
from .test_contact_fields import EVERY_PHONE, NEWARK, PO_BOX, FieldsCase

MIGRATION = pathlib.Path(__file__).parents[1] / "migrations" / "2.2.0" / "post-migrate.py"


def upgrade_2_2_0(env):
    spec = importlib.util.spec_from_file_location("crm_xero_post_migrate_2_2_0", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.upgrade(env)


@tagged("post_install", "-at_install", "crm_xero")
class TestUpgradeTo220(FieldsCase, XeroAccountCase):

    def import_one(self, **fields):
        contact = self.in_xero(**fields)
        self.env["xero.import.run"]._xero_queue(self.xero_connection, full=True)
        self.env["xero.import.run"]._xero_cron_import()
        self.env.invalidate_all()
        return self.imported(contact), contact

    def as_an_earlier_version_imported_it(self, account, phone="410-1723"):
        """What 2.1's import made of a contact: Xero's bare PhoneNumbers, no
        direct dial, fax or invoice address, and its baseline in Xero's words."""
        account.child_ids.filtered(lambda c: c.type == "invoice").unlink()
        account.write({"phone": phone, "mobile": "555-0142", "xero_ddi": False,
                       "xero_fax": False})
        account.xero_link_id.odoo_values = {
            "name": account.name, "email": "", "phone": "410-1723", "mobile": "555-0142",
            "vat": "", "account_number": "", "street": "12 Ferry Street", "street2": "",
            "city": "Newark", "state": "NJ", "zip": "07105", "country": "United States",
            **{"billing_" + k: v for k, v in (("street", "PO Box 4410"), ("street2", ""),
                                              ("city", "Trenton"), ("state", "NJ"),
                                              ("zip", "08608"), ("country", "United States"))},
            "main_name": "", "main_email": "", "persons": []}

    def test_imported_accounts_show_what_xero_holds_and_send_nothing(self):
        account, contact = self.import_one(Name="Old Import Ltd", Addresses=[NEWARK, PO_BOX],
                                           Phones=EVERY_PHONE)
        edited, edited_contact = self.import_one(Name="Edited Since Ltd",
                                                 Addresses=[NEWARK, PO_BOX], Phones=EVERY_PHONE)
        self.as_an_earlier_version_imported_it(account)
        # Someone changed this one's phone in Odoo after the old import.
        self.as_an_earlier_version_imported_it(edited, phone="+1 299 555-0000")
        self.env.flush_all()

        self.assertEqual(upgrade_2_2_0(self.env), 2)
        self.env.invalidate_all()

        self.assertEqual((account.phone, account.xero_ddi, account.mobile, account.xero_fax),
                         ("+1 299 410-1723", "+1 299 410-1799", "+1 917 555-0142",
                          "+1 299 410-1700"))
        invoice = account._xero_invoice_address()
        self.assertEqual((invoice.street, invoice.city, invoice.state_id.code, invoice.zip),
                         ("PO Box 4410", "Trenton", "NJ", "08608"), "Xero's postal address")
        self.assertEqual(edited.phone, "+1 299 555-0000", "what Odoo changed stays")
        self.assertEqual(edited.mobile, "+1 917 555-0142")

        for user in self.users():
            self.assertEqual(self.update(account, user),
                             "Xero already has these details: nothing to update.")
        self.assertEqual(self.comparable(self.xero_contact(contact["ContactID"])),
                         self.comparable(contact), "Xero's contact as it was")
        # The edited phone is Odoo's change: Update sends it, and only it.
        self.assertEqual(self.update(edited, self.salesman), "Xero updated: phone.")
        default = next(p for p in self.xero_contact(edited_contact["ContactID"])["Phones"]
                       if p["PhoneType"] == "DEFAULT")
        self.assertEqual((default["PhoneCountryCode"], default["PhoneAreaCode"],
                          default["PhoneNumber"]), ("1", "299", "555-0000"))
        # Run again (an upgrade retried): nothing more to make.
        self.assertEqual(upgrade_2_2_0(self.env), 0)
        self.assertEqual(len(account.child_ids.filtered(lambda c: c.type == "invoice")), 1)
