"""The upgrade to 2.2.0 (migrations/2.2.0/): accounts an earlier version
imported show Xero's phones with their codes, its direct dial and fax, and its
postal address, as a 2.2.0 import would have made them; what someone changed
in Odoo meanwhile stays; and Update to Xero then sends nothing, as the
salesperson and as the admin, Xero's contact as it was.  An opportunity's
invoice of 2.1 becomes its first, and more can follow."""
import importlib.util
import pathlib

from odoo.tests import tagged

from .test_accounts import XeroAccountCase
from .test_contact_fields import EVERY_PHONE, NEWARK, PO_BOX, FieldsCase
from .test_invoices_case import XeroInvoiceCase

MIGRATION = pathlib.Path(__file__).parents[1] / "migrations" / "2.2.0" / "post-migrate.py"


def _migration(name):
    """A script of migrations/2.2.0, loaded as Odoo loads it."""
    path = MIGRATION.with_name(name)
    spec = importlib.util.spec_from_file_location("crm_xero_%s_2_2_0" % path.stem.replace(
        "-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade_2_2_0(env):
    return _migration("post-migrate.py").upgrade(env)


@tagged("post_install", "-at_install", "crm_xero")
class TestUpgradeTo220(FieldsCase, XeroAccountCase):

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


@tagged("post_install", "-at_install", "crm_xero")
class TestUpgradeInvoiceLinksTo220(XeroInvoiceCase):
    """2.1 kept one invoice per opportunity (a unique constraint on
    connection and opportunity); from 2.2.0 an opportunity has several, each
    in its place: the existing invoice is its first, the whole deal, and a
    deposit... can follow."""

    def test_the_invoice_of_21_is_the_first_and_more_can_follow(self):
        self.create_invoice()
        link = self.lead.xero_invoice_link_id.sudo()
        cr = self.env.cr
        # The database as 2.1 left it: its constraint, no part, no amount taken.
        cr.execute("ALTER TABLE xero_invoice_link ADD CONSTRAINT xero_invoice_link_lead_unique "
                   "UNIQUE (connection_id, lead_id)")
        cr.execute("UPDATE xero_invoice_link SET part_kind = NULL, lines_amount = NULL, "
                   "lines_read = NULL, currency_rate = NULL WHERE id = %s", [link.id])
        self.env.invalidate_all()

        _migration("pre-migrate.py").migrate(cr, "18.0.2.1.0")
        self.assertEqual(_migration("post-migrate.py").upgrade_invoice_links(cr), 1,
                         "one invoice whose lines are to be read")
        self.env.invalidate_all()

        cr.execute("SELECT 1 FROM pg_constraint WHERE conname = 'xero_invoice_link_lead_unique'")
        self.assertFalse(cr.fetchall(), "2.1's one-invoice constraint is gone")
        self.assertEqual((link.sequence, link.part_kind, link.lines_read), (1, "whole", False))
        self.assertEqual(self.lead.xero_left_to_invoice, 0.0,
                         "until its lines are read, the invoice takes its subtotal")
        self.assertFalse(link.currency_rate, "no rate invented before Xero's is read")
        # The background read (woken by the upgrade): its lines and rate, once.
        self.xero_connection.sudo()._xero_read_changes(first_reads_only=True)
        self.env.invalidate_all()
        self.assertEqual((link.lines_read, link.lines_amount, link.currency_rate),
                         (True, 1000.0, 1.0))
        # The deal grows: what is left goes on a second invoice of the opportunity.
        self.lead.expected_revenue = 1500.0
        wizard = self.choose(self.open_wizard())
        self.assertEqual(wizard.part, "rest")
        wizard.action_create()
        self.env.invalidate_all()
        links = self.lead.xero_invoice_link_ids.sorted("sequence")
        self.assertEqual([(l.sequence, l.part_kind, l.lines_amount) for l in links],
                         [(1, "whole", 1000.0), (2, "final", 500.0)])
        self.assertEqual(len(self.invoices_for()), 2)
