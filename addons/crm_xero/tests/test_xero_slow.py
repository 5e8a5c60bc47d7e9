"""When Xero is slow or down, every screen still answers, in time, with what
to do.

Xero hangs (the sandbox accepts each call and withholds the answer), Odoo's
per-call timeout is short, and the request's deadline (Settings: "Wait for
Xero at most") is DEADLINE seconds: each button, the import preview and the
first-opening check answer within it, with a message a salesperson
understands, and nothing is half-written on either side.  Without the one
deadline, each button would have waited for every call's timeout and
retries in turn.
"""
import itertools
import time
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import config

from ..models.xero_deadline import job_seconds, request_seconds
from ..xero import limits
from ..xero.pacing import DEFAULT_PACER
from .test_write_path import USERS, WritePathCase
from .xero_case import point_at_sandbox

# The per-call timeout of the committed cases (xero_case.XeroCommittedCase).
COMMITTED_TIMEOUT = 3

DEADLINE = 2.5
# What Odoo may add to the deadline: its own work, the test's RPC-like call.
SLACK = 1.5
# Longer than any deadline: Xero "never" answers (cleared when the test ends).
HANG = 60
NOT_ANSWERING = "Xero is not answering; nothing was changed"
MAYBE_SAVED = "it may have been saved"


@tagged("post_install", "-at_install", "crm_xero")
class TestXeroHanging(WritePathCase):

    def setUp(self):
        super().setUp()
        with self.committed_env() as env:
            point_at_sandbox(env, self.sandbox, timeout=1)
            env["ir.config_parameter"].set_param("crm_xero.request_deadline", str(DEADLINE))
        self.addCleanup(self._restore_params)
        self.addCleanup(self.sandbox.clear_faults)

    def _restore_params(self):
        with self.committed_env() as env:
            point_at_sandbox(env, self.sandbox, timeout=COMMITTED_TIMEOUT)
            env["ir.config_parameter"].set_param("crm_xero.request_deadline", False)

    def hang(self):
        """Xero takes every call and never answers (until the faults are cleared)."""
        self.sandbox.clear_calls()
        self.sandbox.set_faults(delay=HANG)

    def calls_once_cleared(self):
        """The calls Xero was asked while it hung: each is logged when it ends."""
        self.sandbox.clear_faults()
        time.sleep(0.3)
        return self.sandbox.calls()

    def timed_click(self, user, model, ids, method, *args, within=DEADLINE + SLACK):
        """The click, and how long its user waited; it must be in time."""
        start = time.monotonic()
        result, error = self.click(user, model, ids, method, *args)
        waited = time.monotonic() - start
        self.assertLess(waited, within, "%s answered in time" % method)
        return result, error, waited

    def assert_said(self, error, words=NOT_ANSWERING):
        self.assertIsInstance(error, UserError, "Odoo's own dialog, not a traceback")
        self.assertIn(words, error.args[0])

    # -- accounts --------------------------------------------------------------------------
    def test_export_and_update_answer_in_time_and_write_nothing(self):
        for user in USERS:
            with self.subTest(user=user):
                self.fresh_account()
                wizard, error = self.click(user, "xero.export.wizard", [], "create",
                                           {"partner_id": self.partner_id})
                self.assertIsNone(error, error)
                self.hang()
                _result, error, _waited = self.timed_click(user, "xero.export.wizard",
                                                           wizard.ids, "action_export")
                self.assert_said(error)
                self.sandbox.clear_faults()
                self.assertFalse(self.xero_contacts_named(), "nothing in Xero")
                self.assertFalse(self.contact_link().get("contact_id"), "nothing linked")
                self.assertIsNone(self.export(user)[1], "the next click, Xero back, exports")
                contact = self.assert_one_contact_linked()
                with self.committed_env() as env:
                    env["res.partner"].browse(self.partner_id).phone = "+64 9 555 0101"
                self.hang()
                for method in ("action_xero_update", "action_xero_refresh_stats"):
                    _result, error, _waited = self.timed_click(user, "res.partner",
                                                               [self.partner_id], method)
                    self.assert_said(error)
                self.sandbox.clear_faults()
                self.assertEqual(self.sandbox.contact(self.tenant, contact["ContactID"])
                                 .get("Phones"), contact.get("Phones"), "Xero unchanged")

    def test_the_first_opening_check_gives_up_in_time_and_stays_pending(self):
        for user in USERS:
            with self.subTest(user=user):
                self.fresh_account()
                self.hang()
                result, error, _waited = self.timed_click(user, "res.partner",
                                                          [self.partner_id],
                                                          "action_xero_check_link")
                self.assertIsNone(error, "the check never shows an error: it runs again later")
                self.assertFalse(result)
                self.assertIn("GET /Contacts", [c["operation"] for c in
                                                self.calls_once_cleared()], "Xero was asked")
                with self.committed_env() as env:
                    link = env["xero.contact.link"].search([("partner_id", "=",
                                                             self.partner_id)])
                    self.assertEqual(link.check_state, "pending", "checked again later")
                    self.assertFalse(link.contact_id)

    def test_a_form_opens_at_once_while_xero_hangs(self):
        self.export("admin")
        lead = self.new_opportunity("salesman")
        self.hang()
        for user in USERS:
            for model, record in (("res.partner", self.partner_id), ("crm.lead", lead)):
                with self.subTest(user=user, model=model):
                    views, error = self.click(user, model, [], "get_views", [(False, "form")])
                    self.assertIsNone(error, error)
                    form_fields = views["models"][model]["fields"]
                    self.assertIn("xero_invoice_status" if model == "crm.lead"
                                  else "xero_total_sales", form_fields)
                    _result, error, _waited = self.timed_click(
                        user, model, [record], "web_read", {name: {} for name in form_fields},
                        within=1.0)
                    self.assertIsNone(error, error)
        self.assertFalse(self.calls_once_cleared(), "a form's load never calls Xero")

    # -- opportunities ---------------------------------------------------------------------
    def made_for(self, contact_id, lead):
        """The customer's invoices in Xero that point back to ``lead``."""
        return [i for i in self.xero_invoices_of(contact_id)
                if i.get("Url", "").endswith("/odoo/crm/%s" % lead)]

    def test_invoice_buttons_answer_in_time_and_the_next_click_makes_one_invoice(self):
        self.export("admin")
        contact_id = self.contact_link()["contact_id"]
        for user, xero in itertools.product(USERS, ("hangs", "saves then hangs")):
            with self.subTest(user=user, xero=xero):
                lead = self.new_opportunity(user, revenue=640.0)
                action, error = self.click(user, "crm.lead", [lead], "action_xero_create_invoice")
                self.assertIsNone(error, error)
                if xero == "hangs":
                    self.hang()
                else:   # the invoice is saved, its answer held past the deadline
                    self.sandbox.set_faults(hang_after_commit_next=5, hang_seconds=HANG)
                _result, error, _waited = self.timed_click(
                    user, "xero.invoice.wizard", [action["res_id"]], "action_create")
                # The invoice's call went out: Xero may have it, and a retry makes no second.
                self.assert_said(error, MAYBE_SAVED)
                self.sandbox.clear_faults()
                self.assertEqual(len(self.made_for(contact_id, lead)),
                                 0 if xero == "hangs" else 1, "what Xero did")
                self.assertFalse(self.invoice_link(lead)["invoice_id"], "Odoo does not know")
                result, error = self.create_invoice(user, lead)
                self.assertIsNone(error, error)
                mine = self.made_for(contact_id, lead)
                self.assertEqual(len(mine), 1, "one invoice")
                self.assertEqual(mine[0]["InvoiceID"], self.invoice_link(lead)["invoice_id"],
                                 "linked")
                self.assertEqual(mine[0]["SubTotal"], 640.0)
                if xero == "saves then hangs":
                    continue
                self.hang()
                for method in ("action_xero_update_invoice", "action_xero_refresh_invoice",
                               "action_xero_attach_pdf", "unlink"):
                    with self.committed_env() as env:   # something new to send
                        env["crm.lead"].browse(lead).expected_revenue += 1
                    result, error, _waited = self.timed_click(user, "crm.lead", [lead], method)
                    if method == "unlink" and user == "salesman":
                        self.assertIsInstance(error, AccessError, "salespeople may not delete")
                        continue
                    if method == "action_xero_refresh_invoice" and not error:
                        self.assertIn("could not be read", result["params"]["message"])
                        continue
                    self.assertIsInstance(error, UserError, method)
                self.sandbox.clear_faults()
                self.assertEqual(self.sandbox.invoice(self.tenant, mine[0]["InvoiceID"])
                                 ["Status"], "DRAFT", "still there, as Odoo shows it")
                self.assertEqual(self.invoice_link(lead)["status"], "DRAFT")
                with self.committed_env() as env:
                    self.assertTrue(env["crm.lead"].browse(lead).exists(), "not deleted")

    def test_create_draft_invoice_says_so_in_time_when_xeros_lists_hang(self):
        self.export("admin")
        self.hang()
        for user in USERS:
            with self.subTest(user=user):
                lead = self.new_opportunity(user)
                _result, error, _waited = self.timed_click(user, "crm.lead", [lead],
                                                           "action_xero_create_invoice")
                self.assert_said(error)
        self.assertTrue(self.calls_once_cleared(), "the wizard did ask Xero for its lists")

    def test_a_click_waits_for_the_pacer_no_longer_than_its_deadline(self):
        """Xero said wait (Retry-After) longer than the click's deadline,
        though within the pacer's usual wait for a click (10 s): the click
        says "busy" at once rather than waiting past its deadline."""
        self.addCleanup(DEFAULT_PACER.reset)
        for user in USERS:
            with self.subTest(user=user):
                lead = self.new_opportunity(user)
                DEFAULT_PACER.block(self.tenant, DEADLINE + 5)
                self.assertLess(DEADLINE + 5, limits.MAX_WAIT["interactive"])
                _result, error, _waited = self.timed_click(user, "crm.lead", [lead],
                                                           "action_xero_create_invoice")
                self.assert_said(error, "Xero is busy right now")

    # -- scheduled jobs -------------------------------------------------------------------
    def test_a_scheduled_job_has_its_own_budget_longer_than_a_click(self):
        """Xero slower than a click's deadline: a click says so in time, the
        scheduled refresh of the same figures still gets them."""
        self.export("admin")
        with self.committed_env() as env:
            env["xero.contact.link"].search([("partner_id", "=", self.partner_id)]).write(
                {"stats_refreshed_at": False, "total_sales": 123.0})
        self.sandbox._call("POST", "latency", json={"per_call": DEADLINE / 2 + 0.2,
                                                    "per_item": 0})
        self.addCleanup(self.sandbox._call, "POST", "latency",
                        json={"per_call": 0, "per_item": 0})
        with self.committed_env() as env:   # 3 s a call: no retry cuts it short
            point_at_sandbox(env, self.sandbox, timeout=COMMITTED_TIMEOUT)
        _result, error, _waited = self.timed_click("salesman", "res.partner", [self.partner_id],
                                                   "action_xero_refresh_stats")
        self.assert_said(error)
        start = time.monotonic()
        with self.committed_env() as env:
            env["xero.contact.link"]._xero_cron_refresh_figures()
        self.assertGreater(time.monotonic() - start, DEADLINE, "longer than a click may take")
        with self.committed_env() as env:
            link = env["xero.contact.link"].search([("partner_id", "=", self.partner_id)])
            self.assertTrue(link.stats_refreshed_at, "the job got Xero's figures")
            self.assertEqual(link.total_sales, 0.0, "as Xero has them: no invoice yet")

    def test_budgets_stay_under_odoos_time_limits(self):
        with self.committed_env() as env:
            env["ir.config_parameter"].set_param("crm_xero.request_deadline", "10000")
            with patch.dict(config.options, limit_time_real=120, limit_time_real_cron=-1):
                self.assertEqual(request_seconds(env), 90, "3/4 of Odoo's own limit")
                self.assertEqual(job_seconds(), 90, "a job's limit is the request's")
            with patch.dict(config.options, limit_time_real=120, limit_time_real_cron=600):
                self.assertEqual(job_seconds(), 450, "3/4 of the cron limit")
            env["ir.config_parameter"].set_param("crm_xero.request_deadline", "12")
            with patch.dict(config.options, limit_time_real=120):
                self.assertEqual(request_seconds(env), 12, "the setting, under the limit")

    # -- the import's preview -------------------------------------------------------------
    def preview(self, page_size=10):
        wizard, error = self.click("admin", "xero.import.wizard", [], "create", {
            "connection_id": self.ids["connection"], "page_size": page_size})
        self.assertIsNone(error, error)
        result, error, _waited = self.timed_click("admin", "xero.import.wizard", wizard.ids,
                                                  "action_xero_preview")
        return wizard.id, result, error

    def test_the_preview_with_xero_hanging_says_so_in_time(self):
        self.hang()
        _wizard, _result, error = self.preview()
        self.assert_said(error)

    def test_the_preview_of_a_slow_organisation_stops_at_the_deadline_and_says_so(self):
        total = len(self.sandbox.contacts(self.tenant))
        before = self.imported()
        self.sandbox._call("POST", "latency", json={"per_call": 0.8, "per_item": 0})
        self.addCleanup(self.sandbox._call, "POST", "latency",
                        json={"per_call": 0, "per_item": 0})
        wizard_id, _result, error = self.preview(page_size=5)
        self.assertIsNone(error, error)
        values = self.read("xero.import.wizard", wizard_id, "state", "preview_partial",
                           "preview_create", "preview_link", "preview_update",
                           "preview_unchanged", "preview_archived", "preview_conflict")
        self.assertEqual(values["state"], "preview")
        self.assertIn("did not answer every page in time", values["preview_partial"])
        counted = sum(values[k] for k in values if k not in ("state", "preview_partial"))
        self.assertGreater(counted, 0, "what was read is shown")
        self.assertLess(counted, total, "and no more than what was read")
        self.assertEqual(self.imported(), before, "a preview writes nothing")

    def imported(self):
        """What an import writes: accounts and their links to Xero."""
        with self.committed_env() as env:
            return (env["res.partner"].with_context(active_test=False).search_count([]),
                    env["xero.contact.link"].search_count(
                        [("connection_id", "=", self.ids["connection"])]))
