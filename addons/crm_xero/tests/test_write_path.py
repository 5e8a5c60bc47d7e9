"""Every Xero write, exactly once in the hard cases, on committed transactions.

Each button is clicked as a salesperson with *Own Documents Only* rights and
no email address, and as an administrator.  After Xero accepted the write,
the failures that happen in life are injected (the chatter refusing, a
serialization failure Odoo retries, a dropped connection, a killed worker,
Xero hanging), the button is clicked again, and both sides are checked: one
record in Xero, linked in Odoo, nothing of Xero's lost.
"""
import threading
import time
from unittest.mock import patch

from odoo.addons.mail.models.mail_thread import MailThread
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models.xero_contact_link import XeroContactLink
from ..models.xero_invoice_link import XeroInvoiceLink
from ..xero.gateway import XeroGateway
from .xero_case import XeroCommittedCase

USERS = ("salesman", "admin")


class WorkerKilled(BaseException):
    """What a killed worker looks like from the inside: nothing after it runs."""


def _chatter_refuses(*args, **kwargs):
    # Odoo's own words when a sender has no email address  # pylint: disable=translation-required
    raise UserError("Unable to send message, please configure the sender's email address.")


class WritePathCase(XeroCommittedCase):

    def setUp(self):
        super().setUp()
        self.fresh_account()

    def fresh_account(self):
        """A new account, not in Xero yet (for the next user's own click)."""
        self.account_name = self.unique_name("Write Path Ltd")
        self.partner_id = self.create("res.partner", {
            "name": self.account_name, "is_company": True, "company_id": self.ids["company"],
            "email": "accounts@writepath.example"})

    # -- the buttons, as the web client calls them -------------------------------------
    def export(self, user):
        wizard, error = self.click(user, "xero.export.wizard", [], "create",
                                   {"partner_id": self.partner_id})
        self.assertIsNone(error)
        return self.click(user, "xero.export.wizard", wizard.ids, "action_export")

    def lose_the_export_answer(self, user):
        """Export to Xero; Xero saves the contact and every answer is lost:
        the intent stays pending, the account knows no contact."""
        self.sandbox.set_faults(drop_after_commit_next=5)
        try:
            _result, error = self.export(user)
        finally:
            self.sandbox.clear_faults()
        self.assertIsInstance(error, UserError)
        self.assertIn("will not create a duplicate", error.args[0])
        self.assertEqual(len(self.xero_contacts_named()), 1, "Xero saved it")
        self.assertFalse(self.contact_link().get("contact_id"), "Odoo does not know it")

    def new_opportunity(self, user, revenue=1000.0):
        uid = self.ids[user]
        return self.create("crm.lead", {
            "name": self.unique_name("Deal"), "type": "opportunity", "expected_revenue": revenue,
            "partner_id": self.partner_id, "company_id": self.ids["company"], "user_id": uid})

    def create_invoice(self, user, lead_id):
        action, error = self.click(user, "crm.lead", [lead_id], "action_xero_create_invoice")
        if error:
            return None, error
        return self.click(user, "xero.invoice.wizard", [action["res_id"]], "action_create")

    # -- both sides ------------------------------------------------------------------------
    def xero_contacts_named(self):
        return self.sandbox.contacts(self.tenant, name=self.account_name)

    def contact_link(self):
        with self.committed_env() as env:
            link = env["xero.contact.link"].search([("partner_id", "=", self.partner_id),
                                                    ("connection_id", "=", self.ids["connection"])])
            return {"contact_id": link.contact_id, "odoo_values": link.odoo_values} if link else {}

    def invoice_link(self, lead_id):
        with self.committed_env() as env:
            lead = env["crm.lead"].browse(lead_id)
            return {"invoice_id": lead.xero_invoice_id, "number": lead.xero_invoice_number,
                    "status": lead.xero_invoice_status}

    def xero_invoices_of(self, contact_id):
        return [i for i in self.sandbox.invoices(self.tenant, contact_id=contact_id)
                if i["Status"] != "DELETED"]

    def assert_one_contact_linked(self):
        found = self.xero_contacts_named()
        self.assertEqual(len(found), 1, "exactly one contact in Xero")
        self.assertEqual(self.contact_link().get("contact_id"), found[0]["ContactID"],
                         "linked in Odoo")
        return found[0]

    def writes(self, state=None):
        with self.committed_env() as env:
            domain = [("connection_id", "=", self.ids["connection"])]
            if state:
                domain.append(("state", "=", state))
            return env["xero.write"].search(domain).read(["operation", "state",
                                                           "idempotency_key"])

    @staticmethod
    def kill_after(method_name):
        """The gateway's ``method_name`` does its call, then the worker dies."""
        real = getattr(XeroGateway, method_name)

        def call_then_die(gateway, *args, **kwargs):
            real(gateway, *args, **kwargs)
            raise WorkerKilled()
        return patch.object(XeroGateway, method_name, call_then_die)


