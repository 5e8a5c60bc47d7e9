"""Xero's day of calls (5,000 an organisation in a rolling day): every answer
says what is left, every worker learns it from the database, background work
stops where a share of the day is kept for people's clicks, a spent day is
said with when Xero takes calls again (one 429 reaches Xero, not one per
worker), and Settings shows the day.  Answers are asked gzipped, and the
invoice wizard's lists are read once per organisation.  As the salesperson
(Own Documents Only, no email) and the admin; Xero's side from the
sandbox's own counters."""
import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.xero_invoice_link import xero_clear_invoice_settings_cache
from ..xero.pacing import DEFAULT_PACER
from .test_invoices_case import XeroInvoiceCase

DAY = 100       # Xero's day, as Settings says it (crm_xero.day_limit)
RESERVE = 20    # its 20 % kept for people


class DayCase(XeroInvoiceCase):

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("crm_xero.day_limit", str(DAY))
        self.admin = self.env.ref("base.user_admin")
        self.customer.user_id = self.salesman

    def spend(self, left):
        """The organisation has ``left`` calls of its day, at Xero."""
        self.sandbox.set_faults(tenant_id=self.tenant, day_limit=DAY, day_remaining=left)

    def left_at_xero(self):
        return self.sandbox.stats()["by_tenant"][self.tenant]["day_remaining"]

    def refused_at_xero(self):
        return self.sandbox.stats()["by_tenant"][self.tenant]["rate_limited"]

    def refresh(self, user):
        """The account's Refresh button, as ``user``."""
        self.env.flush_all()
        result = self.customer.with_user(user).action_xero_refresh_stats()
        self.env.invalidate_all()
        return result

    def refused(self, user):
        """The Refresh button as ``user`` when Xero is expected to refuse:
        the message shown.  (Not assertRaises: it rolls the test's own
        transaction back to before the click, and with it what the click's
        transactions of their own committed, as a worker's would.)"""
        try:
            self.refresh(user)
        except UserError as exc:
            return str(exc)
        raise AssertionError("the click was not refused")

    def settings(self):
        self.env.invalidate_all()
        return self.env["res.config.settings"].create({})

    def scheduled_reads_until_they_stop(self, rounds=30):
        """The scheduled reads, run again and again as a day of cron runs
        would: returns how many rounds still called Xero."""
        calling = 0
        for _round in range(rounds):
            before = self.sandbox.stats()["api_calls"]
            self.env["xero.contact.link"]._xero_cron_refresh_figures()
            self.env.invalidate_all()
            if self.sandbox.stats()["api_calls"] == before:
                return calling
            calling += 1
        raise AssertionError("background work never stopped")


@tagged("post_install", "-at_install", "crm_xero")
class TestDayBudget(DayCase):

    def test_every_answer_tells_every_worker_what_is_left_of_the_day(self):
        self.spend(60)
        people = self.settings().xero_day_people_calls
        self.refresh(self.salesman)
        left = self.left_at_xero()
        self.assertLess(left, 60)
        state = self.xero_connection._xero_sync_state()._xero_read()   # as another worker reads it
        self.assertEqual(state["day_remaining"], left)
        settings = self.settings()
        self.assertEqual((settings.xero_day_left, settings.xero_day_used), (left, DAY - left))
        self.assertEqual(settings.xero_day_reserve_calls, RESERVE)
        self.assertEqual(settings.xero_day_people_calls - people, 60 - left)
        self.assertFalse(settings.xero_day_paused)

    def test_background_work_stops_at_the_reserve_and_clicks_still_get_through(self):
        self.spend(RESERVE + 4)
        self.assertGreater(self.scheduled_reads_until_they_stop(), 0, "it used the day")
        left = self.left_at_xero()
        self.assertGreaterEqual(left, RESERVE, "the reserve is kept for people")
        self.assertLessEqual(left, RESERVE + 2, "background work went on until then")
        self.assertEqual(self.refused_at_xero(), 0, "it stopped before Xero had to refuse")
        settings = self.settings()
        self.assertTrue(settings.xero_day_paused)
        self.assertFalse(settings.xero_day_exhausted_until)

        for user in (self.salesman, self.admin):
            before = self.left_at_xero()
            self.refresh(user)
            self.assertLess(self.left_at_xero(), before, "%s's click reached Xero" % user.name)
            self.assertTrue(self.customer.xero_figures_read)

    def test_a_spent_day_says_when_xero_takes_calls_again_and_xero_is_asked_once(self):
        self.spend(0)
        messages = []
        for user in (self.salesman, self.admin, self.salesman):
            DEFAULT_PACER.reset()   # another worker: nothing of this process's memory
            messages.append(self.refused(user))
        for message in messages:
            self.assertIn("used up its daily allowance of API calls; Xero takes calls again at",
                          message)
        self.assertEqual(self.refused_at_xero(), 1, "only the first click reached Xero")
        self.assertEqual(self.left_at_xero(), 0)
        settings = self.settings()
        self.assertTrue(settings.xero_day_exhausted_until)
        self.assertEqual(self.customer.xero_calls_again_at, settings.xero_day_exhausted_until)

    def test_a_new_account_met_by_a_spent_day_says_so_instead_of_staying_silent(self):
        self.spend(0)
        self.refused(self.salesman)
        newcomer = self.env["res.partner"].create({"name": self.active_contact(3)["Name"],
                                                   "is_company": True})
        self.env.flush_all()
        self.assertFalse(newcomer.with_user(self.salesman).action_xero_check_link())
        self.env.invalidate_all()
        seen = newcomer.with_user(self.salesman).read(["xero_check_state",
                                                       "xero_calls_again_at"])[0]
        self.assertEqual(seen["xero_check_state"], "pending", "checked once Xero takes calls")
        self.assertTrue(seen["xero_calls_again_at"], "and the form says when")
        form = newcomer.with_user(self.salesman).get_views([(False, "form")])["views"]["form"]
        self.assertIn("o_xero_day_spent", form["arch"])
        self.assertEqual(self.refused_at_xero(), 1, "the check did not ask Xero again")

    def test_answers_are_asked_gzipped(self):
        self.sandbox.clear_calls()
        page = self.xero_connection._xero_call(lambda gw: gw.get_contacts(page=1, page_size=100))
        [call] = self.api_calls("GET /Contacts")
        self.assertLess(call["bytes"] * 4, len(json.dumps(page)),
                        "Xero's answer came gzipped: a fraction of the JSON")

    def test_the_invoice_wizards_lists_are_read_once_per_organisation(self):
        self.sandbox.clear_calls()
        self.open_wizard()
        first = len(self.api_calls())
        self.assertGreaterEqual(first, 5, "accounts, taxes, items, tracking, themes...")
        xero_clear_invoice_settings_cache()   # another worker: nothing in its memory
        self.open_wizard(self.new_opportunity("Second deal", 200.0))
        self.assertEqual(len(self.api_calls()), first, "read from the organisation's copy")
