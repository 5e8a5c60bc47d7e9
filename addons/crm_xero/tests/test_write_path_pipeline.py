"""Quotes and invoices in parts, exactly once, on committed transactions.

As test_write_path.py does for the first invoice: each button clicked as a
salesperson (Own Documents Only, no email) and as an administrator; after
Xero accepted the write, the failures of life are injected (the chatter
refusing, a serialization failure Odoo retries, a dropped connection, a
killed worker, an Idempotency-Key Xero forgot), the button clicked again,
and both sides checked: one quote, or one invoice per part, in Xero, linked
in Odoo, the deal never invoiced beyond its total.
"""
import threading
from unittest.mock import patch

from odoo.addons.mail.models.mail_thread import MailThread
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.xero_invoice_link import XeroInvoiceLink
from ..models.xero_quote_link import XeroQuoteLink
from .test_write_path import (
    USERS,
    InvoiceWritePathCase,
    WorkerKilled,
    _chatter_refuses,
    _conflict_once,
)


class _Dropped:
    """Xero saves the next writes and every answer is lost on the way."""

    def __init__(self, sandbox):
        self.sandbox = sandbox

    def __enter__(self):
        self.sandbox.set_faults(drop_after_commit_next=5)

    def __exit__(self, *exc):
        self.sandbox.clear_faults()


class PipelineWritePathCase(InvoiceWritePathCase):

    def create_quote(self, user, lead_id):
        action, error = self.click(user, "crm.lead", [lead_id], "action_xero_create_quote")
        if error:
            return None, error
        return self.click(user, "xero.invoice.wizard", [action["res_id"]], "action_create")

    def create_part(self, user, lead_id, **values):
        """Create Draft Invoice on Xero for a part: ``part="part"`` with
        ``part_percent`` or ``part_amount``, or ``part="rest"``."""
        action, error = self.click(user, "crm.lead", [lead_id], "action_xero_create_invoice")
        if error:
            return None, error
        _ok, error = self.click(user, "xero.invoice.wizard", [action["res_id"]], "write", values)
        self.assertIsNone(error)
        return self.click(user, "xero.invoice.wizard", [action["res_id"]], "action_create")

    def xero_quotes_of(self, contact_id):
        return [q for q in self.sandbox.quotes(self.tenant, contact_id=contact_id)
                if q["Status"] != "DELETED"]

    def quote_link(self, lead_id):
        with self.committed_env() as env:
            lead = env["crm.lead"].browse(lead_id)
            return {"quote_id": lead.xero_quote_id, "number": lead.xero_quote_number,
                    "status": lead.xero_quote_status}

    def parts(self, lead_id):
        with self.committed_env() as env:
            links = env["crm.lead"].browse(lead_id).xero_invoice_link_ids.sorted("sequence")
            return [{"invoice_id": l.invoice_id, "kind": l.part_kind, "amount": l.lines_amount,
                     "status": l.status} for l in links]