@tagged("post_install", "-at_install", "crm_xero")
class TestExportExactlyOnce(WritePathCase):

    def test_a_salesperson_without_email_exports_and_the_note_is_theirs(self):
        result, error = self.export("salesman")
        self.assertIsNone(error)
        self.assertEqual(result["params"]["type"], "success")
        contact = self.assert_one_contact_linked()
        history = self.sandbox.contact(self.tenant, contact["ContactID"])["History"]
        self.assertTrue(any("Committed Salesman" in h["Details"] for h in history), history)
        with self.committed_env() as env:
            partner = env["res.partner"].browse(self.partner_id)
            notes = partner.message_ids.filtered(lambda m: "Xero" in (m.body or ""))
            self.assertTrue(notes)
            self.assertEqual(notes[0].author_id, env["res.users"].browse(
                self.ids["salesman"]).partner_id)

    def test_chatter_refusing_after_xero_accepted_keeps_the_link(self):
        self.patch(MailThread, "_message_log", _chatter_refuses)
        for user in USERS:
            with self.subTest(user=user):
                self.fresh_account()   # each user exports an account of their own
                result, error = self.export(user)
                self.assertIsNone(error, "the note is not what the user asked for")
                self.assert_one_contact_linked()
                with self.committed_env() as env:
                    notes = env["res.partner"].browse(self.partner_id).message_ids
                    self.assertFalse(notes.filtered(lambda m: "Xero" in (m.body or "")),
                                     "the chatter did refuse the note")
        self.assertEqual(len(self.writes("done")), 4, "a create and a history note each")

    def test_serialization_failure_is_retried_and_adopts_xeros_answer(self):
        conflict = _conflict_once(XeroContactLink._xero_apply_write, self.serialization_failure())
        self.patch(XeroContactLink, "_xero_apply_write", conflict)
        result, error = self.export("salesman")
        self.assertIsNone(error, "Odoo retried the request")
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(len(conflict.failures), 1)
        self.assert_one_contact_linked()
        creates = [c for c in self.sandbox.calls() if c["operation"] == "PUT /Contacts"]
        self.assertEqual(len(creates), 1, "the retry applied the stored answer: no second call")

    def test_dropped_connection_then_a_second_click_makes_one_contact(self):
        for user in USERS:
            with self.subTest(user=user):
                self.sandbox.clear_calls()
                self.lose_the_export_answer(user)
                result, error = self.export(user)
                self.assertIsNone(error)
                self.assert_one_contact_linked()
                keys = {c["idempotency_key"] for c in self.sandbox.calls()
                        if c["operation"] == "PUT /Contacts"}
                self.assertEqual(len(keys), 1, "every attempt sent the intent's one key")
                self.fresh_account()   # the next user exports an account of their own

    def test_killed_worker_then_a_second_click_adopts_the_contact(self):
        with self.kill_after("create_contacts"):
            _result, error = self.export("salesman")
        self.assertIsInstance(error, WorkerKilled)
        self.assertEqual(len(self.xero_contacts_named()), 1)
        self.assertFalse(self.contact_link().get("contact_id"))
        self.assertEqual([w["state"] for w in self.writes()], ["pending"])
        result, error = self.export("salesman")
        self.assertIsNone(error)
        self.assert_one_contact_linked()

    def test_killed_worker_is_finished_by_the_recovery_job(self):
        with self.kill_after("create_contacts"):
            _result, error = self.export("admin")
        self.assertIsInstance(error, WorkerKilled)
        self.assertEqual(len(self.xero_contacts_named()), 1, "Xero has it")
        self.assertFalse(self.contact_link().get("contact_id"), "Odoo does not, yet")
        with self.committed_env() as env:
            env.cr.execute("UPDATE xero_write SET create_date = create_date - interval '2 minutes'")
        with self.committed_env() as env:
            env["xero.write"]._xero_cron_settle()
        self.assert_one_contact_linked()
        self.assertFalse(self.writes("pending"))

    def test_xero_hanging_is_retried_with_the_same_key(self):
        """Xero saves the contact and hangs past Odoo's timeout (3 s here):
        the gateway retries with the intent's key, Xero replays its answer."""
        self.sandbox.set_faults(hang_after_commit_next=1, hang_seconds=4)
        result, error = self.export("salesman")
        self.assertIsNone(error, error)
        self.assert_one_contact_linked()
        time.sleep(1.5)   # the hung call shows in the sandbox's log once its hang ends
        puts = [c for c in self.sandbox.calls() if c["operation"] == "PUT /Contacts"]
        self.assertGreaterEqual(len(puts), 2)
        self.assertEqual(len({c["idempotency_key"] for c in puts}), 1)


