"""What a user meets first on an opportunity (issue 20): Update Draft Invoice
stays on the record; Create Draft Invoice says why it cannot be used yet
(no customer, nothing to invoice) and refuses on the server anyway; one PDF
per invoice version; the delete prompt in our own words, its button red,
and a notice once the draft is deleted.  Driven as the salesperson (Own
Documents Only, no email) and the admin; both sides checked."""
import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_invoices_case import XeroInvoiceCase
from .test_screens_accounts import RELOAD_IN_PLACE


@tagged("post_install", "-at_install", "crm_xero")
class TestScreensInvoices(XeroInvoiceCase):

    def users(self):
        return (self.salesman, self.env.ref("base.user_admin"))

    def test_update_draft_invoice_stays_on_the_record(self):
        for user in self.users():
            with self.subTest(user=user.login):
                lead = self.new_opportunity("Stay %s" % user.login, 1000.0)
                self.create_invoice(lead)
                lead.expected_revenue = 1200.0
                self.env.flush_all()
                result = lead.with_user(user).action_xero_update_invoice()
                self.env.invalidate_all()
                self.assertEqual(result["params"]["type"], "success")
                self.assertEqual(result["params"]["next"], RELOAD_IN_PLACE)
                self.assertEqual(self.invoice_in_xero(lead)["SubTotal"], 1200.0)

    def test_create_draft_invoice_says_why_it_cannot_be_used_yet(self):
        nobody = self.new_opportunity("No customer yet", 500.0)
        nobody.partner_id = False
        nothing = self.new_opportunity("No revenue yet", 0.0)
        ready = self.new_opportunity("Ready", 10.0)
        for user in self.users():
            with self.subTest(user=user.login):
                leads = (nobody | nothing | ready).with_user(user)
                self.assertIn("customer", leads[0].xero_invoice_hint)
                self.assertIn("expected revenue", leads[1].xero_invoice_hint)
                self.assertFalse(leads[2].xero_invoice_hint)
                # The server refuses anyway, before opening anything or calling Xero.
                self.sandbox.clear_calls()
                with self.assertRaisesRegex(UserError, "expected revenue"):
                    leads[1].action_xero_create_invoice()
                with self.assertRaisesRegex(UserError, "customer"):
                    leads[0].action_xero_create_invoice()
                self.assertFalse(self.api_calls(), "Xero was not asked")
                self.assertFalse(self.env["xero.invoice.wizard"].search(
                    [("lead_id", "in", (nobody | nothing).ids)]), "no wizard opened")
        self.assertFalse(self.invoices_for(nothing) + self.invoices_for(nobody))

    # -- one PDF per invoice version ------------------------------------------------------
    def pdfs(self, lead):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id),
             ("mimetype", "=", "application/pdf")], order="id")

    def test_approval_replaces_the_pdf_of_the_same_version(self):
        for user in self.users():
            with self.subTest(user=user.login):
                lead = self.new_opportunity("Approved %s" % user.login, 300.0)
                self.create_invoice(lead)
                lead.with_user(user).action_xero_attach_pdf()
                self.env.invalidate_all()
                number = lead.xero_invoice_number
                self.assertEqual(self.pdfs(lead).mapped("name"), ["%s.pdf" % number])
                self.sandbox.approve(self.tenant, lead.xero_invoice_id)
                self.as_salesman(lead).action_xero_refresh_invoice()
                self.env.invalidate_all()
                self.assertEqual(lead.xero_invoice_status, "AUTHORISED")
                pdfs = self.pdfs(lead)
                self.assertEqual(pdfs.mapped("name"), ["%s.pdf" % number], "one PDF, replaced")
                self.assertIn(b"Awaiting Payment", base64.b64decode(pdfs.datas),
                              "the approved one, as Xero makes it now")
                self.assertEqual(self.invoice_in_xero(lead)["Status"], "AUTHORISED")
                # Attaching again: still that one.
                lead.with_user(user).action_xero_attach_pdf()
                self.env.invalidate_all()
                self.assertEqual(len(self.pdfs(lead)), 1)

    def test_a_new_version_after_an_update_is_a_new_pdf_named_apart(self):
        for user in self.users():
            with self.subTest(user=user.login):
                lead = self.new_opportunity("Versions %s" % user.login, 300.0)
                self.create_invoice(lead)
                lead.with_user(user).action_xero_attach_pdf()
                lead.expected_revenue = 450.0
                self.env.flush_all()
                lead.with_user(user).action_xero_update_invoice()
                lead.with_user(user).action_xero_attach_pdf()
                lead.with_user(user).action_xero_attach_pdf()   # the same version again
                self.env.invalidate_all()
                number = lead.xero_invoice_number
                pdfs = self.pdfs(lead)
                self.assertEqual(pdfs.mapped("name"),
                                 ["%s.pdf" % number, "%s (version 2).pdf" % number])
                self.assertIn(b"450.00", base64.b64decode(pdfs[1].datas))
                self.assertNotIn(b"450.00", base64.b64decode(pdfs[0].datas))
                self.assertEqual(self.invoice_in_xero(lead)["SubTotal"], 450.0)

    # -- the delete prompt ----------------------------------------------------------------
    def test_the_delete_prompt_is_in_our_words_and_a_notice_follows(self):
        self.create_invoice()
        number = self.lead.xero_invoice_number
        other = self.new_opportunity("No invoice", 10.0)
        prompt = self.env["crm.lead"].xero_delete_confirmation((self.lead | other).ids)
        self.assertIn(number, prompt["body"])
        self.assertIn("Delete", prompt["title"])
        self.assertNotIn("Bye-bye", str(prompt))
        self.assertEqual(prompt["done"], "Draft invoice %s deleted in Xero." % number)
        self.assertFalse(self.env["crm.lead"].xero_delete_confirmation(other.ids))
        self.lead.with_user(self.env.ref("base.user_admin")).unlink()
        self.assertEqual(self.xero_invoice(self.invoices_for()[0]["InvoiceID"])["Status"],
                         "DELETED")
