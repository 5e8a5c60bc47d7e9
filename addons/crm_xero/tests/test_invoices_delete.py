"""Deleting opportunities deletes their Xero drafts, only when the Odoo delete
goes through, all or nothing; merging keeps the invoice; archiving or marking
lost never touches Xero."""
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_invoices_case import XeroInvoiceCase


@tagged("post_install", "-at_install", "crm_xero")
class TestDeleteInvoice(XeroInvoiceCase):

    def setUp(self):
        super().setUp()
        self.create_invoice()
        self.invoice_id = self.lead.xero_invoice_id
        self.admin = self.env.ref("base.user_admin")
        self.sandbox.clear_calls()

    def status_in_xero(self, invoice_id=None):
        return self.xero_invoice(invoice_id or self.invoice_id)["Status"]

    def delete(self, leads, user=None):
        self.env.flush_all()
        leads.with_user(user or self.admin).unlink()
        self.env.invalidate_all()

    def test_the_delete_prompt_mentions_xero(self):
        other = self.new_opportunity("No invoice", 10.0)
        prompt = self.env["crm.lead"].xero_delete_confirmation((self.lead | other).ids)
        self.assertIn("also deletes their draft invoices in Xero (%s)"
                      % self.lead.xero_invoice_number, prompt["body"])
        self.assertFalse(self.env["crm.lead"].xero_delete_confirmation(other.ids))
        self.assertEqual(self.api_calls(), [])

    def test_deleting_the_opportunity_deletes_the_draft(self):
        self.delete(self.lead)
        self.assertFalse(self.lead.exists())
        self.assertEqual([c["operation"] for c in self.api_calls()],
                         ["GET /Invoices", "GET /Invoices/{id}", "POST /Invoices/{id}"])
        self.assertEqual(self.status_in_xero(), "DELETED")

    def test_a_salesperson_who_may_not_delete_leaves_the_draft_alone(self):
        with self.assertRaises(AccessError):
            self.delete(self.lead, user=self.salesman)
        self.assertTrue(self.lead.exists())
        self.assertEqual(self.api_calls(), [], "refused before any call to Xero")
        self.assertEqual(self.status_in_xero(), "DRAFT")

    def test_authorised_invoice_blocks_the_delete(self):
        self.sandbox.approve(self.tenant, self.invoice_id)
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, "Void the invoice in Xero first"):
            self.delete(self.lead)
        self.assertTrue(self.lead.exists())
        self.assertEqual([c["operation"] for c in self.api_calls()], ["GET /Invoices"])
        self.assertEqual(self.status_in_xero(), "AUTHORISED")

    def test_several_at_once_all_or_nothing(self):
        second = self.new_opportunity("Hosting", 200.0)
        third = self.new_opportunity("Training", 300.0)
        self.create_invoice(second)
        self.create_invoice(third)
        self.sandbox.approve(self.tenant, third.xero_invoice_id)
        self.sandbox.clear_calls()
        leads = self.lead | second | third
        second_id = second.xero_invoice_id
        with self.assertRaisesRegex(UserError, "Nothing was deleted.*Training"):
            self.delete(leads)
        self.assertEqual(len(leads.exists()), 3)
        self.assertEqual([c["operation"] for c in self.api_calls()], ["GET /Invoices"],
                         "one read for all three, no delete")
        self.assertEqual(self.status_in_xero(), "DRAFT")
        self.assertEqual(self.status_in_xero(second_id), "DRAFT")

        self.delete(self.lead | second)
        self.assertEqual(self.status_in_xero(), "DELETED")
        self.assertEqual(self.status_in_xero(second_id), "DELETED")
        self.assertEqual(third.exists(), third)

    def test_xero_unreachable_blocks_the_delete(self):
        self.sandbox.set_faults(error_next=10, error_status=503)
        with self.assertRaisesRegex(UserError, "The opportunity was not deleted: Xero"):
            self.delete(self.lead)
        self.sandbox.clear_faults()
        self.assertTrue(self.lead.exists())
        self.assertEqual(self.status_in_xero(), "DRAFT")

    def test_invoice_already_voided_in_xero(self):
        self.sandbox.approve(self.tenant, self.invoice_id)
        self.sandbox.void(self.tenant, self.invoice_id)
        self.delete(self.lead)
        self.assertFalse(self.lead.exists())
        self.assertFalse(self.api_calls("POST /Invoices/{id}"), "nothing left to delete")

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
        self.delete(other)
        self.sandbox.clear_faults()
        self.assertFalse(other.exists())
        self.assertEqual(self.api_calls(), [])


@tagged("post_install", "-at_install", "crm_xero")
class TestMergeInvoice(XeroInvoiceCase):

    def merge(self, leads):
        wizard = self.env["crm.merge.opportunity"].with_context(
            active_ids=leads.ids, active_model="crm.lead").create({})
        return wizard.action_merge()

    def test_merging_keeps_the_invoice_on_the_surviving_opportunity(self):
        self.create_invoice()
        invoice_id, number = self.lead.xero_invoice_id, self.lead.xero_invoice_number
        bigger = self.new_opportunity("Website redesign (bigger)", 5000.0, probability=90)
        self.sandbox.clear_calls()

        self.merge(self.lead | bigger)
        self.env.invalidate_all()

        survivor = (self.lead | bigger).exists()
        self.assertEqual(len(survivor), 1)
        self.assertEqual(survivor.xero_invoice_id, invoice_id, "the invoice moved with the merge")
        self.assertEqual(survivor.xero_invoice_number, number)
        self.assertEqual(self.xero_invoice(invoice_id)["Status"], "DRAFT", "not deleted")
        self.assertFalse(self.api_calls("POST /Invoices/{id}"))

    def test_two_invoiced_opportunities_are_not_merged(self):
        other = self.new_opportunity("Hosting", 200.0)
        self.create_invoice()
        self.create_invoice(other)
        with self.assertRaisesRegex(UserError, "each have a Xero invoice"):
            self.merge(self.lead | other)
        self.assertEqual(len((self.lead | other).exists()), 2)
        self.assertEqual(self.xero_invoice(self.lead.xero_invoice_id)["Status"], "DRAFT")
        self.assertEqual(self.xero_invoice(other.xero_invoice_id)["Status"], "DRAFT")
