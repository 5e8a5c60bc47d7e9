"""Xero calls grow with what changed, not with the size of the books: the
scheduled pass reads what changed organisation-wide (If-Modified-Since,
summaryOnly, pages of 1,000) and sums only the accounts touched; overdue
follows the date without a call; webhooks, while they arrive, turn polling
into a daily net; a full reconcile stays possible; accounts Xero did not
have are linked from the contacts changed since.  Both sides: the Odoo
records and the sandbox (its calls, its records)."""
from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_accounts import XeroAccountCase

LINE = {"Description": "Work", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}


class ChangesCase(XeroAccountCase):

    def setUp(self):
        super().setUp()
        self.Link = self.env["xero.contact.link"]

    def linked(self, contact):
        partner = self.new_account(contact["Name"])
        self.Link.sudo().create({"connection_id": self.xero_connection.id,
                                 "partner_id": partner.id,
                                 **self.Link._xero_link_values(contact)})
        return partner

    def customers(self, count):
        contacts = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"][:count]
        return [self.linked(c) for c in contacts], contacts

    def scheduled_pass(self):
        self.env.flush_all()
        self.sandbox.clear_calls()
        self.Link._xero_cron_refresh_figures()
        self.env.invalidate_all()
        return self.api_calls()

    def state(self):
        return self.xero_connection._xero_sync_state()

    def approved_invoice(self, contact_id, due):
        invoice = self.sandbox.create_invoice(self.tenant, ContactID=contact_id,
                                              LineItems=[LINE])
        return self.sandbox.approve(self.tenant, invoice["InvoiceID"], due_date=due.isoformat())

    def receivable(self, contact_id):
        return self.xero_contact(contact_id)["Balances"]["AccountsReceivable"]


@tagged("post_install", "-at_install", "crm_xero")
class TestReadWhatChanged(ChangesCase):

    def test_a_pass_reads_what_changed_and_sums_only_the_accounts_touched(self):
        (changed, quiet), (contact, _other) = self.customers(2)
        self.scheduled_pass()   # the first pass reads everything once
        quiet_read_at = quiet.xero_stats_refreshed_at
        invoice = self.approved_invoice(contact["ContactID"], date.today() + timedelta(days=30))
        self.sandbox.pay(self.tenant, invoice["InvoiceID"], amount=40)

        calls = self.scheduled_pass()

        self.assertEqual([c["operation"] for c in calls], ["GET /Invoices", "GET /CreditNotes"])
        for call in calls:
            self.assertTrue(call["if_modified_since"], "only what changed")
            self.assertIn("pageSize=1000", call["query"])
        self.assertIn("summaryOnly=true", calls[0]["query"])
        self.assertNotIn("ContactIDs", calls[0]["query"], "organisation-wide, not by account")
        self.assertEqual(quiet.xero_stats_refreshed_at, quiet_read_at, "not summed again")
        self.assertAlmostEqual(changed.xero_outstanding_amount,
                               self.receivable(contact["ContactID"])["Outstanding"], places=2)
        row = changed.xero_invoice_row_ids.filtered(lambda r: r.xero_id == invoice["InvoiceID"])
        self.assertEqual((row.status, row.amount_due), ("AUTHORISED", 75.0))
        self.assertEqual(self.xero_invoice(invoice["InvoiceID"])["AmountDue"], 75.0)

    def test_nothing_changed_costs_two_small_calls(self):
        self.customers(3)
        self.scheduled_pass()
        calls = self.scheduled_pass()
        self.assertEqual(len(calls), 2)
        self.assertTrue(all(c["bytes"] < 1000 for c in calls), "an empty page, gzipped")

    def test_overdue_follows_the_date_without_a_call(self):
        (customer,), (contact,) = self.customers(1)
        invoice = self.approved_invoice(contact["ContactID"], date.today())
        self.scheduled_pass()
        overdue_today = customer.xero_overdue_amount
        self.assertAlmostEqual(overdue_today, self.receivable(contact["ContactID"])["Overdue"],
                               places=2, msg="due today is not overdue yet")
        self.sandbox.clear_calls()
        tomorrow = date.today() + timedelta(days=1)
        with patch("odoo.fields.Date.today", return_value=tomorrow):
            self.xero_connection.sudo()._xero_overdue_by_date()
        self.env.invalidate_all()
        self.assertEqual(self.api_calls(), [], "a date changed, nothing in Xero")
        self.assertAlmostEqual(customer.xero_overdue_amount - overdue_today,
                               self.xero_invoice(invoice["InvoiceID"])["AmountDue"], places=2)
        self.assertTrue(customer.xero_invoice_row_ids.filtered(
            lambda r: r.xero_id == invoice["InvoiceID"]).overdue)

    def test_an_interrupted_pass_leaves_its_changes_to_the_next(self):
        (customer,), (contact,) = self.customers(1)
        self.scheduled_pass()
        invoice = self.approved_invoice(contact["ContactID"], date.today() + timedelta(days=9))
        self.sandbox.set_faults(error_next=100, error_status=503)
        self.scheduled_pass()
        self.sandbox.clear_faults()
        self.assertNotIn(invoice["InvoiceNumber"], customer.xero_invoice_row_ids.mapped("number"))
        self.scheduled_pass()
        self.assertIn(invoice["InvoiceNumber"], customer.xero_invoice_row_ids.mapped("number"))