@tagged("post_install", "-at_install", "crm_xero")
class TestUpdateExactlyOnce(WritePathCase):

    def test_update_survives_the_chatter_and_a_second_click_sends_nothing(self):
        self.export("admin")
        with self.committed_env() as env:
            env["res.partner"].browse(self.partner_id).email = "billing@writepath.example"
        self.patch(MailThread, "_message_log", _chatter_refuses)
        for user in USERS:
            with self.subTest(user=user):
                result, error = self.click(user, "res.partner", [self.partner_id],
                                           "action_xero_update")
                self.assertIsNone(error)
                contact = self.assert_one_contact_linked()
                self.assertEqual(contact["EmailAddress"], "billing@writepath.example")
        updates = [c for c in self.sandbox.calls() if c["operation"] == "POST /Contacts/{id}"]
        self.assertEqual(len(updates), 1, "the second click found nothing new to send")
        self.assertEqual(self.contact_link()["odoo_values"]["email"], "billing@writepath.example")


class InvoiceWritePathCase(WritePathCase):
    """The account is in Xero already: the opportunity's invoice is the write."""

    def setUp(self):
        super().setUp()
        self.export("admin")
        self.contact_id = self.contact_link()["contact_id"]

    def lose_the_create_answer(self, lead, user="salesman"):
        """Create Draft Invoice; Xero saves the draft and every answer is
        lost: the intent stays pending, the opportunity knows no invoice.
        Returns how many invoices the customer had in Xero before."""
        before = len(self.xero_invoices_of(self.contact_id))
        self.sandbox.set_faults(drop_after_commit_next=5)
        try:
            _result, error = self.create_invoice(user, lead)
        finally:
            self.sandbox.clear_faults()
        self.assertIsInstance(error, UserError)
        self.assertIn("will not create a duplicate", error.args[0])
        self.assertEqual(len(self.xero_invoices_of(self.contact_id)), before + 1, "Xero saved it")
        self.assertFalse(self.invoice_link(lead)["invoice_id"], "Odoo does not know it")
        return before


