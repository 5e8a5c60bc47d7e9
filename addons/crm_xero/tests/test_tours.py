"""The brief, walked in a browser as people do it: Odoo's own tours
(static/tests/tours/) in headless Chromium, as the admin (Setup, Xero's
consent page, Import Xero Data with its live progress) and as a salesperson
(an account's first opening and its figures, Export with a main contact,
Update, an opportunity's invoice: Create, Update, View; and the invoice's
status following Xero live, from its webhooks), and as a sales manager
(Delete with the prompt: salespeople may not delete opportunities in Odoo).

The test plays everything that is not Odoo's screen, on the real far side:
it clicks Allow access on the sandbox's own consent page (a tour does not run
on Xero's origin) with the same Chromium, acts as the accountant in Xero
(approve, pay) through the sandbox's control API, and runs the scheduled
actions when they are woken (Odoo's tests run no cron by themselves).  After
each tour it reads what the sandbox holds (never through the addon's gateway)
and what Odoo holds.

Screenshots: the tours ask for them (``screenshot()`` steps); they are saved
as <name>.png when CRM_XERO_SCREENSHOTS names a folder (`make screenshots`
writes docs/), and the tours run the same without it.
"""
import base64
import json
import logging
import os
import re
import time
import unittest
from pathlib import Path
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID, api
from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.exceptions import UserError
from odoo.modules.module import get_manifest, get_modules
from odoo.tests import new_test_user, tagged
from odoo.tests.common import ChromeBrowser, ChromeBrowserException, _find_executable

from .harness import open_test_server
from .test_screens_accounts import phone_digits
from .xero_case import XeroHttpCase

_logger = logging.getLogger(__name__)

SCREENSHOTS = os.environ.get("CRM_XERO_SCREENSHOTS")
SHOT_MESSAGE = re.compile(r"^crm_xero screenshot: ([0-9a-z-]+)$")
WEBHOOK_KEY = "tours-webhook-key-0123456789abcdef"
WEBHOOK_CRON = "crm_xero.ir_cron_xero_webhooks"
# How long a status may take from Xero's change to the opportunity's screen.
LIVE_WITHIN = 10.0


class TourBrowser(ChromeBrowser):
    """Odoo's test browser, letting the web client open new tabs (View on
    Xero): Chromium blocks pop-ups a script opens after a synthetic click."""

    def _spawn_chrome(self, cmd):
        return super()._spawn_chrome([*cmd[:-1], "--disable-popup-blocking", cmd[-1]])


class TourEnded(Exception):
    """The tour stopped (failed or finished) while the test waited on it."""


