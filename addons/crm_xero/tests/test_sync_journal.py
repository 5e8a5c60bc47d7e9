"""The sync journal (issue 20): every Xero write, for Xero managers without
debug mode (Settings > CRM > Xero), naming the account or opportunity and
the Xero record (its number or name and id, creates included), how many
times it was tried, its state in plain words, and Retry on what failed or
is pending: the write path settles it with its own Idempotency-Key, never a
new write.  On committed transactions, clicked as the web client does."""
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_write_path import InvoiceWritePathCase, WritePathCase

JOURNAL_FIELDS = ("operation", "state", "record_name", "partner_id", "lead_id", "target_id",
                  "xero_name", "attempts", "idempotency_key", "can_retry")


class JournalCase(WritePathCase):

    def journal(self):
        """The journal's rows of this company, newest first, as an admin reads them."""
        with self.committed_env() as env:
            rows = env["xero.write"].with_user(self.ids["admin"]).with_context(
                allowed_company_ids=[self.ids["company"]]).search(
                [("connection_id", "=", self.ids["connection"])])
            return [{field: (row[field].id if field in ("partner_id", "lead_id")
                             else row[field]) for field in JOURNAL_FIELDS} for row in rows]


@tagged("post_install", "-at_install", "crm_xero")
class TestSyncJournal(JournalCase):

    def test_a_created_contact_is_named_on_both_sides_and_tried_once(self):
        _result, error = self.export("salesman")
        self.assertIsNone(error)
        contact = self.assert_one_contact_linked()
        create = next(row for row in self.journal() if row["operation"] == "contact_create")
        self.assertEqual(create["state"], "done")
        self.assertEqual(create["record_name"], self.account_name)
        self.assertEqual(create["partner_id"], self.partner_id)
        self.assertEqual(create["target_id"], contact["ContactID"], "the id of what Xero made")
        self.assertEqual(create["xero_name"], contact["Name"])
        self.assertEqual(create["attempts"], 1, "sent once")
        self.assertFalse(create["can_retry"])

    def test_retry_settles_a_lost_answer_with_the_same_key(self):
        self.lose_the_export_answer("salesman")
        pending = next(row for row in self.journal() if row["operation"] == "contact_create")
        self.assertEqual(pending["state"], "pending")
        self.assertTrue(pending["can_retry"])
        self.assertEqual(pending["xero_name"], self.account_name, "what is being made")
        with self.committed_env() as env:
            write_id = env["xero.write"].search(
                [("idempotency_key", "=", pending["idempotency_key"])]).id
        # A salesperson does not reach the journal; a Xero manager retries.
        _result, error = self.click("salesman", "xero.write", [write_id], "action_xero_retry")
        self.assertIsInstance(error, AccessError)
        self.sandbox.clear_calls()
        result, error = self.click("admin", "xero.write", [write_id], "action_xero_retry")
        self.assertIsNone(error, error)
        self.assertEqual(result["params"]["type"], "success")
        contact = self.assert_one_contact_linked()
        done = next(row for row in self.journal() if row["idempotency_key"]
                    == pending["idempotency_key"])
        self.assertEqual((done["state"], done["target_id"]), ("done", contact["ContactID"]))
        self.assertGreater(done["attempts"], pending["attempts"])
        puts = [c for c in self.sandbox.calls() if c["operation"] == "PUT /Contacts"]
        self.assertTrue(all(c["idempotency_key"] == pending["idempotency_key"] for c in puts),
                        "the retry is the same write, never a new one")
        self.assertEqual(len([row for row in self.journal()
                              if row["operation"] == "contact_create"]), 1)
        # Done: nothing to retry any more.
        _result, error = self.click("admin", "xero.write", [write_id], "action_xero_retry")
        self.assertIsInstance(error, UserError)

    def test_the_journal_is_a_setting_of_xero_managers(self):
        with self.committed_env() as env:
            settings = env["res.config.settings"].with_user(self.ids["admin"])
            arch = settings.get_views([(False, "form")])["views"]["form"]["arch"]
            action = env.ref("crm_xero.xero_write_action")
            self.assertTrue('name="%s"' % action.id in arch, "Settings > CRM > Xero opens it")


@tagged("post_install", "-at_install", "crm_xero")
class TestSyncJournalInvoices(InvoiceWritePathCase, JournalCase):

    def test_a_created_invoice_shows_its_number_and_id_and_its_opportunity(self):
        lead = self.new_opportunity("salesman")
        _result, error = self.create_invoice("salesman", lead)
        self.assertIsNone(error, error)
        link = self.invoice_link(lead)
        create = next(row for row in self.journal() if row["operation"] == "invoice_create")
        self.assertEqual((create["lead_id"], create["partner_id"]), (lead, False))
        with self.committed_env() as env:
            self.assertEqual(create["record_name"], env["crm.lead"].browse(lead).name)
        self.assertEqual(create["target_id"], link["invoice_id"])
        self.assertEqual(create["xero_name"], link["number"])
        self.assertEqual(self.sandbox.invoice(self.tenant, link["invoice_id"])["InvoiceNumber"],
                         link["number"])
        self.assertEqual(create["attempts"], 1)