@tagged("post_install", "-at_install", "crm_xero")
class TestQuoteExactlyOnce(PipelineWritePathCase):

    def check_one_quote_after(self, user, failure, seen=None):
        """Create Quote with ``failure`` injected, Xero accepting the quote;
        if the user saw an error, click again: one quote, linked."""
        lead = self.new_opportunity(user)
        with failure:
            result, error = self.create_quote(user, lead)
        self.assertEqual(len(self.xero_quotes_of(self.contact_id)), 1,
                         "Xero accepted the quote before the failure")
        if seen is None:
            self.assertIsNone(error, error)
        else:
            self.assertIsInstance(error, seen)
            self.assertFalse(self.quote_link(lead)["quote_id"], "Odoo lost the answer")
            result, error = self.create_quote(user, lead)
        self.assertIsNone(error, error)
        [quote] = self.xero_quotes_of(self.contact_id)
        mine = self.quote_link(lead)
        self.assertEqual(mine["quote_id"], quote["QuoteID"], "linked in Odoo")
        self.assertEqual(mine["status"], "DRAFT")
        self.assertIn(mine["number"], result["params"]["message"])
        return lead, quote

    def test_a_salesperson_without_email_creates_one_quote(self):
        lead = self.new_opportunity("salesman")
        result, error = self.create_quote("salesman", lead)
        self.assertIsNone(error)
        self.assertEqual(result["params"]["type"], "success")
        [quote] = self.xero_quotes_of(self.contact_id)
        self.assertEqual(self.quote_link(lead)["quote_id"], quote["QuoteID"])
        self.assertEqual((quote["SubTotal"], quote["Status"]), (1000, "DRAFT"))

    def test_chatter_refusing_never_makes_a_second_quote(self):
        for user in USERS:
            with self.subTest(user=user):
                self.check_one_quote_after(
                    user, patch.object(MailThread, "_message_log", _chatter_refuses))
                self.fresh_account()
                self.export("admin")
                self.contact_id = self.contact_link()["contact_id"]

    def test_killed_worker_never_makes_a_second_quote(self):
        for user in USERS:
            with self.subTest(user=user):
                self.check_one_quote_after(user, self.kill_after("create_quote"),
                                           seen=WorkerKilled)
                self.fresh_account()
                self.export("admin")
                self.contact_id = self.contact_link()["contact_id"]

    def test_serialization_failure_never_makes_a_second_quote(self):
        conflict = _conflict_once(XeroQuoteLink._xero_apply_write, self.serialization_failure())
        self.check_one_quote_after("salesman", patch.object(
            XeroQuoteLink, "_xero_apply_write", conflict))
        self.assertEqual(len(conflict.failures), 1, "it failed once; Odoo retried")
        puts = [c for c in self.sandbox.calls() if c["operation"] == "PUT /Quotes"]
        self.assertEqual(len(puts), 1, "the retry applied the stored answer: no second call")

    def test_dropped_connection_never_makes_a_second_quote(self):
        for user in USERS:
            with self.subTest(user=user):
                self.sandbox.clear_calls()
                self.check_one_quote_after(user, _Dropped(self.sandbox), seen=UserError)
                keys = {c["idempotency_key"] for c in self.sandbox.calls()
                        if c["operation"] == "PUT /Quotes"}
                self.assertEqual(len(keys), 1, "every attempt sent the intent's one key")
                self.fresh_account()
                self.export("admin")
                self.contact_id = self.contact_link()["contact_id"]

    def test_a_quote_whose_key_xero_forgot_is_found_not_made_twice(self):
        lead = self.new_opportunity("admin")
        with _Dropped(self.sandbox):
            _result, error = self.create_quote("admin", lead)
        self.assertIsInstance(error, UserError)
        self.assertGreaterEqual(self.sandbox.forget_idempotency_keys(self.tenant), 1)
        self.sandbox.clear_calls()
        result, error = self.create_quote("admin", lead)
        self.assertIsNone(error, error)
        [quote] = self.xero_quotes_of(self.contact_id)
        self.assertEqual(self.quote_link(lead)["quote_id"], quote["QuoteID"])
        self.assertFalse([c for c in self.sandbox.calls() if c["operation"] == "PUT /Quotes"],
                         "found in Xero by what it holds, and adopted: no second create")

    def test_update_quote_after_a_dropped_answer_then_again_sends_it_once(self):
        for user in USERS:
            with self.subTest(user=user):
                lead = self.new_opportunity(user)
                self.assertIsNone(self.create_quote(user, lead)[1])
                with self.committed_env() as env:
                    env["crm.lead"].browse(lead).expected_revenue = 1750.0
                quote_id = self.quote_link(lead)["quote_id"]
                self.sandbox.clear_calls()
                with _Dropped(self.sandbox):
                    _result, error = self.click(user, "crm.lead", [lead],
                                                "action_xero_update_quote")
                self.assertIsInstance(error, UserError)
                self.assertEqual(self.sandbox.quote(self.tenant, quote_id)["SubTotal"], 1750.0,
                                 "Xero took the update")
                result, error = self.click(user, "crm.lead", [lead], "action_xero_update_quote")
                self.assertIsNone(error, error)
                self.assertEqual(result["params"]["type"], "success")
                with self.committed_env() as env:
                    self.assertEqual(env["crm.lead"].browse(lead).xero_quote_subtotal, 1750.0)
                posts = [c for c in self.sandbox.calls()
                         if c["operation"] == "POST /Quotes/{id}"]
                self.assertEqual(len({c["idempotency_key"] for c in posts}), 1,
                                 "every attempt was the one intent")

    def test_killed_worker_is_finished_by_the_recovery_job(self):
        lead = self.new_opportunity("salesman")
        with self.kill_after("create_quote"):
            _result, error = self.create_quote("salesman", lead)
        self.assertIsInstance(error, WorkerKilled)
        with self.committed_env() as env:
            env.cr.execute("UPDATE xero_write SET create_date = create_date - interval '2 minutes'")
        with self.committed_env() as env:
            env["xero.write"]._xero_cron_settle()
        [quote] = self.xero_quotes_of(self.contact_id)
        self.assertEqual(self.quote_link(lead)["quote_id"], quote["QuoteID"])


    def test_update_quote_killed_then_clicked_again_sends_it_once(self):
        for user in USERS:
            with self.subTest(user=user):
                lead = self.new_opportunity(user)
                self.assertIsNone(self.create_quote(user, lead)[1])
                with self.committed_env() as env:
                    env["crm.lead"].browse(lead).expected_revenue = 1300.0
                quote_id = self.quote_link(lead)["quote_id"]
                self.sandbox.clear_calls()
                with self.kill_after("update_quote"):
                    _result, error = self.click(user, "crm.lead", [lead],
                                                "action_xero_update_quote")
                self.assertIsInstance(error, WorkerKilled)
                result, error = self.click(user, "crm.lead", [lead], "action_xero_update_quote")
                self.assertIsNone(error, error)
                self.assertEqual(result["params"]["type"], "success")
                self.assertEqual(self.sandbox.quote(self.tenant, quote_id)["SubTotal"], 1300.0)
                with self.committed_env() as env:
                    self.assertEqual(env["crm.lead"].browse(lead).xero_quote_subtotal, 1300.0)
                posts = [c for c in self.sandbox.calls()
                         if c["operation"] == "POST /Quotes/{id}"]
                self.assertEqual(len({c["idempotency_key"] for c in posts}), 1,
                                 "the second click settled the one intent")

    def test_refresh_quote_as_the_salesperson_reads_it_once(self):
        lead = self.new_opportunity("salesman")
        self.assertIsNone(self.create_quote("salesman", lead)[1])
        number = self.quote_link(lead)["number"]
        self.sandbox.quote_action(self.tenant, number, "send")
        self.sandbox.quote_action(self.tenant, number, "accept")
        self.sandbox.clear_calls()
        result, error = self.click("salesman", "crm.lead", [lead], "action_xero_refresh_quote")
        self.assertIsNone(error, error)
        self.assertEqual(result["params"]["message"], "Quote %s is Accepted in Xero." % number)
        self.assertEqual(self.quote_link(lead)["status"], "ACCEPTED")
        self.assertEqual([c["operation"] for c in self.sandbox.calls() if c.get("operation")],
                         ["GET /Quotes/{id}"])
        with self.committed_env() as env:
            self.assertTrue(env["crm.lead"].browse(lead).stage_id.is_won)

    def test_deleting_the_opportunity_deletes_its_quote_once_through_failures(self):
        for fault in ("killed", "dropped"):
            with self.subTest(fault=fault):
                lead = self.new_opportunity("admin")
                self.assertIsNone(self.create_quote("admin", lead)[1])
                quote_id = self.quote_link(lead)["quote_id"]
                self.sandbox.clear_calls()
                if fault == "killed":
                    with self.kill_after("delete_quote"):
                        _result, error = self.click("admin", "crm.lead", [lead], "unlink")
                    self.assertIsInstance(error, WorkerKilled)
                else:
                    with _Dropped(self.sandbox):
                        _result, error = self.click("admin", "crm.lead", [lead], "unlink")
                    self.assertIsInstance(error, UserError)
                self.assertEqual(self.sandbox.quote(self.tenant, quote_id)["Status"], "DELETED",
                                 "Xero took the delete")
                with self.committed_env() as env:
                    self.assertTrue(env["crm.lead"].browse(lead).exists(),
                                    "the opportunity stays until the delete is settled")
                _result, error = self.click("admin", "crm.lead", [lead], "unlink")
                self.assertIsNone(error, error)
                with self.committed_env() as env:
                    self.assertFalse(env["crm.lead"].browse(lead).exists())
                    writes = env["xero.write"].sudo().search([
                        ("operation", "=", "quote_delete"), ("target_id", "=", quote_id)])
                    self.assertEqual(writes.mapped("state"), ["done"], "one write, settled")
                posts = [c for c in self.sandbox.calls() if c["operation"] == "POST /Quotes/{id}"]
                self.assertEqual(len({c["idempotency_key"] for c in posts}), 1,
                                 "every attempt was the one delete")
                self.made.remove(("crm.lead", lead))


