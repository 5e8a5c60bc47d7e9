"""Exactly once where a retry is not a plain repeat, on committed transactions:
a token refreshed in the middle of a click, an opportunity edited between a
lost answer and the next click, Idempotency-Keys Xero has forgotten, and the
connection's technical fields out of RPC's reach.

Each case is clicked as the salesperson with *Own Documents Only* rights and
no email address, and as an administrator, and checked on both sides: one
record in Xero (read through the sandbox's control API), linked in Odoo, and
what the user read.
"""
import itertools
from datetime import datetime, timedelta

from odoo import api
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..models import xero_connection as connection_module
from .test_write_path import USERS, InvoiceWritePathCase, WritePathCase


@tagged("post_install", "-at_install", "crm_xero")
class TestTokenRefreshMidClick(WritePathCase):
    """A refresh commits the connection's row in a transaction of its own,
    while the click's transaction (REPEATABLE READ, its snapshot older)
    goes on to insert rows that reference that row: its wizard, its
    intents.  Odoo must never have to retry the click for it."""

    def setUp(self):
        super().setUp()
        self.export("admin")

    def click_once(self, cr, user, model, ids, method):
        """``method`` in the click's transaction ``cr``, with no retry."""
        env = api.Environment(cr, self.ids[user], {"allowed_company_ids": [self.ids["company"]]})
        return getattr(env[model].browse(ids), method)()

    def refreshes(self):
        return self.sandbox.stats()["token_requests"].get("refresh_token", 0)

    def expire_the_token(self):
        """As 30 minutes later: Odoo's token is past its expiry, Xero's too."""
        with self.committed_env() as env:
            env["xero.connection"].browse(self.ids["connection"]).token_expires_at = \
                datetime.utcnow() - timedelta(minutes=1)
        connection_module._TOKEN_CACHE.clear()
        self.sandbox.expire_tokens()

    def another_worker_refreshes(self):
        with self.committed_env() as env:
            connection = env["xero.connection"].browse(self.ids["connection"])
            connection._xero_access_token(rejected_token=connection.access_token)
        connection_module._TOKEN_CACHE.clear()   # that worker's memory, not this one's

    def test_a_token_refreshed_during_a_click_never_fails_the_click(self):
        for user in USERS:
            for refresher in ("the click itself", "another worker"):
                with self.subTest(user=user, refresher=refresher):
                    lead = self.new_opportunity(user)
                    self.sandbox.clear_calls()
                    refreshed = self.refreshes()
                    with self.db_registry.cursor() as cr:
                        self.click_once(cr, user, "crm.lead", [lead], "read")  # its snapshot
                        if refresher == "the click itself":
                            self.expire_the_token()
                        else:
                            self.another_worker_refreshes()
                        # The wizard row references the refreshed connection row.
                        action = self.click_once(cr, user, "crm.lead", [lead],
                                                 "action_xero_create_invoice")
                        if refresher == "another worker":
                            self.another_worker_refreshes()
                        result = self.click_once(cr, user, "xero.invoice.wizard",
                                                 [action["res_id"]], "action_create")
                    self.assertEqual(result["params"]["type"], "success")
                    if refresher == "the click itself":
                        self.assertGreater(self.refreshes(), refreshed, "the click refreshed")
                    invoices = self.xero_invoices_of(self.contact_link()["contact_id"])
                    mine = [i for i in invoices if i["InvoiceID"] ==
                            self.invoice_link(lead)["invoice_id"]]
                    self.assertEqual(len(mine), 1, "linked in Odoo")
                    self.assertIn(mine[0]["InvoiceNumber"], result["params"]["message"])
                    puts = [c for c in self.sandbox.calls() if c["operation"] == "PUT /Invoices"]
                    self.assertEqual(len({c["idempotency_key"] for c in puts}), 1,
                                     "one intent: Odoo never retried the click")
                    self.assertEqual([c["status"] for c in puts if c["status"] != 401], [200])


