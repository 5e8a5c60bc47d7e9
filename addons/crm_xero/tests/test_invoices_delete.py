"""Deleting opportunities deletes their Xero drafts first, all or nothing;
archiving or marking lost never touches Xero."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_invoices_case import XeroInvoiceCase


@tagged("post_install", "-at_install", "crm_xero")
class TestDeleteInvoice(XeroInvoiceCase):

    def setUp(self):
        super().setUp()
        self.create_invoice()
        self.invoice_id = self.lead.xero_invoice_id
        self.sandbox.clear_calls()

    def status_in_xero(self, invoice_id=None):
        return self.xero().get_invoice(invoice_id or self.invoice_id)["Status"]

    def test_the_delete_prompt_mentions_xero(self):
        other = self.new_opportunity("No invoice", 10.0)
        prompt = self.env["crm.lead"].xero_delete_confirmation((self.lead | other).ids)
        self.assertIn("%s is deleted in Xero too" % self.lead.xero_invoice_number, prompt)
        self.assertFalse(self.env["crm.lead"].xero_delete_confirmation(other.ids))
        self.assertEqual(self.api_calls(), [])

    def test_deleting_the_opportunity_deletes_the_draft(self):
        self.lead.unlink()
        self.assertFalse(self.lead.exists())
        self.assertEqual([c["operation"] for c in self.api_calls()],
                         ["GET /Invoices", "POST /Invoices/{id}"])
        self.assertEqual(self.status_in_xero(), "DELETED")

    def test_authorised_invoice_blocks_the_delete(self):
        self.authorise_in_xero()
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, "Void the invoice in Xero first"):
            self.lead.unlink()
        self.assertTrue(self.lead.exists())
        self.assertEqual([c["operation"] for c in self.api_calls()], ["GET /Invoices"])
        self.assertEqual(self.status_in_xero(), "AUTHORISED")

    def test_several_at_once_all_or_nothing(self):
        second = self.new_opportunity("Hosting", 200.0)
        third = self.new_opportunity("Training", 300.0)
        self.create_invoice(second)
        self.create_invoice(third)
        self.authorise_in_xero(third)
        self.sandbox.clear_calls()
        leads = self.lead | second | third
        second_id = second.xero_invoice_id
        with self.assertRaisesRegex(UserError, "Nothing was deleted.*Training"):
            leads.unlink()
        self.assertEqual(len(leads.exists()), 3)
        self.assertEqual([c["operation"] for c in self.api_calls()], ["GET /Invoices"],
                         "one read for all three, no delete")
        self.assertEqual(self.status_in_xero(), "DRAFT")
        self.assertEqual(self.status_in_xero(second.xero_invoice_id), "DRAFT")

        (self.lead | second).unlink()
        self.assertEqual(self.status_in_xero(), "DELETED")
        self.assertEqual(self.status_in_xero(second_id), "DELETED")
        self.assertEqual(third.exists(), third)

    def test_xero_unreachable_blocks_the_delete(self):
        self.sandbox.set_faults(error_next=10, error_status=503)
        with self.assertRaisesRegex(UserError, "The opportunity was not deleted: Xero"):
            self.lead.unlink()
        self.sandbox.clear_faults()
        self.assertTrue(self.lead.exists())
        self.assertEqual(self.status_in_xero(), "DRAFT")

    def test_invoice_already_deleted_in_xero(self):
        self.xero().delete_invoice(self.invoice_id)
        self.lead.unlink()
        self.assertFalse(self.lead.exists())
        self.assertEqual(len(self.api_calls("POST /Invoices/{id}")), 1, "only the test's own delete")

    def test_archive_and_lost_leave_xero_alone(self):
        self.lead.action_archive()
        self.lead.action_unarchive()
        self.lead.action_set_lost()
        self.assertFalse(self.lead.active)
        self.assertEqual(self.api_calls(), [])
        self.assertEqual(self.lead.xero_invoice_status, "DRAFT")
        self.assertEqual(self.status_in_xero(), "DRAFT")

    def test_opportunity_without_invoice_deletes_without_xero(self):
        other = self.new_opportunity("No invoice", 10.0)
        self.sandbox.set_faults(error_next=10, error_status=503)
        other.unlink()
        self.sandbox.clear_faults()
        self.assertFalse(other.exists())
        self.assertEqual(self.api_calls(), [])