@tagged("post_install", "-at_install", "crm_xero")
class TestWebhooksFirst(ChangesCase):

    def webhook(self, received_at=None):
        """An event as Xero's webhook delivers it, received ``received_at``."""
        return self.env["xero.webhook.event"].sudo().create({
            "connection_id": self.xero_connection.id, "tenant_id": self.tenant,
            "category": "CONTACT", "event_type": "UPDATE",
            "resource_id": self.active_contact()["ContactID"], "state": "done",
            "received_at": received_at or datetime.utcnow()})

    def test_while_webhooks_arrive_polling_is_a_daily_net_and_resumes_when_they_stop(self):
        self.customers(2)
        self.scheduled_pass()
        event = self.webhook()
        self.assertEqual(self.scheduled_pass(), [], "webhooks bring the changes: no poll")
        self.env["xero.import.run"].search([]).unlink()
        self.xero_connection.sudo().xero_import_watermark = datetime.utcnow()
        self.env["xero.connection"]._xero_cron_sync_contacts()
        self.env["xero.connection"]._xero_cron_sync_contacts()
        self.assertEqual(self.env["xero.import.run"].search_count(
            [("connection_id", "=", self.xero_connection.id)]), 1, "the contacts too, daily")

        self.state()._xero_state_write(figures_polled_at=datetime.utcnow() - timedelta(hours=24))
        self.assertEqual(len(self.scheduled_pass()), 2, "the daily safety net")
        self.assertEqual(self.scheduled_pass(), [])

        event.received_at = datetime.utcnow() - timedelta(hours=4)   # they stopped arriving
        self.assertEqual(len(self.scheduled_pass()), 2, "hourly polling resumed on its own")

    def test_a_busy_organisations_events_are_read_together_an_opportunitys_at_once(self):
        (customer,), (contact,) = self.customers(1)
        Event = self.env["xero.webhook.event"].sudo()

        def event(category, resource):
            return Event.create({"connection_id": self.xero_connection.id,
                                 "tenant_id": self.tenant, "category": category,
                                 "event_type": "UPDATE", "resource_id": resource,
                                 "event_date": datetime.utcnow()})

        first = event("CONTACT", contact["ContactID"])
        Event._xero_cron_handle()
        self.assertEqual(first.state, "done")
        self.sandbox.clear_calls()
        invoice = self.approved_invoice(contact["ContactID"], date.today() + timedelta(days=5))
        later = event("INVOICE", invoice["InvoiceID"])
        Event._xero_cron_handle()
        self.assertEqual((later.state, self.api_calls()), ("new", []),
                         "read with the organisation's next batch, within 30 minutes")
        cron = self.env.ref("crm_xero.ir_cron_xero_webhooks")
        self.assertTrue(self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", ">", datetime.utcnow())]))
        self.state()._xero_state_write(
            webhooks_handled_at=datetime.utcnow() - timedelta(minutes=31))
        Event._xero_cron_handle()
        self.env.invalidate_all()
        self.assertEqual(later.state, "done")
        self.assertIn(invoice["InvoiceNumber"], customer.xero_invoice_row_ids.mapped("number"))


@tagged("post_install", "-at_install", "crm_xero")
class TestReconcileAndLinking(ChangesCase):

    def test_a_manager_asks_for_a_full_reconcile_and_it_runs_in_the_background(self):
        contact = self.active_contact(2)
        missed = self.new_account(contact["Name"])
        self.Link.sudo().create({"connection_id": self.xero_connection.id,
                                 "partner_id": missed.id, "check_state": "not_found",
                                 "checked_at": datetime.utcnow()})
        with self.assertRaises(AccessError):
            self.xero_connection.with_user(self.salesman).action_xero_reconcile()
        self.xero_connection.with_user(self.manager).action_xero_reconcile()   # a Xero manager
        admin = self.env.ref("base.user_admin")
        self.env["res.config.settings"].with_user(admin).create({}).action_xero_reconcile()
        self.assertTrue(self.env["res.config.settings"].create({}).xero_reconcile_requested)
        cron = self.env.ref("crm_xero.ir_cron_xero_reconcile")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.sandbox.clear_calls()

        self.env.flush_all()
        self.env["xero.connection"]._xero_cron_reconcile()
        self.env.invalidate_all()

        self.assertEqual(missed.xero_contact_id, contact["ContactID"], "every contact scanned")
        self.assertTrue(missed.xero_figures_read)
        operations = [c["operation"] for c in self.api_calls()]
        self.assertEqual(operations, ["GET /Contacts", "GET /Invoices", "GET /CreditNotes"])
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.xero_reconcile_requested)
        self.assertTrue(settings.xero_reconciled_at)

    def test_an_account_xero_lacked_is_linked_once_the_accountant_adds_it(self):
        newco = self.new_account("Newly Added Customer Ltd")
        self.Link._xero_link_accounts(self.xero_connection)
        self.assertEqual(newco.xero_check_state, "not_found")
        made = self.sandbox.create_contact(self.tenant, Name="Newly Added Customer Ltd")
        self.sandbox.clear_calls()

        self.Link._xero_link_accounts(self.xero_connection)
        self.env.invalidate_all()

        self.assertEqual(newco.xero_contact_id, made["ContactID"])
        [changed] = self.api_calls()
        self.assertTrue(changed["if_modified_since"], "the contacts changed since, not a scan")
        self.assertNotIn("where", changed["query"])