@tagged("post_install", "-at_install", "crm_xero")
class TestTours(XeroHttpCase):
    browser_size = "1366x1000"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo reads every manifest the first time a static file is asked
        # for; done here once, not by the browser's first burst of parallel
        # requests (Python 3.11.7's ast.parse is not thread-safe: a
        # "SystemError: AST constructor recursion depth mismatch" then).
        for module in get_modules():
            get_manifest(module).get("installable")   # read and kept by Odoo
        # A missing browser fails the tours; it never skips them.
        try:
            cls.chromium = _find_executable()
        except (OSError, unittest.SkipTest):   # Odoo skips when it finds no Chrome
            raise AssertionError("Chromium is missing: the browser tours need it "
                                 "(scripts/bootstrap.sh installs Debian's chromium).") from None
        try:
            import websocket  # noqa: F401  (Odoo's ChromeBrowser drives Chromium with it)
        except ImportError:
            raise AssertionError("websocket-client is missing: Odoo's browser tours need it.") \
                from None
        cls.shots = Path(SCREENSHOTS).resolve() if SCREENSHOTS else None
        if cls.shots:
            cls.shots.mkdir(parents=True, exist_ok=True)

    # -- Odoo side: the data a person would have ------------------------------------
    def new_account(self, name, user=None, **values):
        return self.env["res.partner"].create({
            "name": name, "is_company": True, "user_id": (user or self.salesman).id, **values})

    def linked_account(self, connection, contact):
        """An Odoo account already linked to the Xero ``contact``."""
        partner = self.new_account(contact["Name"])
        self.env["xero.contact.link"].sudo().create({
            "connection_id": connection.id, "partner_id": partner.id, "synced_values": contact,
            **self.env["xero.contact.link"]._xero_link_values(contact)})
        return partner

    def new_opportunity(self, name, revenue, customer):
        return self.env["crm.lead"].create({
            "name": name, "type": "opportunity", "expected_revenue": revenue,
            "partner_id": customer.id, "user_id": self.salesman.id})

    def xero_contact_named(self, name):
        found = self.xero_contacts(name=name)
        self.assertEqual(len(found), 1, f"Xero has one contact named {name}: {found}")
        return found[0]

    # -- the browser ----------------------------------------------------------------------
    def run_tour(self, url_path, tour, login, during=None, after=None, timeout=120):
        """Odoo's HttpCase.start_tour, in a browser the test can also drive:
        ``during(browser)`` runs while the tour runs (Xero's side), then the
        tour must succeed, then ``after(browser)`` reads the screen."""
        try:
            browser = TourBrowser(self, success_signal="tour succeeded")
        except unittest.SkipTest as exc:
            raise AssertionError(f"Chromium could not start for the tour {tour}: {exc}") from None
        self._answer_screenshots(browser)
        server = open_test_server(self, browser)
        server.__enter__()
        try:
            self.authenticate(login, login, browser=browser)
            self.cr.flush()
            self.cr.clear()
            browser.navigate_to(self.base_url() + url_path)
            self.assertTrue(browser._wait_ready(f"odoo.isTourReady({tour!r})"),
                            f"The tour {tour} never became ready at {url_path}")
            options = {"stepDelay": 0, "keepWatchBrowser": False, "debug": False,
                       "startUrl": url_path}
            self.evaluate(browser, f"odoo.startTour({tour!r}, {json.dumps(options)})")
            try:
                if during:
                    during(browser)
            except TourEnded:
                _logger.info("The tour %s stopped while the test waited on it", tour)
            try:
                browser._wait_code_ok("true", timeout)
            except ChromeBrowserException as exc:
                self.fail(f"The tour {tour} failed\n\n{exc}")
            if after:
                after(browser)
        finally:
            browser.stop()
            self._wait_remaining_requests()
            server.__exit__(None, None, None)
            self.env.invalidate_all()   # the browser's requests changed the database

    def evaluate(self, browser, expression):
        answer = browser._websocket_request("Runtime.evaluate", params={
            "expression": expression, "returnByValue": True, "awaitPromise": True})
        if answer.get("exceptionDetails"):
            raise ChromeBrowserException(answer["exceptionDetails"].get("text"))
        return answer["result"].get("value")

    def wait_js(self, browser, expression, timeout=30, what=None):
        """Until ``expression`` is truthy in the page; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if browser._result.done():
                raise TourEnded()
            try:
                value = self.evaluate(browser, f"(() => {{ try {{ return {expression}; }} "
                                               f"catch {{ return null; }} }})()")
            except (ChromeBrowserException, TimeoutError):
                value = None   # the page is changing (a navigation): ask again
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"The page never showed {what or expression}")

    def wait_screenshot(self, browser, name):
        """Until the tour's screenshot ``name`` was taken (the screen may change after)."""
        self.wait_js(browser, f"(window.crmXeroShots || []).includes({json.dumps(name)})",
                     what=f"the screenshot {name}")

    def _answer_screenshots(self, browser):
        """The tours' screenshot steps log a line and wait for the answer: a
        PNG of the page then, kept when CRM_XERO_SCREENSHOTS is set."""
        console = browser._handlers["Runtime.consoleAPICalled"]

        def answer(name):
            browser._websocket_send("Runtime.evaluate", params={"expression": (
                "(window.crmXeroShots = window.crmXeroShots || []).push(%s)" % json.dumps(name))})

        def on_console(type, args=None, **kwargs):  # noqa: A002 - DevTools' name
            match = SHOT_MESSAGE.match(str((args or [{}])[0].get("value", "")))
            if not match:
                return console(type=type, args=args, **kwargs)
            name = match.group(1)
            if not self.shots:
                return answer(name)

            def save(future):
                try:
                    self._save_png(name, future.result()["data"])
                finally:
                    answer(name)
            browser._websocket_send("Page.captureScreenshot", with_future=True) \
                .add_done_callback(save)
            return None

        browser._handlers["Runtime.consoleAPICalled"] = on_console

    def screenshot(self, browser, name):
        """A screenshot taken by the test itself (pages a tour does not run on)."""
        if self.shots:
            self._save_png(name, browser._websocket_request("Page.captureScreenshot")["data"])

    def _save_png(self, name, data):
        path = self.shots / f"{name}.png"
        path.write_bytes(base64.b64decode(data))
        _logger.info("Screenshot %s", path)

    def new_tab(self, browser, timeout=60):
        """Wait for the page the web client opens in a new tab (View on
        Xero), then close it and come back to Odoo's (a hidden page's
        animation frames, which tours wait for, do not run).  Returns the
        new tab's address as it loaded."""
        ours = {t["id"] for t in browser._json_command("") if t.get("type") == "page"}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if browser._result.done():
                raise TourEnded()
            new = [t for t in browser._json_command("")
                   if t.get("type") == "page" and t["id"] not in ours]
            if new and new[0].get("url") not in ("", "about:blank"):
                time.sleep(0.5)   # let it load, as a person would see it
                url = next((t["url"] for t in browser._json_command("")
                            if t["id"] == new[0]["id"]), new[0]["url"])
                browser._websocket_request("Target.closeTarget", params={"targetId": new[0]["id"]})
                browser._websocket_request("Page.bringToFront")
                self.evaluate(browser, f"window.crmXeroNewTab = {json.dumps(url)}")
                return url
            time.sleep(0.1)
        raise AssertionError("No new tab was opened")

    # -- Odoo's background, as Odoo's cron workers would run it ------------------------
    def in_request(self, method):
        """``method(env)`` in a transaction as one request or cron job has it
        (the test's registry cursor, under the lock the test server's requests
        take); Odoo's bus notifications of it are sent once it is committed,
        as Odoo does after a commit (test cursors skip that, those of a cron
        job that runs in a cursor of its own, as on 19.0, too)."""
        bus = self.registry["bus.bus"]
        sendone, channels = bus._sendone, []

        def send_and_note(self, target, notification_type, message):
            sendone(self, target, notification_type, message)
            channels.append(channel_with_db(self.env.cr.dbname, target))

        with patch.object(bus, "_sendone", send_and_note), self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            result = method(env)
            env.flush_all()
            cr.flush()
        channels = list(dict.fromkeys(channels))
        if channels:
            with odoo.sql_db.db_connect("postgres").cursor() as cr:
                cr.execute("SELECT pg_notify('imbus', %s)", [json_dump(channels)])
        return result

    def run_cron_when_woken(self, xmlid, timeout=20):
        """Wait until something wakes the scheduled action ``xmlid`` (its
        ir.cron.trigger, as Odoo's cron workers do), then run it.  Returns
        (when woken, when done), time.time() seconds."""
        # The test's cursor is the test server's too while the tour runs:
        # read it only inside a request of its own, as the steps below do.
        cron_id = self.in_request(lambda env: env.ref(xmlid).id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            def woken(env):
                env.cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s RETURNING id",
                               [cron_id])
                if not env.cr.fetchall():
                    return None
                at = time.time()
                env["ir.cron"].browse(cron_id).method_direct_trigger()
                return at
            at = self.in_request(woken)
            if at:
                return at, time.time()
            time.sleep(0.05)
        raise AssertionError(f"Nothing woke the scheduled action {xmlid}")

    # -- the tours -------------------------------------------------------------------------
    def test_01_admin_setup_consent_and_import(self):
        """Settings > Setup > Xero's consent page > Allow access > Settings,
        then Import Xero Data: a preview, and the import's live progress."""
        known = next(c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"
                     and c["Name"] != "%s %s" % (c.get("FirstName"), c.get("LastName")))
        already = self.new_account(known["Name"], user=self.env.ref("base.user_admin"))
        active = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"]
        self.sandbox.clear_calls()
        progress = {}

        def xero_side(browser):
            # Xero's consent page, on Xero's origin (the sandbox's page for
            # the browser, no certificate to trust): the real Allow access button.
            self.wait_js(browser, "location.href.startsWith(%s) && "
                         "!!document.querySelector('button.allow')"
                         % json.dumps(self.sandbox.browser_url), what="Xero's consent page")
            page = self.evaluate(browser, "document.body.innerText")
            self.assertIn("Demo Company (Global)", page)
            self.screenshot(browser, "02-xero-consent")
            self.evaluate(browser, "document.querySelector('button[name=decision][value=allow]')"
                                   ".click()")
            # Import: queued by the wizard; the scheduled action then reads it
            # page by page, each committed, while Settings shows the progress.
            run_id = self._wait_queued_run(browser)
            self.in_request(lambda env: env["xero.import.run"].browse(run_id).write(
                {"page_size": 25}))
            pages = 0
            while True:
                more = self.in_request(
                    lambda env: env["xero.import.run"].browse(run_id)._xero_import_pass_step())
                pages += 1
                if pages == 1:
                    # The widget reads the run every second: until its next
                    # read it may still show the queued run's "0 of 0".
                    progress["first"] = self.wait_js(
                        browser, "(t => !t.startsWith('0 of') && t)(document.querySelector("
                        "'#crm_xero_import .o_xero_import_progress .text-muted.small')"
                        ".innerText)", what="the import's progress")
                    self.wait_screenshot(browser, "05-import-progress")
                if not more:
                    break
            progress["pages"] = pages

        self.run_tour("/odoo/settings#crm_xero_connection", "crm_xero_tour_setup_import",
                      "admin", during=xero_side)

        connection = self.connection()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.tenant_id, self.tenant)
        self.assertEqual(connection.connected_by_id, self.env.ref("base.user_admin"))
        self.assertEqual(self.sandbox.stats()["token_requests"]["authorization_code"], 1,
                         "Allow access on Xero's page gave Odoo one code, exchanged once")
        self.assertEqual(progress["pages"], 3, "60 contacts, 25 a page")
        self.assertEqual(progress["first"], f"25 of {len(self.xero_contacts())} contacts read")
        run = self.env["xero.import.run"].search([("connection_id", "=", connection.id)])
        self.assertEqual((run.state, run.created, run.linked), ("done", len(active) - 1, 1))
        # Both sides: each active Xero contact is one account here, the one
        # Odoo had linked instead of duplicated; Xero was only read.
        links = self.env["xero.contact.link"].sudo().search(
            [("connection_id", "=", connection.id), ("contact_id", "!=", False)])
        self.assertEqual(sorted(links.mapped("contact_id")),
                         sorted(c["ContactID"] for c in active))
        self.assertEqual(links.filtered(lambda l: l.partner_id == already).contact_id,
                         known["ContactID"])
        self.assertEqual(self.env["res.partner"].search_count(
            [("name", "=", known["Name"]), ("is_company", "=", True)]), 1)
        self.assertEqual({c["operation"].split()[0] for c in self.api_calls()}, {"GET"},
                         "the import only read Xero")

    def _wait_queued_run(self, browser):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if browser._result.done():
                raise TourEnded()
            run_id = self.in_request(lambda env: env["xero.import.run"].search(
                [("state", "=", "queued")], limit=1).id)
            if run_id:
                return run_id
            time.sleep(0.1)
        raise AssertionError("Import Xero Data queued no run")

    def test_02_salesman_first_opening_shows_the_figures(self):
        """An account Xero has: opened for the first time, it is found in
        Xero and its ledger code and figures show without a click."""
        self.connect()
        contact = self.xero_contact_named("Coastal Partners Corp")
        account = self.new_account(contact["Name"])
        shown = {}

        def view_on_xero(browser):
            shown["tab"] = self.new_tab(browser)

        def read_screen(browser):
            shown.update(self.evaluate(browser, """(() => {
                const tab = document.querySelector('.o_notebook .tab-pane.active');
                const text = (name) => tab.querySelector(`.o_field_widget[name=${name}]`)
                    .innerText.replace(/\\s+/g, ' ').trim();
                return {
                    code: tab.querySelector('[name=xero_account_number] input').value,
                    outstanding: text('xero_outstanding_amount'),
                    overdue: text('xero_overdue_amount'),
                    rows: tab.querySelectorAll('.o_xero_invoice_rows .o_data_row').length,
                };
            })()"""))

        self.run_tour(f"/odoo/res.partner/{account.id}", "crm_xero_tour_account_figures",
                      "xero_salesman", during=view_on_xero, after=read_screen)

        link = account.xero_link_id
        self.assertEqual(link.contact_id, contact["ContactID"])
        self.assertEqual(shown["code"], contact["AccountNumber"])
        owed = contact["Balances"]["AccountsReceivable"]
        self.assertIn(f"{owed['Outstanding']:,.2f}", shown["outstanding"])
        self.assertIn(f"{owed['Overdue']:,.2f}", shown["overdue"])
        invoices = [i for i in self.xero_invoices(contact_id=contact["ContactID"])
                    if i["Type"] == "ACCREC" and i["Status"] in ("AUTHORISED", "PAID")]
        self.assertGreaterEqual(shown["rows"], len(invoices))
        self.assertIn(contact["ContactID"], shown["tab"], "View on Xero opened the contact in Xero")
        self.assertTrue(shown["tab"].startswith(self.sandbox.browser_url))

    def test_03_salesman_export_with_main_contact_then_update(self):
        """An account Xero does not have: Export to Xero with the main
        contact chosen, then Update to Xero after a change."""
        self.connect()
        self.connection()._xero_ensure_code_sequence().number_next = 1
        account = self.new_account("Harbour Lights Bakery", email="hello@harbourlights.example")
        people = self.env["res.partner"].create([
            {"name": "Alice Martin", "parent_id": account.id,
             "email": "alice@harbourlights.example"},
            {"name": "Bob Stone", "parent_id": account.id, "email": "bob@harbourlights.example"},
        ])
        self.assertFalse(self.xero_contacts(name=account.name))

        self.run_tour(f"/odoo/res.partner/{account.id}", "crm_xero_tour_account_export",
                      "xero_salesman")

        contact = self.xero_contact_named(account.name)
        self.assertEqual(account.xero_contact_id, contact["ContactID"])
        self.assertTrue(account.xero_account_number)
        self.assertEqual(contact["AccountNumber"], account.xero_account_number)
        self.assertEqual((contact["FirstName"], contact["LastName"]), ("Bob", "Stone"),
                         "the main contact chosen is Xero's primary person")
        self.assertEqual([(p["FirstName"], p["LastName"]) for p in contact["ContactPersons"]],
                         [("Alice", "Martin")])
        phone = next(p for p in contact["Phones"] if p["PhoneType"] == "DEFAULT")
        self.assertEqual((phone["PhoneCountryCode"], phone["PhoneAreaCode"], phone["PhoneNumber"]),
                         ("1", "555", "0199"), "+1 555 0199: country, area, number")
        history = " | ".join(entry["Details"]
                             for entry in self.xero_contact(contact["ContactID"])["History"])
        self.assertIn("Created from Odoo CRM by Sam Salesman", history)
        self.assertIn("Updated from Odoo CRM by Sam Salesman: phone", history)
        self.assertEqual(people[1], account.xero_link_id.main_person_id)

    def test_04_opportunity_invoice_create_update_view_then_delete(self):
        """The salesperson: Create Draft Invoice on Xero, Update it after a
        change, View it.  Then a sales manager deletes the opportunity: the
        prompt says the draft goes too (in the pipeline, where they keep it,
        then on the form), and it does."""
        connection = self.connect()
        contact = self.active_contact()
        customer = self.linked_account(connection, contact)
        lead = self.new_opportunity("Website redesign", 1000.0, customer)
        lead_id, url = lead.id, "%s/odoo/crm/%s" % (lead.get_base_url(), lead.id)
        tabs = []

        self.run_tour(f"/odoo/crm/{lead_id}", "crm_xero_tour_opportunity_invoice",
                      "xero_salesman", during=lambda browser: tabs.append(self.new_tab(browser)))

        invoices = [i for i in self.xero_invoices() if i.get("Url") == url]
        self.assertEqual(len(invoices), 1, "one invoice was made in Xero")
        invoice = self.xero_invoice(invoices[0]["InvoiceID"])
        self.assertEqual(invoice["Status"], "DRAFT")
        self.assertEqual(invoice["Contact"]["ContactID"], contact["ContactID"])
        self.assertEqual([(line["UnitAmount"], line["AccountCode"])
                          for line in invoice["LineItems"]],
                         [(1500.0, "200")], "the update reached Xero")
        self.assertEqual([(t["Name"], t["Option"]) for t in invoice["LineItems"][0]["Tracking"]],
                         [("Region", "North")], "the option picked in the wizard")
        self.assertEqual((lead.xero_invoice_id, lead.xero_invoice_number, lead.xero_invoice_total),
                         (invoice["InvoiceID"], invoice["InvoiceNumber"], invoice["Total"]))
        self.assertIn(invoice["InvoiceID"], tabs[0], "View opened the invoice in Xero")
        self.assertTrue(tabs[0].startswith(self.sandbox.browser_url))

        sales_manager = new_test_user(self.env, "xero_sales_manager", name="Sally Manager",
                                      password="xero_sales_manager",
                                      groups="sales_team.group_sale_manager")
        self.assertFalse(sales_manager.has_group("crm_xero.group_xero_manager"))
        # Handed over to the manager: it is in their pipeline ("My Pipeline").
        lead.user_id = sales_manager
        self.run_tour("/odoo/crm", "crm_xero_tour_opportunity_delete", "xero_sales_manager")

        self.assertFalse(self.env["crm.lead"].with_context(active_test=False).browse(lead_id)
                         .exists(), "the opportunity is deleted")
        self.assertEqual(self.xero_invoice(invoice["InvoiceID"])["Status"], "DELETED",
                         "and its draft in Xero")

    def test_05_salesman_sees_the_invoice_status_follow_xero_live(self):
        """The opportunity stays open; the accountant approves the draft,
        then it is paid in Xero: Xero's webhooks reach Odoo, the scheduled
        action reads the invoice again, and the badge reads 'Awaiting
        payment' then 'Paid' without a click."""
        # The browser's bus (websocket) is what carries the news to the form;
        # Odoo switches it off in tests unless asked, as its own bus tests do.
        self.patch(WebsocketConnectionHandler, "websocket_allowed",
                   staticmethod(lambda request: True))
        connection = self.connect()
        customer = self.linked_account(connection, self.active_contact())
        lead = self.new_opportunity("Annual support plan", 2400.0, customer)
        self.create_draft_invoice(lead)
        invoice_id = lead.xero_invoice_id
        self.assertEqual(lead.xero_invoice_status, "DRAFT")
        self.env["ir.config_parameter"].sudo().set_param("crm_xero.webhook_key", WEBHOOK_KEY)
        self.sandbox.subscribe_webhooks(self.base_url() + "/crm_xero/webhook", WEBHOOK_KEY,
                                        batch_seconds=0.2)
        timings = []

        def accountant(browser):
            self.wait_js(browser, "window.crmXeroLive && window.crmXeroLive.ready",
                         what="the opportunity's draft")
            for status, act, shot in (
                    ("Awaiting payment", lambda: self.sandbox.approve(self.tenant, invoice_id),
                     "14-live-awaiting-payment"),
                    ("Paid", lambda: self.sandbox.pay(self.tenant, invoice_id),
                     "15-live-paid")):
                self.in_request(lambda env: env.cr.execute(
                    "DELETE FROM ir_cron_trigger WHERE cron_id = %s",
                    [env.ref(WEBHOOK_CRON).id]))
                changed = time.time()
                act()   # the change in Xero
                woken, handled = self.run_cron_when_woken(WEBHOOK_CRON)
                shown = self.wait_js(browser, "window.crmXeroLive.seen[%s]" % json.dumps(status),
                                     what=f"the status {status}") / 1000
                timings.append({"status": status, "webhook": woken - changed,
                                "handled": handled - changed, "screen": shown - changed})
                self.wait_screenshot(browser, shot)

        self.run_tour(f"/odoo/crm/{lead.id}", "crm_xero_tour_invoice_live", "xero_salesman",
                      during=accountant)

        for timing in timings:
            _logger.info("Xero change -> screen, %(status)s: webhook stored and the job woken "
                         "after %(webhook).2f s, handled after %(handled).2f s, on screen after "
                         "%(screen).2f s", timing)
            self.assertLess(timing["screen"], LIVE_WITHIN, timing)
        self.assertEqual([t["status"] for t in timings], ["Awaiting payment", "Paid"])
        self.assertEqual(self.xero_invoice(invoice_id)["Status"], "PAID")
        self.assertEqual(lead.xero_invoice_status, "PAID")
        self.assertEqual(lead.xero_invoice_amount_due, 0)
        paid = lead.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("crm_xero.mail_activity_xero_paid"))
        self.assertEqual(paid.user_id, self.salesman, "the salesperson hears of the payment")

    def test_06_salesman_updates_what_they_just_made_in_the_same_form(self):
        """An account, then an opportunity, each created in its form: after
        Update to Xero / Update Draft Invoice the form stays on that record;
        Create Draft Invoice says why it cannot be used before it can."""
        connection = self.connect()
        self.run_tour("/odoo/res.partner/new", "crm_xero_tour_account_new_update",
                      "xero_salesman")
        account = self.env["res.partner"].search([("name", "=", "Lighthouse Coffee Roasters")])
        self.assertEqual(len(account), 1)
        contact = self.xero_contact_named("Lighthouse Coffee Roasters")
        self.assertEqual(account.xero_contact_id, contact["ContactID"])
        self.assertIn("15550177", phone_digits(contact), "the phone reached Xero")

        cafe = self.linked_account(connection, self.sandbox.create_contact(
            self.tenant, Name="Harbour Cafe Co"))
        self.run_tour("/odoo/crm/new", "crm_xero_tour_opportunity_new_update", "xero_salesman")
        lead = self.env["crm.lead"].search([("name", "=", "Harbour cafe fit-out")])
        self.assertEqual((len(lead), lead.partner_id), (1, cafe))
        invoice = self.xero_invoice(lead.xero_invoice_id)
        self.assertEqual(invoice["Contact"]["ContactID"], cafe.xero_contact_id)
        self.assertEqual([line["UnitAmount"] for line in invoice["LineItems"]], [1100.0],
                         "the update reached Xero")
        self.assertEqual(len([i for i in self.xero_invoices(contact_id=cafe.xero_contact_id)
                              if i["Status"] != "DELETED"]), 1)

    def test_07_salesman_export_clash_opens_the_account_odoo_links(self):
        connection = self.connect()
        acme = self.xero_contact_named("Acme Supplies Inc")   # the demo's, CUS-00047
        holder = self.linked_account(connection, acme)
        account = self.new_account("ACME SUPPLIES INC")
        self.sandbox.clear_calls()

        self.run_tour(f"/odoo/res.partner/{account.id}", "crm_xero_tour_export_clash",
                      "xero_salesman")

        self.assertFalse(account.xero_contact_id, "nothing linked")
        self.assertEqual(holder.xero_contact_id, acme["ContactID"])
        self.assertEqual(len(self.xero_contacts(name="Acme Supplies Inc")), 1)
        self.assertFalse(self.api_calls("PUT /Contacts"), "nothing written to Xero")

    def test_08_admin_retries_from_the_sync_journal(self):
        self.connect()
        done = self.new_account("Kelp Kitchen Ltd")
        self.export_as_salesman(done)
        pending = self.new_account("Tidewater Traders")
        self.sandbox.set_faults(drop_after_commit_next=5)
        try:
            with self.assertRaisesRegex(UserError, "will not create a duplicate"):
                self.export_as_salesman(pending)
        finally:
            self.sandbox.clear_faults()
        self.assertFalse(pending.xero_contact_id)
        self.sandbox.clear_calls()

        self.run_tour("/odoo/settings#crm_xero_journal", "crm_xero_tour_sync_journal", "admin")

        contact = self.xero_contact_named("Tidewater Traders")
        self.assertEqual(pending.xero_contact_id, contact["ContactID"])
        writes = self.env["xero.write"].search([("partner_id", "=", pending.id),
                                                ("operation", "=", "contact_create")])
        self.assertEqual((len(writes), writes.state, writes.target_id),
                         (1, "done", contact["ContactID"]))
        self.assertFalse([c for c in self.api_calls("PUT /Contacts")
                          if c["idempotency_key"] != writes.idempotency_key],
                         "Retry sent no new write")

    def test_09_admin_imports_twice_and_settings_keep_no_pager(self):
        self.connect()
        self.run_tour("/odoo/settings#crm_xero_connection", "crm_xero_tour_settings_import_twice",
                      "admin")
        runs = self.env["xero.import.run"].search([("connection_id", "=", self.connection().id)])
        self.assertEqual((len(runs), runs.state), (1, "queued"), "one run, queued once")

    def test_10_salesman_quote_acceptance_deposit_final(self):
        """From the pipeline: an opportunity in euros, Create Quote on Xero;
        the accountant sends it and the customer accepts it in Xero; the
        scheduled read of quotes brings the acceptance (Xero sends no
        webhooks for quotes) and the open form follows: won.  Then a 30%
        deposit from the accepted quote's lines, and the final invoice."""
        self.patch(WebsocketConnectionHandler, "websocket_allowed",
                   staticmethod(lambda request: True))
        self.env.ref("base.EUR").active = True
        self.sandbox.currency_rates(self.tenant, EUR=0.92)
        connection = self.connect()
        contact = self.active_contact()
        customer = self.linked_account(connection, contact)
        lead = self.new_opportunity("Office fit-out", 10000.0, customer)
        walk = {}

        def xero_side(browser):
            self.wait_js(browser, "window.crmXeroPipeline && window.crmXeroPipeline.quoted",
                         what="the quote made")
            number = self.in_request(lambda env: env["crm.lead"].browse(lead.id)
                                     .xero_quote_number)
            walk["quote_draft"] = self.sandbox.quote(self.tenant, number)
            self.sandbox.quote_action(self.tenant, number, "send")
            self.sandbox.quote_action(self.tenant, number, "accept", name="Jo at the customer")
            self.in_request(lambda env: env["xero.quote.link"]._xero_cron_read_quotes())

        self.run_tour(f"/odoo/crm/{lead.id}", "crm_xero_tour_pipeline", "xero_salesman",
                      during=xero_side, timeout=180)

        # Xero's side: the quote, accepted; a deposit and the final invoice in
        # euros at Xero's rate, adding up to the quote.
        quote = self.sandbox.quote(self.tenant, lead.xero_quote_id)
        self.assertEqual((quote["Status"], quote["CurrencyCode"], quote["CurrencyRate"]),
                         ("ACCEPTED", "EUR", 0.92))
        self.assertEqual(quote["Terms"], "30% deposit on acceptance, the balance on completion.")
        links = lead.xero_invoice_link_ids.sorted("sequence")
        invoices = [self.xero_invoice(link.invoice_id) for link in links]
        self.assertEqual([(i["Status"], i["CurrencyCode"], i["CurrencyRate"], i["SubTotal"])
                          for i in invoices],
                         [("DRAFT", "EUR", 0.92, 3000), ("DRAFT", "EUR", 0.92, 7000)])
        self.assertEqual(sum(i["SubTotal"] for i in invoices), quote["SubTotal"])
        # Odoo's side: the opportunity won, both invoices, nothing left.
        self.assertTrue(lead.stage_id.is_won)
        self.assertEqual([link.part_kind for link in links], ["deposit", "final"])
        self.assertEqual((lead.xero_deal_amount, lead.xero_invoiced_amount,
                          lead.xero_left_to_invoice), (10000.0, 10000.0, 0.0))
        walk.update(quote=quote, invoices=invoices, lead={
            "quote": (lead.xero_quote_number, lead.xero_quote_status, lead.xero_quote_total,
                      lead.xero_quote_currency_id.name, lead.xero_quote_rate,
                      lead.xero_quote_total_base),
            "invoices": [(l.number, l.part_kind, l.status, l.total, l.currency_id.name,
                          l.currency_rate, round(l.total_base, 2)) for l in links],
            "left": lead.xero_left_to_invoice, "won": lead.stage_id.name})
        _logger.info("From the pipeline, one deal: %s", json.dumps(walk, default=str))
        if os.environ.get("CRM_XERO_WALK"):   # what each side holds, for the docs
            Path(os.environ["CRM_XERO_WALK"]).write_text(json.dumps(walk, default=str,
                                                                    indent=1))

    def export_as_salesman(self, account):
        self.env.flush_all()
        wizard = self.env["xero.export.wizard"].with_user(self.salesman).create(
            {"partner_id": account.id})
        wizard.action_export()
        self.env.invalidate_all()

    def create_draft_invoice(self, lead):
        """Create Draft Invoice on Xero as the salesperson, default choices."""
        self.env.flush_all()
        action = lead.with_user(self.salesman).action_xero_create_invoice()
        wizard = self.env[action["res_model"]].with_user(self.salesman).browse(action["res_id"])
        wizard.action_create()
        self.env.invalidate_all()   # committed in transactions of its own