@tagged("post_install", "-at_install", "crm_xero")
class TestPartsExactlyOnce(PipelineWritePathCase):

    def xero_subtotals(self):
        return sorted(i["SubTotal"] for i in self.xero_invoices_of(self.contact_id))

    def test_deposit_then_final_through_every_failure(self):
        """A deposit and the final invoice, each clicked with a failure after
        Xero accepted it, as each user: one invoice per part, linked."""
        failures = {
            "chatter": lambda: patch.object(MailThread, "_message_log", _chatter_refuses),
            "killed": lambda: self.kill_after("create_invoice"),
            "dropped": lambda: _Dropped(self.sandbox),
        }
        seen = {"chatter": None, "killed": WorkerKilled, "dropped": UserError}
        for user in USERS:
            for name, failure in failures.items():
                with self.subTest(user=user, failure=name):
                    lead = self.new_opportunity(user)
                    for values, subtotal in (({"part": "part", "part_percent": 30.0}, 300),
                                             ({"part": "rest"}, 700)):
                        before = len(self.xero_invoices_of(self.contact_id))
                        with failure():
                            result, error = self.create_part(user, lead, **values)
                        if seen[name]:
                            self.assertIsInstance(error, seen[name])
                            result, error = self.create_part(user, lead, **values)
                        self.assertIsNone(error, error)
                        self.assertEqual(len(self.xero_invoices_of(self.contact_id)),
                                         before + 1, "one invoice for this part")
                        self.assertEqual(self.parts(lead)[-1]["amount"], subtotal)
                    self.assertEqual([p["kind"] for p in self.parts(lead)],
                                     ["deposit", "final"])
                    self.assertEqual(self.xero_subtotals(), [300, 700])
                    self.fresh_account()
                    self.export("admin")
                    self.contact_id = self.contact_link()["contact_id"]

    def test_serialization_failure_on_the_deposit_is_retried(self):
        conflict = _conflict_once(XeroInvoiceLink._xero_apply_write, self.serialization_failure())
        lead = self.new_opportunity("salesman")
        with patch.object(XeroInvoiceLink, "_xero_apply_write", conflict):
            _result, error = self.create_part("salesman", lead, part="part", part_percent=40.0)
        self.assertIsNone(error, error)
        self.assertEqual(len(conflict.failures), 1)
        self.assertEqual(self.xero_subtotals(), [400])
        self.assertEqual(self.parts(lead)[0]["kind"], "deposit")

    def test_two_workers_invoicing_parts_at_once_never_exceed_the_deal(self):
        """Two sessions at once on one opportunity: a 60% deposit and the
        final invoice.  One is made; the other is told, and nothing beyond
        the deal's total is ever in Xero."""
        lead = self.new_opportunity("salesman")
        wizards = []
        for values in ({"part": "part", "part_percent": 60.0}, {"part": "rest"}):
            action, error = self.click("salesman", "crm.lead", [lead],
                                       "action_xero_create_invoice")
            self.assertIsNone(error)
            self.click("salesman", "xero.invoice.wizard", [action["res_id"]], "write", values)
            wizards.append(action["res_id"])
        # The second wizard opened with nothing invoiced: "rest" is the whole deal.
        self.sandbox.set_faults(delay=0.5)
        start = threading.Barrier(2, timeout=30)
        results = []

        def click(wizard_id):
            start.wait()
            results.append(self.click("salesman", "xero.invoice.wizard", [wizard_id],
                                      "action_create"))
        threads = [threading.Thread(target=click, args=(w,)) for w in wizards]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.sandbox.clear_faults()
        made = self.xero_invoices_of(self.contact_id)
        self.assertEqual(len(made), 1, "one of the two")
        self.assertLessEqual(sum(i["SubTotal"] for i in made), 1000)
        outcomes = sorted((result or {}).get("params", {}).get("type") or type(error).__name__
                          for result, error in results)
        self.assertIn("success", outcomes)
        other = next(o for o in outcomes if o != "success")
        self.assertIn(other, ("info", "UserError"), outcomes)
        with self.committed_env() as env:
            lead_record = env["crm.lead"].browse(lead)
            self.assertLessEqual(lead_record.xero_invoiced_amount, 1000.0)

    def test_an_invoice_made_while_a_click_planned_is_never_made_again(self):
        """Prefork: one worker reads Xero's lists for seconds (its cache is
        cold) while another makes the invoice.  The slow click then finds it
        made, under the lock: the same invoice is said, another part is
        refused; Xero has one invoice."""
        real = XeroInvoiceLink._xero_ensure_slot
        for other_values, seen in (({}, "info"), ({"part": "part", "part_percent": 60.0},
                                                   UserError)):
            with self.subTest(other=other_values):
                lead = self.new_opportunity("salesman")
                slow, _e = self.click("salesman", "crm.lead", [lead],
                                      "action_xero_create_invoice")
                fast, _e = self.click("salesman", "crm.lead", [lead],
                                      "action_xero_create_invoice")
                if other_values:
                    self.click("salesman", "xero.invoice.wizard", [fast["res_id"]], "write",
                               other_values)
                done, started = [], []

                def meanwhile(links, connection, lead_record):
                    if not started:   # the other click, start to end, while this one planned
                        started.append(True)
                        done.append(self.click("salesman", "xero.invoice.wizard",
                                               [fast["res_id"]], "action_create"))
                    return real(links, connection, lead_record)
                with patch.object(XeroInvoiceLink, "_xero_ensure_slot", meanwhile):
                    result, error = self.click("salesman", "xero.invoice.wizard",
                                               [slow["res_id"]], "action_create")
                self.assertIsNone(done[0][1], done[0][1])
                made = self.xero_invoices_of(self.contact_id)
                self.assertEqual(len(made), 1, "one invoice in Xero")
                if seen == "info":
                    self.assertIsNone(error, error)
                    self.assertEqual(result["params"]["type"], "info")
                    self.assertIn(made[0]["InvoiceNumber"], result["params"]["message"])
                else:
                    self.assertIsInstance(error, UserError)
                    self.assertIn("%s was made for this opportunity a moment ago"
                                  % made[0]["InvoiceNumber"], error.args[0])
                self.fresh_account()
                self.export("admin")
                self.contact_id = self.contact_link()["contact_id"]
