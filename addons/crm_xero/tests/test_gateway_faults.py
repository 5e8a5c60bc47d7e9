"""What a caller sees when Xero is busy, failing, slow, or unreachable: the
gateway retries what is safe to retry, waits only when the wait is short, and
otherwise fails fast with a message a salesperson can read."""

import socket
import time
import uuid

from odoo.tests import tagged

from ..xero.errors import XeroRateLimited, XeroUnavailable
from ..xero.gateway import XeroGateway
from ..xero.oauth import XeroEndpoints
from .test_gateway import GatewaySandboxCase


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("crm_xero")
class TestGatewayFaults(GatewaySandboxCase):

    def stats_calls(self, operation=None):
        stats = self.sandbox.stats()
        if operation is None:
            return stats["api_calls"]
        return stats["by_operation"].get(operation, 0)

    def fault(self, **faults):
        self.sandbox.set_faults(tenant_id=self.tenant_id, **faults)

    def test_short_retry_after_is_waited_then_the_call_succeeds(self):
        gateway = self.gateway()
        self.fault(rate_limit_every=2, retry_after=1)
        gateway.get_organisation()  # 1st call since the fault: answered
        before = self.stats_calls()
        start = time.monotonic()
        accounts = gateway.get_accounts()  # 2nd call since the fault: 429, then retried
        elapsed = time.monotonic() - start
        self.assertTrue(accounts)
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 5)
        self.assertEqual(self.stats_calls() - before, 2)  # the 429 and the retry
        statuses = [c.get("status") for c in self.api_calls()[-2:]]
        self.assertEqual(statuses, [429, 200])

    def test_long_retry_after_fails_at_once_with_a_readable_message(self):
        gateway = self.gateway(max_wait=10)
        self.fault(rate_limit_every=1, retry_after=40)
        before = self.stats_calls()
        start = time.monotonic()
        with self.assertRaises(XeroRateLimited) as caught:
            gateway.get_contacts()
        self.assertLess(time.monotonic() - start, 2)
        error = caught.exception
        self.assertEqual(error.retry_after, 40)
        self.assertEqual(error.problem, "minute")
        self.assertEqual(
            str(error), "Xero is busy right now (rate limit reached); try again in 40 seconds.")
        self.assertEqual(self.stats_calls() - before, 1)
        # the pacer remembers: the next call for this tenant fails fast too,
        # without hitting Xero again
        with self.assertRaises(XeroRateLimited):
            gateway.get_organisation()
        self.assertEqual(self.stats_calls() - before, 1)

    def test_transient_5xx_is_retried_with_backoff(self):
        gateway = self.gateway(max_retries=3, backoff_base=0.05)
        self.fault(error_next=2, error_status=503)
        before = self.stats_calls()
        organisation = gateway.get_organisation()
        self.assertEqual(organisation["Name"], self.org["name"])
        self.assertEqual(self.stats_calls() - before, 3)
        self.assertEqual([c.get("status") for c in self.api_calls()[-3:]], [503, 503, 200])

    def test_persistent_5xx_is_unavailable(self):
        gateway = self.gateway(max_retries=2, backoff_base=0.05)
        self.fault(error_next=10, error_status=500)
        before = self.stats_calls()
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.get_accounts()
        error = caught.exception
        self.assertEqual(error.status, 500)
        self.assertFalse(error.maybe_committed)
        self.assertIn("try again", str(error))
        self.assertEqual(self.stats_calls() - before, 3)  # first try + 2 retries

    def test_lost_answer_to_create_invoice_is_replayed_not_duplicated(self):
        gateway = self.gateway()
        contact = self.new_contact(gateway)
        invoice = {"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]},
                   "LineItems": [{"Description": "Widget", "Quantity": 1,
                                  "UnitAmount": 99.0, "AccountCode": "200"}]}
        # The caller's first attempt: Xero saves the invoice, the answer is lost.
        self.fault(drop_after_commit_next=1)
        key = "odoo-lead-7-" + uuid.uuid4().hex
        with self.assertRaises(XeroUnavailable) as caught:
            self.gateway(max_retries=0).create_invoice(invoice, idempotency_key=key)
        self.assertTrue(caught.exception.maybe_committed)
        self.assertEqual(caught.exception.idempotency_key, key)
        self.assertIn("may have been saved", str(caught.exception))
        # The caller retries with the same key: Xero replays, no duplicate.
        replayed = gateway.create_invoice(invoice, idempotency_key=key)
        stored = self.raw_json("/Invoices", params={"ContactIDs": contact["ContactID"]})
        self.assertEqual([i["InvoiceID"] for i in stored["Invoices"]], [replayed["InvoiceID"]])

    def test_gateway_retries_a_lost_write_itself_with_the_same_key(self):
        gateway = self.gateway(max_retries=2, backoff_base=0.05)
        contact = self.new_contact(gateway)
        self.fault(drop_after_commit_next=1)
        created = gateway.create_invoice({
            "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]},
            "LineItems": [{"Description": "Widget", "Quantity": 1, "UnitAmount": 10.0,
                           "AccountCode": "200"}]})
        stored = self.raw_json("/Invoices", params={"ContactIDs": contact["ContactID"]})
        self.assertEqual([i["InvoiceID"] for i in stored["Invoices"]], [created["InvoiceID"]])
        puts = [c for c in self.api_calls() if c["method"] == "PUT" and "Invoices" in c["path"]]
        self.assertEqual(len(puts), 2)
        self.assertEqual(puts[0].get("idempotency_key"), puts[1].get("idempotency_key"))

    def test_refused_connection_is_unavailable_with_a_readable_message(self):
        endpoints = XeroEndpoints.single("http://127.0.0.1:%d" % _closed_port())
        gateway = XeroGateway(endpoints, self.access_token, self.tenant_id,
                              pacer=self.pacer, max_retries=1, backoff_base=0.05)
        start = time.monotonic()
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.get_organisation()
        self.assertLess(time.monotonic() - start, 3)
        error = caught.exception
        self.assertIn("Xero could not be reached", str(error))
        self.assertIn("refused", error.detail.lower())
        self.assertFalse(error.maybe_committed)
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.create_contacts([{"Name": "Nobody"}])
        self.assertFalse(caught.exception.maybe_committed)  # never sent

    def test_slow_answer_times_out(self):
        gateway = self.gateway(timeout=0.5, max_retries=0)
        self.fault(delay=2)
        start = time.monotonic()
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.get_organisation()
        self.assertLess(time.monotonic() - start, 1.8)
        self.assertIn("did not answer in time", str(caught.exception))
