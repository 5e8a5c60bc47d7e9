"""Invoice status, total and amount due kept current: scheduled, in batches,
and on demand; the connection counts and clears its invoice links."""
import uuid

from odoo.tests import tagged

from .test_invoices_case import XeroInvoiceCase


@tagged("post_install", "-at_install", "crm_xero")
class TestRefreshInvoices(XeroInvoiceCase):

    def setUp(self):
        super().setUp()
        self.leads = self.lead | self.new_opportunity("Hosting", 200.0) \
            | self.new_opportunity("Training", 300.0)
        for lead in self.leads:
            self.create_invoice(lead)
        self.sandbox.clear_calls()

    def refresh_calls(self):
        return self.api_calls("GET /Invoices")

    def test_scheduled_refresh_reads_many_invoices_per_call(self):
        approved, deleted, _same = self.leads
        self.authorise_in_xero(approved)
        self.xero().delete_invoice(deleted.xero_invoice_id)
        self.sandbox.clear_calls()

        self.env["xero.connection"]._xero_cron_refresh_invoices()

        calls = self.refresh_calls()
        self.assertEqual(len(calls), 1)
        self.assertEqual(len(self.api_calls()), 1)
        for lead in self.leads:
            self.assertIn(lead.xero_invoice_id, calls[0]["query"])
        self.assertEqual(approved.xero_invoice_status, "AUTHORISED")
        self.assertEqual(approved.xero_invoice_amount_due, 1150.0)
        self.assertIn("now Awaiting payment", approved.message_ids[0].body)
        self.assertEqual(deleted.xero_invoice_status, "DELETED")
        self.assertFalse(deleted.xero_invoice_open)
        self.assertEqual(_same.xero_invoice_status, "DRAFT")

        self.sandbox.clear_calls()
        self.env["xero.connection"]._xero_cron_refresh_invoices()
        self.assertEqual(len(self.refresh_calls()), 1)
        self.assertNotIn(deleted.xero_invoice_id, self.refresh_calls()[0]["query"],
                         "a deleted invoice no longer changes")

    def test_batches(self):
        self.env["xero.connection"]._xero_cron_refresh_invoices(batch_size=2)
        self.assertEqual(len(self.refresh_calls()), 2)
        self.assertTrue(all(self.leads.mapped("xero_invoice_refreshed_at")))

    def test_one_bad_record_does_not_stop_the_others(self):
        approved, lost, _same = self.leads
        lost.sudo().xero_invoice_id = str(uuid.uuid4())  # unknown to Xero
        self.authorise_in_xero(approved)
        self.sandbox.clear_calls()

        self.env["xero.connection"]._xero_cron_refresh_invoices()

        self.assertEqual(approved.xero_invoice_status, "AUTHORISED")
        self.assertIn("could not be refreshed", lost.message_ids[0].body)
        self.assertEqual(lost.xero_invoice_status, "DRAFT")

    def test_xero_down_leaves_everything_as_it_was(self):
        self.authorise_in_xero(self.lead)
        self.sandbox.set_faults(error_next=100, error_status=503)
        self.sandbox.clear_calls()
        self.env["xero.connection"]._xero_cron_refresh_invoices()
        self.sandbox.clear_faults()
        self.assertEqual(set(self.leads.mapped("xero_invoice_status")), {"DRAFT"})
        self.assertEqual(len(self.refresh_calls()), 5, "one batch call and its 4 retries, then stop")
        self.assertFalse(self.leads.filtered(lambda l: "could not be refreshed" in l.message_ids[0].body))

    def test_refresh_on_demand(self):
        self.authorise_in_xero(self.lead)
        self.sandbox.clear_calls()
        action = self.lead.action_xero_refresh_invoice()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Awaiting payment", action["params"]["message"])
        self.assertEqual(self.lead.xero_invoice_status, "AUTHORISED")
        self.assertEqual(len(self.refresh_calls()), 1)

        action = self.leads.action_xero_refresh_invoice()
        self.assertIn("3 invoices refreshed", action["params"]["message"])
        self.assertEqual(len(self.refresh_calls()), 2)

    def test_connection_counts_and_clears_invoice_links(self):
        connection = self.xero_connection
        contacts = self.env["xero.contact.link"].sudo().search_count(
            [("connection_id", "=", connection.id), ("contact_id", "!=", False)])
        self.assertEqual(connection._xero_count_links(), contacts + 3)
        connection._xero_clear_links()
        self.assertEqual(connection._xero_count_links(), 0)
        self.assertFalse(any(self.leads.mapped("xero_invoice_id")))
        self.assertFalse(any(self.leads.mapped("xero_connection_id")))