@tagged("post_install", "-at_install", "crm_xero")
class TestInvoiceExactlyOnce(InvoiceWritePathCase):

    def test_a_salesperson_without_email_creates_one_invoice(self):
        lead = self.new_opportunity("salesman")
        result, error = self.create_invoice("salesman", lead)
        self.assertIsNone(error)
        self.assertEqual(result["params"]["type"], "success")
        invoices = self.xero_invoices_of(self.contact_id)
        self.assertEqual(len(invoices), 1)
        self.assertEqual(self.invoice_link(lead)["invoice_id"], invoices[0]["InvoiceID"])
        self.assertIn(invoices[0]["InvoiceNumber"], result["params"]["message"])

    def check_one_invoice_after(self, user, failure, seen=None):
        """Click with ``failure`` injected, Xero accepting the invoice; if the
        user saw an error (``seen``: its class, or None when the failure is
        absorbed), click again as they would: one invoice, linked."""
        lead = self.new_opportunity(user)
        before = len(self.xero_invoices_of(self.contact_id))
        with failure:
            result, error = self.create_invoice(user, lead)
        self.assertEqual(len(self.xero_invoices_of(self.contact_id)), before + 1,
                         "Xero accepted the invoice before the failure")
        if seen is None:
            self.assertIsNone(error, error)
        else:
            self.assertIsInstance(error, seen)
            self.assertFalse(self.invoice_link(lead)["invoice_id"], "Odoo lost the answer")
            result, error = self.create_invoice(user, lead)
        self.assertIsNone(error, error)
        invoices = self.xero_invoices_of(self.contact_id)
        self.assertEqual(len(invoices), before + 1, "one invoice in Xero")
        mine = self.invoice_link(lead)
        self.assertIn(mine["invoice_id"], [i["InvoiceID"] for i in invoices], "linked in Odoo")
        self.assertEqual(mine["status"], "DRAFT")
        self.assertIn(mine["number"], result["params"]["message"])
        return lead

    def test_chatter_refusing_never_makes_a_second_invoice(self):
        for user in USERS:
            with self.subTest(user=user):
                lead = self.check_one_invoice_after(
                    user, patch.object(MailThread, "_message_log", _chatter_refuses))
                with self.committed_env() as env:
                    notes = env["crm.lead"].browse(lead).message_ids
                    self.assertFalse(notes.filtered(lambda m: "created in Xero" in (m.body or "")),
                                     "the chatter did refuse the note")

    def test_killed_worker_never_makes_a_second_invoice(self):
        for user in USERS:
            with self.subTest(user=user):
                self.check_one_invoice_after(user, self.kill_after("create_invoice"),
                                             seen=WorkerKilled)

    def test_serialization_failure_never_makes_a_second_invoice(self):
        for user in USERS:
            with self.subTest(user=user):
                conflict = _conflict_once(XeroInvoiceLink._xero_apply_write,
                                          self.serialization_failure())
                self.check_one_invoice_after(user, patch.object(
                    XeroInvoiceLink, "_xero_apply_write", conflict))
                self.assertEqual(len(conflict.failures), 1, "it failed once; Odoo retried")

    def test_dropped_connection_never_makes_a_second_invoice(self):
        class Dropped:
            def __enter__(inner):
                self.sandbox.set_faults(drop_after_commit_next=5)

            def __exit__(inner, *exc):
                self.sandbox.clear_faults()
        for user in USERS:
            with self.subTest(user=user):
                self.check_one_invoice_after(user, Dropped(), seen=UserError)

    def test_update_draft_invoice_after_a_dropped_answer_then_again_sends_it_once(self):
        for user in USERS:
            with self.subTest(user=user):
                lead = self.new_opportunity(user)
                self.assertIsNone(self.create_invoice(user, lead)[1])
                with self.committed_env() as env:
                    env["crm.lead"].browse(lead).expected_revenue = 1750.0
                invoice_id = self.invoice_link(lead)["invoice_id"]
                self.sandbox.clear_calls()
                self.sandbox.set_faults(drop_after_commit_next=5)
                try:
                    _result, error = self.click(user, "crm.lead", [lead],
                                                "action_xero_update_invoice")
                finally:
                    self.sandbox.clear_faults()
                self.assertIsInstance(error, UserError)
                self.assertEqual(self.sandbox.invoice(self.tenant, invoice_id)["SubTotal"],
                                 1750.0, "Xero took the update")
                result, error = self.click(user, "crm.lead", [lead],
                                           "action_xero_update_invoice")
                self.assertIsNone(error, error)
                self.assertEqual(result["params"]["type"], "success")
                with self.committed_env() as env:
                    self.assertEqual(env["crm.lead"].browse(lead).xero_invoice_link_id.subtotal,
                                     1750.0, "Odoo shows what Xero has")
                posts = [c for c in self.sandbox.calls()
                         if c["operation"] == "POST /Invoices/{id}"]
                self.assertEqual(len({c["idempotency_key"] for c in posts}), 1,
                                 "every attempt was the one intent")

    def test_a_write_the_job_gave_up_on_is_still_finished_by_the_next_click(self):
        lead = self.new_opportunity("salesman")
        self.lose_the_create_answer(lead)
        with self.committed_env() as env:   # ten runs of the job, Xero unreachable each time
            env.cr.execute("UPDATE xero_write SET attempts = 10, "
                           "create_date = create_date - interval '2 minutes' "
                           "WHERE state = 'pending'")
        self.sandbox.set_faults(error_next=50)   # and once more: Xero down
        with self.committed_env() as env:
            env["xero.write"]._xero_cron_settle()
        self.sandbox.clear_faults()
        self.assertEqual([w["state"] for w in self.writes() if w["operation"] ==
                          "invoice_create"], ["failed"])
        result, error = self.create_invoice("salesman", lead)
        self.assertIsNone(error, error)
        invoices = self.xero_invoices_of(self.contact_id)
        self.assertEqual(len(invoices), 1, "the same intent, the same key: no second invoice")
        self.assertEqual(self.invoice_link(lead)["invoice_id"], invoices[0]["InvoiceID"])

    def test_deleting_an_opportunity_whose_create_answer_was_lost_deletes_the_draft(self):
        lead = self.new_opportunity("salesman")
        self.lose_the_create_answer(lead)
        draft = self.xero_invoices_of(self.contact_id)[0]
        result, error = self.click("admin", "crm.lead", [lead], "unlink")
        self.assertIsNone(error, error)
        self.assertEqual(self.sandbox.invoice(self.tenant, draft["InvoiceID"])["Status"],
                         "DELETED", "no draft left in Xero that Odoo never knew")
        with self.committed_env() as env:
            self.assertFalse(env["crm.lead"].with_context(active_test=False).browse(lead)
                             .exists())

    def test_two_workers_creating_the_same_invoice_make_one_and_both_see_it(self):
        """Two clicks at once (two workers, one opportunity): one sends, the
        other waits for it and shows its result; neither refuses."""
        lead = self.new_opportunity("salesman")
        wizards = []
        for _i in range(2):
            action, error = self.click("salesman", "crm.lead", [lead],
                                       "action_xero_create_invoice")
            self.assertIsNone(error)
            wizards.append(action["res_id"])
        self.sandbox.set_faults(delay=0.5)   # Xero takes a while: the clicks overlap
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
        errors = [error for _result, error in results if error]
        self.assertEqual(errors, [])
        kinds = sorted(result["params"]["type"] for result, _error in results)
        self.assertEqual(kinds, ["info", "success"], "one made it, the other saw it made")
        invoices = self.xero_invoices_of(self.contact_id)
        self.assertEqual(len(invoices), 1)
        number = self.invoice_link(lead)["number"]
        self.assertTrue(all(number in result["params"]["message"] for result, _e in results))

    def test_a_salesperson_who_may_not_delete_leaves_the_draft(self):
        lead = self.new_opportunity("salesman")
        self.create_invoice("salesman", lead)
        invoice_id = self.invoice_link(lead)["invoice_id"]
        self.sandbox.clear_calls()
        _result, error = self.click("salesman", "crm.lead", [lead], "unlink")
        self.assertIsInstance(error, AccessError)
        self.assertEqual(self.sandbox.invoice(self.tenant, invoice_id)["Status"], "DRAFT")
        self.assertFalse(self.sandbox.calls(), "refused before any call to Xero")
        self.assertEqual(self.invoice_link(lead)["status"], "DRAFT")

    def test_killed_worker_during_delete_then_delete_again(self):
        lead = self.new_opportunity("admin")
        self.create_invoice("admin", lead)
        invoice_id = self.invoice_link(lead)["invoice_id"]
        with self.kill_after("update_invoice"):
            _result, error = self.click("admin", "crm.lead", [lead], "unlink")
        self.assertIsInstance(error, WorkerKilled)
        self.assertEqual(self.sandbox.invoice(self.tenant, invoice_id)["Status"], "DELETED")
        with self.committed_env() as env:
            self.assertTrue(env["crm.lead"].browse(lead).exists(), "the delete did not finish")
        result, error = self.click("admin", "crm.lead", [lead], "unlink")
        self.assertIsNone(error)
        with self.committed_env() as env:
            self.assertFalse(env["crm.lead"].browse(lead).exists())
        self.made.remove(("crm.lead", lead))


def _conflict_once(real, failure):
    """``real``, failing the first time with ``failure`` (a real
    serialization failure from PostgreSQL)."""
    def apply(link, write):
        if not apply.failures:
            apply.failures.append(write.id)
            raise failure
        return real(link, write)
    apply.failures = []
    return apply