@tagged("post_install", "-at_install", "crm_xero")
class TestInvoiceRetryHardCases(InvoiceWritePathCase):

    def assert_one_invoice_linked(self, lead, before, subtotal):
        invoices = self.xero_invoices_of(self.contact_id)
        self.assertEqual(len(invoices), before + 1, "one invoice in Xero")
        link = self.invoice_link(lead)
        made = next(i for i in invoices if i["InvoiceID"] == link["invoice_id"])
        self.assertEqual(made["SubTotal"], subtotal, "Xero has the opportunity as it is now")
        with self.committed_env() as env:
            self.assertEqual(env["crm.lead"].browse(lead).xero_invoice_link_id.subtotal,
                             subtotal, "and Odoo shows what Xero has")
        return made

    def test_an_edit_between_a_lost_answer_and_the_next_click_updates_the_one_invoice(self):
        for user in USERS:
            with self.subTest(user=user):
                lead = self.new_opportunity(user, revenue=300.0)
                before = self.lose_the_create_answer(lead, user)
                with self.committed_env() as env:
                    env["crm.lead"].browse(lead).expected_revenue = 350.0
                self.sandbox.clear_calls()
                result, error = self.create_invoice(user, lead)
                self.assertIsNone(error, error)
                self.assertEqual(result["params"]["type"], "success")
                made = self.assert_one_invoice_linked(lead, before, 350.0)
                self.assertIn(made["InvoiceNumber"], result["params"]["message"])
                self.assertEqual(made["Status"], "DRAFT")
                self.assertFalse([c for c in self.sandbox.calls() if c["status"] >= 400],
                                 "no key was ever sent with another request")

    def test_a_create_whose_key_xero_forgot_is_found_not_made_twice(self):
        for user in USERS:
            with self.subTest(user=user):
                lead = self.new_opportunity(user, revenue=420.0)
                before = self.lose_the_create_answer(lead, user)
                self.assertGreaterEqual(self.sandbox.forget_idempotency_keys(self.tenant), 1)
                self.sandbox.clear_calls()
                result, error = self.create_invoice(user, lead)
                self.assertIsNone(error, error)
                made = self.assert_one_invoice_linked(lead, before, 420.0)
                self.assertIn(made["InvoiceNumber"], result["params"]["message"])
                self.assertFalse([c for c in self.sandbox.calls()
                                  if c["operation"] == "PUT /Invoices"],
                                 "found in Xero and adopted: no second create")

    def test_the_recovery_job_finds_a_create_whose_key_xero_forgot(self):
        lead = self.new_opportunity("salesman", revenue=510.0)
        before = self.lose_the_create_answer(lead)
        self.sandbox.forget_idempotency_keys(self.tenant)
        with self.committed_env() as env:
            env.cr.execute("UPDATE xero_write SET create_date = create_date - interval '2 minutes'"
                           " WHERE state = 'pending'")
        with self.committed_env() as env:
            env["xero.write"]._xero_cron_settle()
        self.assert_one_invoice_linked(lead, before, 510.0)
        self.assertEqual([w["state"] for w in self.writes() if w["operation"] ==
                          "invoice_create"][:1], ["done"])


@tagged("post_install", "-at_install", "crm_xero")
class TestExportRetryHardCases(WritePathCase):

    def test_an_export_whose_key_xero_forgot_links_the_contact_it_made(self):
        for user in USERS:
            with self.subTest(user=user):
                self.fresh_account()
                self.lose_the_export_answer(user)
                self.sandbox.forget_idempotency_keys(self.tenant)
                self.sandbox.clear_calls()
                result, error = self.export(user)
                self.assertIsNone(error, error)
                self.assertEqual(result.get("params", {}).get("type"), "success", result)
                self.assert_one_contact_linked()
                self.assertFalse([c for c in self.sandbox.calls()
                                  if c["operation"] == "PUT /Contacts"], "no second create")

    def test_an_export_refused_as_a_duplicate_of_its_own_contact_links_it(self):
        """An export whose intent ended refused (a retry that met Xero's "name
        already used" because Xero had forgotten the key): the next click
        knows the contact by this account's ContactNumber and links it."""
        for user in USERS:
            with self.subTest(user=user):
                self.fresh_account()
                self.lose_the_export_answer(user)
                with self.committed_env() as env:
                    env.cr.execute("UPDATE xero_write SET state = 'refused' WHERE state = "
                                   "'pending' AND operation = 'contact_create'")
                result, error = self.export(user)
                self.assertIsNone(error, error)
                self.assertEqual(result.get("params", {}).get("type"), "success", result)
                self.assert_one_contact_linked()


@tagged("post_install", "-at_install", "crm_xero")
class TestConnectionFieldsOutOfReach(WritePathCase):
    """The organisation a company's data goes to, and its tokens, are set by
    connecting Xero: a Xero manager (or an administrator) writing them over
    RPC is refused, and nothing changes."""

    TECHNICAL = ["state", "tenant_id", "access_token", "refresh_token", "token_expires_at"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.committed_env() as env:   # a Xero manager who is no administrator
            cls.ids["xero_manager"] = new_test_user(
                env, cls.unique_name("xero_manager").replace(" ", "_"),
                groups="crm_xero.group_xero_manager", company_id=cls.ids["company"],
                company_ids=[(6, 0, [cls.ids["company"]])], name="Committed Xero Manager").id

    def technical_values(self):
        with self.committed_env() as env:
            return env["xero.connection"].browse(self.ids["connection"]).read(
                self.TECHNICAL)[0]

    def test_a_xero_manager_cannot_write_the_connections_technical_fields(self):
        before = self.technical_values()
        for user, values in itertools.product(("xero_manager", "admin"), (
                {"state": "not_connected"}, {"tenant_id": "another-organisation"},
                {"access_token": "forged"}, {"refresh_token": "forged"},
                {"token_expires_at": "2030-01-01 00:00:00"},
                {"state": "connected", "invoice_account_code": "200"})):
            with self.subTest(user=user, values=values):
                _result, error = self.click(user, "xero.connection", [self.ids["connection"]],
                                            "write", values)
                self.assertIsInstance(error, AccessError)
        for user in ("xero_manager", "admin"):
            _result, error = self.click(user, "xero.connection", [], "create", {
                "company_id": self.ids["company"], "tenant_id": "another-organisation"})
            self.assertIsInstance(error, AccessError)
        self.assertEqual(self.technical_values(), before, "nothing changed")
        # What Settings edit stays the managers' to change.
        for user, code in (("xero_manager", "201"), ("admin", "200")):
            _result, error = self.click(user, "xero.connection", [self.ids["connection"]],
                                        "write", {"invoice_account_code": code})
            self.assertIsNone(error, error)
            self.assertEqual(self.read("xero.connection", self.ids["connection"],
                                       "invoice_account_code")["invoice_account_code"], code)
