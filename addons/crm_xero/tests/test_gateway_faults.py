"""What a caller sees when Xero is busy, failing, slow, or unreachable: the
gateway retries what is safe to retry, waits only when the wait is short, and
otherwise fails fast with a message a salesperson can read.

Waits are never slept: the pacer runs on a fake clock (``self.clock.waits``
is what it waited) and the gateway's backoff goes to ``self.sleeps``.  Only
the timeout tests spend real time: the (short) timeout itself, then the wait
for the sandbox to log the answer it sent too late.
"""

import socket
import time
import uuid

from odoo.tests import tagged

from ..xero import limits
from ..xero.endpoints import XeroEndpoints
from ..xero.errors import XeroError, XeroRateLimited, XeroUnavailable
from .test_gateway import JSON, GatewaySandboxCase, StubXero


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FaultCase(GatewaySandboxCase):

    def fault(self, **faults):
        self.sandbox.set_faults(tenant_id=self.tenant_id, **faults)

    def statuses(self):
        """The status of every Accounting API call the sandbox answered."""
        return [c["status"] for c in self.api_calls()]

    def invoice(self, **values):
        return dict({"Type": "ACCREC", "Contact": {"ContactID": self.contact["ContactID"]},
                     "LineItems": [self.sale_line(Quantity=1, UnitAmount=99.0)]}, **values)

    def held_invoices(self):
        return self.sandbox.invoices(self.tenant_id, contact_id=self.contact["ContactID"])

    def wait_for_calls(self, count, timeout=15):
        """The sandbox logs a call once it has answered it, which for a call the
        gateway gave up on (a timeout) happens later: wait for the log."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.api_calls()
            if len(calls) >= count or time.monotonic() > deadline:
                return calls
            time.sleep(0.05)


@tagged("crm_xero")
class TestRateLimits(FaultCase):

    def test_short_retry_after_is_waited_then_the_call_succeeds(self):
        gateway = self.gateway()
        self.fault(rate_limit_every=2, retry_after=1)
        gateway.get_organisation()                 # 1st call since the fault: answered
        accounts = gateway.get_accounts()          # 2nd: 429, then retried
        self.assertTrue(accounts)
        self.assertEqual(self.statuses(), [200, 429, 200])
        self.assertEqual(self.clock.waits, [1.0])  # the pacer held the retry 1 s
        self.assertEqual(self.sleeps, [0.0])       # and the gateway itself did not sleep

    def test_long_retry_after_fails_at_once_with_a_readable_message(self):
        gateway = self.gateway(max_wait=10)
        self.fault(rate_limit_every=1, retry_after=40)
        with self.assertRaises(XeroRateLimited) as caught:
            gateway.get_contacts()
        error = caught.exception
        self.assertEqual((error.retry_after, error.problem, error.reason),
                         (40, "minute", "rate_limited"))
        self.assertEqual(str(error), "Xero is busy right now (rate limit reached); try again "
                                     "in 40 seconds.")
        self.assertEqual(self.statuses(), [429])
        self.assertEqual((self.clock.waits, self.sleeps), ([], []))
        # the pacer remembers: the next call for this organisation fails fast
        # too, without asking Xero again
        with self.assertRaises(XeroRateLimited) as caught:
            gateway.get_organisation()
        self.assertEqual(caught.exception.retry_after, 40)
        self.assertIn("local pacer", caught.exception.detail)
        self.assertEqual(self.statuses(), [429])
        # other organisations are not held back
        both = self.sandbox.connect(tenant_ids=[self.tenant_id, self.second_org["tenant_id"]])
        self.gateway(access_token=both["access_token"],
                     tenant_id=self.second_org["tenant_id"]).get_organisation()
        self.assertEqual(self.statuses(), [429, 200])

    def test_waits_for_retry_after_add_up_to_max_wait(self):
        gateway = self.gateway(max_wait=10)
        self.fault(rate_limit_every=1, retry_after=4)
        with self.assertRaises(XeroRateLimited) as caught:
            gateway.get_currencies()
        self.assertEqual(caught.exception.retry_after, 4)
        self.assertEqual(self.statuses(), [429, 429, 429])    # a third wait would pass 10 s
        self.assertEqual(self.clock.waits, [4.0, 4.0])

    def test_a_call_is_retried_after_429_a_bounded_number_of_times(self):
        gateway = self.gateway(max_wait=60)
        self.fault(rate_limit_every=1, retry_after=1)
        with self.assertRaises(XeroRateLimited):
            gateway.get_currencies()
        self.assertEqual(self.statuses(), [429] * (1 + limits.MAX_RATE_LIMIT_RETRIES))
        self.assertEqual(self.clock.waits, [1.0] * limits.MAX_RATE_LIMIT_RETRIES)

    def test_a_spent_daily_allowance_is_never_waited_for(self):
        gateway = self.gateway(priority="background")       # even with 90 s to spare
        self.fault(day_limit=1)
        gateway.get_organisation()
        with self.assertRaises(XeroRateLimited) as caught:
            gateway.get_currencies()
        error = caught.exception
        self.assertEqual(error.problem, "day")
        self.assertGreater(error.retry_after, 3600)
        self.assertIn("used up its daily allowance", str(error))
        self.assertEqual(self.statuses(), [200, 429])
        self.assertEqual(self.clock.waits, [])
        self.assertEqual(self.pacer.snapshot(self.tenant_id)["blocked_for"], error.retry_after)

    def test_the_daily_allowance_is_not_waited_for_even_when_it_resets_soon(self):
        stub = StubXero(self, [(429, {"Retry-After": "5", "X-Rate-Limit-Problem": "day"},
                                b"{}")])
        gateway = self.gateway(endpoints=stub.endpoints, priority="background")
        with self.assertRaises(XeroRateLimited) as caught:
            gateway.get_organisation()
        self.assertEqual((caught.exception.problem, caught.exception.retry_after), ("day", 5))
        self.assertEqual((len(stub.requests), self.clock.waits), (1, []))
        self.assertEqual(self.pacer.snapshot(self.tenant_id)["blocked_for"], 5)

    def test_xeros_own_minute_count_is_respected_from_its_headers(self):
        """Xero's minute budget is nearly spent elsewhere (its X-MinLimit-Remaining
        says so): the pacer holds the call back instead of earning a 429."""
        self.fault(minute_limit=3)
        gateway = self.gateway()
        gateway.get_organisation()          # Xero: 2 left, so 58 of its 60 are spent
        self.assertEqual(self.pacer.snapshot(self.tenant_id)["calls_in_window"], 58)
        gateway.get_currencies()            # the 59th: the last our safety margin allows
        with self.assertRaises(XeroRateLimited) as caught:
            gateway.get_tax_rates()         # a button does not wait a minute
        self.assertEqual((caught.exception.problem, caught.exception.retry_after),
                         ("minute", 60))
        self.assertEqual(self.statuses(), [200, 200])
        self.gateway(priority="background").get_tax_rates()    # background work waits
        self.assertEqual(self.clock.waits, [60.0])
        self.assertEqual(self.statuses(), [200, 200, 200])


@tagged("crm_xero")
class TestServerErrors(FaultCase):

    def setUp(self):
        super().setUp()
        self.contact = self.accountant_contact()

    def test_transient_5xx_is_retried_with_backoff(self):
        gateway = self.gateway(max_retries=3, backoff_base=0.5)
        self.fault(error_next=2, error_status=503)
        organisation = gateway.get_organisation()
        self.assertEqual(organisation["Name"], self.org["name"])
        self.assertEqual(self.statuses(), [503, 503, 200])
        self.assertEqual(self.jitter_ranges, [(0.25, 0.5), (0.5, 1.0)])
        self.assertEqual(self.sleeps, [0.5, 1.0])

    def test_backoff_is_capped(self):
        gateway = self.gateway(max_retries=4, backoff_base=2, backoff_max=5)
        self.fault(error_next=4, error_status=502)
        gateway.get_currencies()
        self.assertEqual(self.jitter_ranges, [(1.0, 2), (2.0, 4), (2.5, 5), (2.5, 5)])
        self.assertEqual(self.sleeps, [2, 4, 5, 5])

    def test_persistent_5xx_is_unavailable(self):
        gateway = self.gateway(max_retries=2)
        self.fault(error_next=10, error_status=500)
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.get_accounts()
        error = caught.exception
        self.assertEqual((error.status, error.reason, error.maybe_committed),
                         (500, "unavailable", False))
        self.assertEqual(str(error), "Xero is having a problem on its side (error 500); try "
                                     "again in a few minutes.")
        self.assertEqual(self.statuses(), [500, 500, 500])      # first try + 2 retries
        self.assertEqual(len(self.sleeps), 2)

    def test_a_write_failing_on_xeros_side_may_have_been_saved(self):
        gateway = self.gateway(max_retries=1)
        self.fault(error_next=5, error_status=500)
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.create_contacts([{"Name": "Flaky Ltd"}], idempotency_key="odoo-flaky-1")
        error = caught.exception
        self.assertEqual((error.reason, error.maybe_committed, error.idempotency_key),
                         ("unconfirmed", True, "odoo-flaky-1"))
        self.assertIn("may have been saved", str(error))
        puts = [c for c in self.api_calls() if c["method"] == "PUT"]
        self.assertEqual([(c["status"], c["idempotency_key"]) for c in puts],
                         [(500, "odoo-flaky-1")] * 2)
        self.assertEqual(self.sandbox.contacts(self.tenant_id, name="Flaky Ltd"), [])

    def test_a_503_on_a_write_was_not_taken(self):
        gateway = self.gateway(max_retries=0)
        self.fault(error_next=1, error_status=503)
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.create_contacts([{"Name": "Refused Ltd"}])
        self.assertEqual((caught.exception.reason, caught.exception.maybe_committed),
                         ("unavailable", False))
        self.assertTrue(caught.exception.idempotency_key)
        self.assertEqual(self.sandbox.contacts(self.tenant_id, name="Refused Ltd"), [])
        created = gateway.create_contacts([{"Name": "Refused Ltd"}])[0]
        self.assertEqual([c["ContactID"] for c in
                          self.sandbox.contacts(self.tenant_id, name="Refused Ltd")],
                         [created["ContactID"]])

    def test_xeros_retry_after_on_a_5xx_is_honoured(self):
        stub = StubXero(self, [(503, {"Retry-After": "3"}, b"{}"),
                               (200, JSON, b'{"Organisations": [{"Name": "Stub Org"}]}')])
        gateway = self.gateway(endpoints=stub.endpoints, max_retries=2)
        self.assertEqual(gateway.get_organisation()["Name"], "Stub Org")
        self.assertEqual(self.sleeps, [3])
        self.assertEqual(self.jitter_ranges, [])                 # Xero's wait, not ours
        self.assertEqual([r["headers"]["xero-tenant-id"] for r in stub.requests],
                         [self.tenant_id] * 2)

    def test_a_retry_after_longer_than_max_wait_fails_at_once(self):
        stub = StubXero(self, [(503, {"Retry-After": "300"}, b"{}")])
        with self.assertRaises(XeroUnavailable) as caught:
            self.gateway(endpoints=stub.endpoints, max_retries=2).get_organisation()
        self.assertEqual((caught.exception.status, caught.exception.retry_after), (503, 300))
        self.assertEqual((len(stub.requests), self.sleeps), (1, []))

    def test_an_unreadable_answer_is_an_error_not_a_crash(self):
        stub = StubXero(self, [(200, JSON, b"<html>maintenance</html>")])
        with self.assertRaises(XeroError) as caught:
            self.gateway(endpoints=stub.endpoints).get_organisation()
        self.assertIs(type(caught.exception), XeroError)
        self.assertEqual(str(caught.exception), "Xero sent an answer Odoo could not read; try "
                                                "again later.")
        self.assertIn("unreadable answer", caught.exception.detail)
        self.assertEqual((len(stub.requests), self.sleeps), (1, []))   # not retried

    def test_an_unreadable_contacts_page_is_the_same_error(self):
        # Contacts pages are read as plain JSON (no SDK models): same message.
        for body in (b"<html>maintenance</html>", b"[]"):
            stub = StubXero(self, [(200, JSON, body)])
            with self.assertRaises(XeroError) as caught:
                self.gateway(endpoints=stub.endpoints).get_contacts(page=1, page_size=1000)
            self.assertIs(type(caught.exception), XeroError)
            self.assertEqual(str(caught.exception), "Xero sent an answer Odoo could not read; "
                                                    "try again later.")
            self.assertIn("GET /Contacts: unreadable answer", caught.exception.detail)
            self.assertEqual(len(stub.requests), 1)


@tagged("crm_xero")
class TestLostAnswers(FaultCase):

    def setUp(self):
        super().setUp()
        self.contact = self.accountant_contact()

    def test_lost_answer_to_create_invoice_is_replayed_not_duplicated(self):
        gateway = self.gateway(max_retries=0)
        self.fault(drop_after_commit_next=1)
        key = "odoo-lead-7-" + uuid.uuid4().hex
        # the caller's first attempt: Xero saves the invoice, the answer is lost
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.create_invoice(self.invoice(), idempotency_key=key)
        error = caught.exception
        self.assertEqual((error.reason, error.maybe_committed, error.idempotency_key),
                         ("unconfirmed", True, key))
        self.assertIn("may have been saved", str(error))
        saved = self.held_invoices()
        self.assertEqual(len(saved), 1)
        # the caller retries with the same key: Xero replays its first answer
        replayed = gateway.create_invoice(self.invoice(), idempotency_key=key)
        self.assertEqual(replayed["InvoiceID"], saved[0]["InvoiceID"])
        self.assertEqual([i["InvoiceID"] for i in self.held_invoices()], [replayed["InvoiceID"]])

    def test_gateway_retries_a_lost_write_itself_with_the_same_key(self):
        gateway = self.gateway(max_retries=2)
        self.fault(drop_after_commit_next=2)     # the first replay is lost as well
        created = gateway.create_invoice(self.invoice())
        self.assertEqual([i["InvoiceID"] for i in self.held_invoices()], [created["InvoiceID"]])
        puts = [c for c in self.api_calls() if c["operation"] == "PUT /Invoices"]
        self.assertEqual(len(puts), 3)
        self.assertEqual(len({c["idempotency_key"] for c in puts}), 1)
        self.assertEqual(len(self.sleeps), 2)

    def test_a_hung_write_times_out_and_its_retry_is_replayed(self):
        gateway = self.gateway(timeout=0.3, max_retries=1)
        self.fault(hang_after_commit_next=1, hang_seconds=1)
        created = gateway.create_invoice(self.invoice(Reference="hung"))
        self.assertEqual([i["InvoiceID"] for i in self.held_invoices()], [created["InvoiceID"]])
        self.assertEqual(created["Reference"], "hung")
        self.assertEqual(len(self.sleeps), 1)
        calls = self.wait_for_calls(2)
        self.assertEqual([c["operation"] for c in calls], ["PUT /Invoices"] * 2)
        self.assertEqual(len({c["idempotency_key"] for c in calls}), 1)

    def test_a_lost_read_is_retried(self):
        stub = StubXero(self, [(None, {}, b""),
                               (200, JSON, b'{"Organisations": [{"Name": "Stub Org"}]}')])
        gateway = self.gateway(endpoints=stub.endpoints, max_retries=1)
        self.assertEqual(gateway.get_organisation()["Name"], "Stub Org")
        self.assertEqual([r["path"] for r in stub.requests], ["/api.xro/2.0/Organisation"] * 2)
        self.assertEqual(len(self.sleeps), 1)


@tagged("crm_xero")
class TestNoAnswer(FaultCase):

    def test_refused_connection_is_unavailable_with_a_readable_message(self):
        endpoints = XeroEndpoints.local("https://127.0.0.1:%d" % _closed_port())
        gateway = self.gateway(endpoints=endpoints, max_retries=1)
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.get_organisation()
        error = caught.exception
        self.assertEqual((error.reason, error.maybe_committed), ("unavailable", False))
        self.assertIn("Xero could not be reached (connection failed)", str(error))
        self.assertIn("refused", error.detail.lower())
        self.assertEqual(len(self.sleeps), 1)                       # retried once
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.create_contacts([{"Name": "Nobody"}])
        self.assertFalse(caught.exception.maybe_committed)          # never sent

    def test_slow_answer_times_out(self):
        gateway = self.gateway(timeout=0.3, max_retries=0)
        self.fault(delay=1)
        with self.assertRaises(XeroUnavailable) as caught:
            gateway.get_organisation()
        error = caught.exception
        self.assertEqual((error.reason, error.maybe_committed), ("unavailable", False))
        self.assertEqual(str(error), "Xero did not answer in time; try again in a few minutes.")
        self.assertEqual(self.sleeps, [])
        # Xero did answer, too late, and was asked once
        self.assertEqual([c["operation"] for c in self.wait_for_calls(1)], ["GET /Organisation"])
