"""The import reads ahead: Xero answers page N+1 while Odoo writes page N,
with at most 2 calls in flight per organisation; a read's failure stops the
run where it is, and the next pass resumes there without duplicates; runs
of several companies take turns, a page each, in the same pass.

The sandbox is made slow (its latency switch) where overlap is the point;
spies note what Xero had been asked when a page was being written.
"""
import re
import threading
import time
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from ..models.xero_import_run import READ_AHEAD
from ..xero.errors import XeroRateLimited
from ..xero.gateway import ReadAhead
from ..xero.pacing import DEFAULT_PACER
from .test_import import XeroImportCase

WAIT = 10   # bounds a broken run; a passing one never waits this long


def _page(call):
    found = re.search(r"(?:^|&)page=(\d+)", call.get("query") or "")
    return int(found.group(1)) if found else None


@tagged("post_install", "-at_install", "crm_xero")
class TestImportReadsAhead(XeroImportCase):
    seed_contacts = 30

    def slow_xero(self, per_call=0.2):
        self.sandbox._call("POST", "latency", json={"per_call": per_call, "per_item": 0})
        self.addCleanup(self.sandbox._call, "POST", "latency",
                        json={"per_call": 0, "per_item": 0})

    def pages_asked(self):
        return {_page(c) for c in self.contact_list_calls()} - {None}

    def queue(self, page_size=10, connection=None):
        return self.Run._xero_queue(connection or self.xero_connection,
                                    archived_mode="archive", page_size=page_size)

    def test_the_next_page_is_read_while_this_one_is_written(self):
        self.slow_xero()
        total = len(self.xero_contacts())
        pages = -(-total // 10)
        apply = type(self.Run)._xero_apply
        asked_while_writing = {}

        def writing(run, contacts):
            # Page N is being written (not committed): has Xero been asked for N+1?
            page = run.next_page
            deadline = time.monotonic() + WAIT
            while page < pages and page + 1 not in self.pages_asked() \
                    and time.monotonic() < deadline:
                time.sleep(0.02)
            asked_while_writing[page] = set(self.pages_asked())
            return apply(run, contacts)
        run = self.queue()
        self.sandbox.clear_calls()
        with patch.object(type(self.Run), "_xero_apply", writing):
            self.Run._xero_cron_import()
        self.assertEqual((run.state, run.created), ("done", total))
        for page in range(1, pages):
            self.assertIn(page + 1, asked_while_writing[page],
                          "page %s read while page %s was written" % (page + 1, page))
        self.assertEqual(len(self.contact_list_calls()), pages, "each page read once")

    def test_at_most_two_calls_in_flight_for_the_organisation(self):
        self.slow_xero(0.1)
        in_flight, peak, lock = [0], [0], threading.Lock()
        acquire, release = DEFAULT_PACER.acquire, DEFAULT_PACER.release

        def counted_acquire(tenant_id, *args, **kwargs):
            acquire(tenant_id, *args, **kwargs)
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])

        def counted_release(tenant_id, *args, **kwargs):
            with lock:
                in_flight[0] -= 1
            return release(tenant_id, *args, **kwargs)
        run = self.queue(page_size=5)
        with patch.object(DEFAULT_PACER, "acquire", counted_acquire), \
                patch.object(DEFAULT_PACER, "release", counted_release):
            self.Run._xero_cron_import()
        self.assertEqual(run.state, "done")
        self.assertGreaterEqual(peak[0], 1)
        self.assertLessEqual(peak[0], 2)
        self.assertLessEqual(READ_AHEAD, 2)
        pages = [_page(c) for c in self.contact_list_calls()]
        self.assertEqual(pages, sorted(pages), "an organisation's pages reach Xero in order")

    def test_a_read_ahead_refused_stops_the_run_at_its_page_then_resumes_there(self):
        contacts = self.xero_contacts()
        run = self.queue()
        # Xero answers page 1, then refuses (page 2, read ahead) for longer
        # than a background call waits.
        self.sandbox.set_faults(rate_limit_every=2, retry_after=300)
        self.Run._xero_cron_import()
        self.assertEqual((run.state, run.next_page, run.attempts), ("running", 2, 1))
        self.assertIn("Xero", run.last_error)
        self.assertEqual(len(self.links()), 10, "page 1 is kept")

        self.sandbox.clear_faults()
        DEFAULT_PACER.reset()
        self.Run._xero_cron_import()
        self.assertEqual((run.state, run.created), ("done", len(contacts)))
        self.assertEqual(sorted(self.links().mapped("contact_id")),
                         sorted(c["ContactID"] for c in contacts))

    def test_a_page_that_fails_to_write_drops_what_was_read_ahead_and_is_done_again(self):
        contacts = self.xero_contacts()
        apply = type(self.Run)._xero_apply
        failed = []

        def failing_once(run, contacts):
            if run.next_page == 2 and not failed:
                failed.append(2)
                apply(run, contacts)   # written, then the page fails: all of it undone
                raise RuntimeError("the worker died on page 2")
            return apply(run, contacts)
        run = self.queue()
        self.sandbox.clear_calls()
        with patch.object(type(self.Run), "_xero_apply", failing_once), \
                self.assertLogs("odoo.addons.crm_xero.models.xero_import_run", "ERROR"):
            self.Run._xero_cron_import()
        self.assertEqual((run.state, run.next_page, len(self.links())), ("running", 2, 10))
        self.Run._xero_cron_import()
        self.assertEqual((run.state, run.created), ("done", len(contacts)))
        self.assertEqual(len(self.links()), len(contacts), "no duplicates")
        self.assertEqual(self.env["res.partner"].with_context(active_test=False).search_count(
            [("parent_id", "=", False), ("xero_link_ids.connection_id", "=",
                                         self.xero_connection.id)]), len(contacts))

    def test_the_preview_reads_each_page_once_and_says_what_the_import_does(self):
        self.slow_xero(0.1)
        total = len(self.xero_contacts())
        self.sandbox.clear_calls()
        counts, _named, partial = self.xero_connection._xero_import_preview(
            archived_mode="archive", page_size=10)
        self.assertIsNone(partial, "read whole")
        self.assertEqual(sorted(_page(c) for c in self.contact_list_calls()),
                         list(range(1, -(-total // 10) + 1)))
        run = self.queue()
        self.Run._xero_cron_import()
        self.assertEqual((counts["create"], run.created), (total, total))


@tagged("post_install", "-at_install", "crm_xero")
class TestImportTurns(XeroImportCase):
    """Two companies, each with its own organisation, import in the same pass."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B (turns)",
                                                       "currency_id": cls.env.ref("base.GBP").id})
        cls.env.ref("base.user_admin").company_ids |= cls.company_b

    def test_every_organisation_moves_on_in_the_same_pass(self):
        connection_b = self.connect(company=self.company_b,
                                    tenant_ids=[self.second_org["tenant_id"]])
        runs = [self.Run._xero_queue(c, archived_mode="archive", page_size=3)
                for c in (self.xero_connection, connection_b)]
        order = []
        step = type(self.Run)._xero_import_pass_step

        def noted(run, *args, **kwargs):
            order.append(run.connection_id.id)
            return step(run, *args, **kwargs)
        with patch.object(type(self.Run), "_xero_import_pass_step", noted):
            self.Run._xero_cron_import()
        self.assertEqual([r.state for r in runs], ["done", "done"])
        both = min(order.count(self.xero_connection.id), order.count(connection_b.id))
        self.assertGreaterEqual(both, 2)
        self.assertEqual(order[:2 * both], [self.xero_connection.id, connection_b.id] * both,
                         "a page each, in turn, while both have pages")
        for run, tenant in zip(runs, (self.tenant, self.second_org["tenant_id"])):
            self.assertEqual(run.created, len(self.xero_contacts(tenant=tenant)))


@tagged("crm_xero")
class TestReadAhead(BaseCase):
    """The worker threads behind the import's reads ahead (no Xero needed)."""

    def test_a_reads_error_is_raised_where_its_answer_is_taken(self):
        def refused(_gateway):
            raise XeroRateLimited(retry_after=300, problem="minute")
        with ReadAhead() as reader:
            reader.start("page 2", None, refused)
            with self.assertRaises(XeroRateLimited):
                reader.take("page 2")
            self.assertEqual(reader.take("page 2"), (False, None), "taken once")
            self.assertEqual(reader.take("never started"), (False, None))

    def test_reads_after_another_wait_for_it_and_close_waits_for_running_ones(self):
        done, gate, started = [], threading.Event(), threading.Event()

        def read(name, wait=False):
            def run(_gateway):
                started.set()
                if wait:
                    self.assertTrue(gate.wait(WAIT))
                done.append(name)
                return name
            return run
        with ReadAhead(workers=2) as reader:
            reader.start("a", None, read("a", wait=True))
            reader.start("b", None, read("b"), after="a")
            time.sleep(0.05)
            self.assertEqual(done, [], "b waits for a")
            gate.set()
            self.assertEqual(reader.take("b"), (True, "b"))
            self.assertEqual(done, ["a", "b"])
            gate.clear()
            started.clear()
            reader.start("c", None, read("c", wait=True))
            self.assertTrue(started.wait(WAIT))
            threading.Timer(0.1, gate.set).start()
        self.assertEqual(done, ["a", "b", "c"], "closing waits for a read under way")
