"""Xero's webhooks, as the sandbox sends them (signed, batched, retried):
the signature check and intent to receive, events stored once and handled in
the background by reading Xero again, and what the screens then show."""
import json
import time
from datetime import datetime

import requests

from odoo.tests import tagged

from ..xero import webhooks
from .harness import cursor_lock_of, open_test_server
from .test_invoices_case import XeroInvoiceCase

KEY = "webhook-key-for-tests-0123456789abcdef"


@tagged("post_install", "-at_install", "crm_xero")
class TestWebhooks(XeroInvoiceCase):

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("crm_xero.webhook_key", KEY)
        self.url = self.base_url() + "/crm_xero/webhook"
        self.sandbox.subscribe_webhooks(self.url, KEY, batch_seconds=0.2)
        self.Event = self.env["xero.webhook.event"]
        # Xero (the sandbox, or a plain client here) calls the test server
        # whenever it likes, as it does Odoo.
        server = open_test_server(self)
        server.__enter__()
        self.addCleanup(server.__exit__, None, None, None)

    def delivered(self):
        return [d for d in self.sandbox.webhooks()["deliveries"] if d["delivered"]]

    def wait_for_delivery(self, before, category, timeout=15):
        """Until the sandbox delivered (from its own thread) a batch with a
        ``category`` event, after the ``before`` deliveries already made."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = self.delivered()[before:]
            if any(e["eventCategory"] == category for d in new for e in d["events"]):
                return new
            time.sleep(0.1)
        raise AssertionError("no %s event delivered: %s" % (category, self.sandbox.webhooks()))

    def odoo_side(self):
        """This thread's turn on the test cursor: the sandbox's deliveries
        reach the test server on another thread, which shares the cursor."""
        return cursor_lock_of(self)

    def handle(self):
        self.env.invalidate_all()
        self.Event._xero_cron_handle()
        self.env.invalidate_all()

    def test_intent_to_receive_passes(self):
        answer = self.sandbox._call("POST", "webhooks/intent")
        self.assertEqual((answer["good_status"], answer["bad_status"]), (200, 401))
        self.assertTrue(answer["passed"])

    def test_a_bad_signature_is_refused_and_nothing_stored(self):
        body = json.dumps({"events": [{"resourceId": self.contact["ContactID"],
                                       "tenantId": self.tenant, "eventCategory": "CONTACT",
                                       "eventType": "UPDATE",
                                       "eventDateUtc": "2026-12-01T10:00:00"}],
                           "firstEventSequence": 1, "lastEventSequence": 1,
                           "entropy": "ABCDEFGHIJKLMNOPQRST"}).encode()
        answer = requests.post(self.url, data=body, timeout=10,
                               headers={"x-xero-signature": webhooks.signature(body, "wrong")})
        self.assertEqual(answer.status_code, 401)
        self.assertEqual(answer.content, b"")
        self.assertFalse(self.Event.search_count([]))
        good = requests.post(self.url, data=body, timeout=10,
                             headers={"x-xero-signature": webhooks.signature(body, KEY)})
        self.assertEqual(good.status_code, 200)
        self.assertNotIn("Set-Cookie", good.headers, "no cookies for Xero")
        again = requests.post(self.url, data=body, timeout=10,
                              headers={"x-xero-signature": webhooks.signature(body, KEY)})
        self.assertEqual(again.status_code, 200)
        self.assertEqual(self.Event.search_count([]), 1, "a replay is one event")

    def test_events_of_an_unknown_organisation_are_dropped(self):
        body = json.dumps({"events": [{"resourceId": "4b4a6bbc-2c55-4c5b-8d61-6d16a7d1b0aa",
                                       "tenantId": "00000000-0000-4000-8000-000000000000",
                                       "eventCategory": "INVOICE", "eventType": "UPDATE",
                                       "eventDateUtc": "2026-12-01T10:00:00"}],
                           "firstEventSequence": 2, "lastEventSequence": 2,
                           "entropy": "ABCDEFGHIJKLMNOPQRST"}).encode()
        answer = requests.post(self.url, data=body, timeout=10,
                               headers={"x-xero-signature": webhooks.signature(body, KEY)})
        self.assertEqual(answer.status_code, 200)
        self.assertFalse(self.Event.search_count([]))

    def test_approved_then_paid_in_xero_shows_on_the_opportunity(self):
        before = len(self.delivered())
        with self.odoo_side():
            self.create_invoice()
            invoice_id = self.lead.xero_invoice_id
        self.wait_for_delivery(before, "INVOICE")   # Xero announces Odoo's own create, too
        with self.odoo_side():
            self.handle()
        before = len(self.delivered())
        self.sandbox.approve(self.tenant, invoice_id)
        self.wait_for_delivery(before, "INVOICE")
        self.sandbox.clear_calls()
        with self.odoo_side():
            self.handle()
            self.assertEqual(self.lead.xero_invoice_status, "AUTHORISED")
        self.assertEqual([c["operation"] for c in self.api_calls()][:1], ["GET /Invoices"],
                         "read again from Xero, the body not trusted")

        before = len(self.delivered())
        self.sandbox.pay(self.tenant, invoice_id)
        self.wait_for_delivery(before, "INVOICE")
        with self.odoo_side():
            self.handle()
            self.assertEqual(self.lead.xero_invoice_status, "PAID")
            self.assertTrue(self.lead.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("crm_xero.mail_activity_xero_paid")))
            self.assertTrue(self.customer.xero_stats_refreshed_at,
                            "the account's figures followed")
            settings = self.env["res.config.settings"].create({})
            self.assertTrue(settings.xero_webhook_last_received)
            self.assertTrue(settings.xero_webhook_url.endswith("/crm_xero/webhook"))

    def test_events_wait_while_their_company_needs_reconnecting(self):
        event = self.Event.sudo().create({
            "connection_id": self.xero_connection.id, "tenant_id": self.tenant,
            "category": "CONTACT", "event_type": "UPDATE",
            "resource_id": self.contact["ContactID"]})
        self.xero_connection.sudo().state = "needs_reconnect"
        self.sandbox.clear_calls()
        self.handle()   # no error: the job goes on for the other companies
        self.assertEqual((event.state, event.attempts), ("new", 0))
        self.assertFalse(self.sandbox.calls(), "nothing asked of a connection that cannot work")
        self.xero_connection.sudo().state = "connected"   # reconnected
        self.handle()
        self.assertEqual(event.state, "done")

    def test_a_contact_changed_in_xero_updates_the_linked_account(self):
        before = len(self.delivered())
        synced_before = datetime(2020, 1, 1)   # long ago: the webhook's update must restamp it
        with self.odoo_side():
            self.customer.xero_link_id.sudo().synced_at = synced_before
            self.env.flush_all()
        self.sandbox.update_contact(self.tenant, self.contact["ContactID"],
                                    EmailAddress="new-address@acme.example")
        self.wait_for_delivery(before, "CONTACT")
        with self.odoo_side():
            self.handle()
            link = self.customer.xero_link_id
            self.assertEqual(link.synced_values["EmailAddress"], "new-address@acme.example")
            self.assertGreater(link.synced_at, synced_before, "when Odoo last read it")
            self.assertTrue(self.customer.xero_stats_refreshed_at)
