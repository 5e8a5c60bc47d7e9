"""From invoice to cash: statuses and amounts kept current (with what changed
in the organisation, on demand, when the opportunity opens), Xero's PDF, payments and
overdue invoices told to the salesperson, and the customer's credit."""
import base64
import uuid
from datetime import date, timedelta

from odoo.tests import tagged

from ..xero.pacing import DEFAULT_PACER
from .test_invoices_case import XeroInvoiceCase


class CashCase(XeroInvoiceCase):

    def setUp(self):
        super().setUp()
        self.leads = self.lead | self.new_opportunity("Hosting", 200.0) \
            | self.new_opportunity("Training", 300.0)
        for lead in self.leads:
            self.create_invoice(lead)
        self.sandbox.clear_calls()

    def refresh_all(self):
        """The scheduled read of what changed in the organisation."""
        self.env.flush_all()
        self.env["xero.contact.link"]._xero_cron_refresh_figures()
        self.env.invalidate_all()

    def activities(self, lead, xmlid):
        return lead.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(xmlid))


@tagged("post_install", "-at_install", "crm_xero")
class TestRefreshInvoices(CashCase):

    def test_invoices_come_with_what_changed_in_the_organisation_not_by_id(self):
        approved, deleted, same = self.leads
        self.refresh_all()   # the first pass reads the organisation's lists once
        self.sandbox.approve(self.tenant, approved.xero_invoice_id)
        self.sandbox.approve(self.tenant, deleted.xero_invoice_id)   # Xero voids approved ones
        self.sandbox.void(self.tenant, deleted.xero_invoice_id)
        self.sandbox.clear_calls()

        self.refresh_all()

        [listed] = self.api_calls("GET /Invoices")
        query = listed["query"]
        self.assertNotIn("IDs=", query, "not by id: what changed, organisation-wide")
        for part in ("summaryOnly=true", "pageSize=1000", "DELETED"):
            self.assertIn(part, query)
        self.assertEqual(len(self.api_calls("GET /CreditNotes")), 1)
        self.assertEqual([c["operation"] for c in self.api_calls()
                          if c["operation"] not in ("GET /Invoices/{id}",
                                                    "GET /Invoices/{id}/OnlineInvoice")],
                         ["GET /Invoices", "GET /CreditNotes"],
                         "two calls however many invoices changed (then the approved one's PDF)")
        self.assertEqual(approved.xero_invoice_status, "AUTHORISED")
        self.assertEqual(approved.xero_invoice_amount_due, 1150.0)
        self.assertTrue(approved.message_ids.filtered(
            lambda m: "now Awaiting payment" in (m.body or "")))
        self.assertEqual(deleted.xero_invoice_status, "VOIDED")
        self.assertFalse(deleted.xero_invoice_open)
        self.assertEqual(same.xero_invoice_status, "DRAFT")
        self.assertEqual([self.xero_invoice(lead.xero_invoice_id)["Status"]
                          for lead in self.leads], ["AUTHORISED", "VOIDED", "DRAFT"])

    def test_an_invoice_xero_no_longer_has_does_not_stop_the_others(self):
        approved, lost, _same = self.leads
        lost.xero_invoice_link_id.sudo().invoice_id = str(uuid.uuid4())  # unknown to Xero
        self.sandbox.approve(self.tenant, approved.xero_invoice_id)
        self.refresh_all()
        self.assertEqual(approved.xero_invoice_status, "AUTHORISED")
        self.assertEqual(lost.xero_invoice_status, "DRAFT", "left as it was")

    def test_a_429_leaves_the_changes_to_the_next_pass(self):
        self.refresh_all()
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id)
        self.sandbox.set_faults(rate_limit_every=1, retry_after=3600)
        self.refresh_all()
        self.assertEqual(self.lead.xero_invoice_status, "DRAFT")
        self.sandbox.clear_faults()
        DEFAULT_PACER.reset()
        self.refresh_all()
        self.assertEqual(self.lead.xero_invoice_status, "AUTHORISED",
                         "the watermark waited for a pass that got through")

    def test_xero_down_leaves_everything_as_it_was(self):
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id)
        self.sandbox.set_faults(error_next=100, error_status=503)
        self.sandbox.clear_calls()
        self.refresh_all()
        self.sandbox.clear_faults()
        self.assertEqual(set(self.leads.mapped("xero_invoice_status")), {"DRAFT"})
        self.assertEqual(len(self.api_calls("GET /Invoices")), 5,
                         "one call and its 4 retries, then stop")

    def test_refresh_on_demand(self):
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id)
        self.sandbox.clear_calls()
        action = self.as_salesman(self.lead).action_xero_refresh_invoice()
        self.env.invalidate_all()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Awaiting payment", action["params"]["message"])
        self.assertEqual(self.lead.xero_invoice_status, "AUTHORISED")
        action = self.as_salesman(self.leads).action_xero_refresh_invoice()
        self.assertIn("3 invoices refreshed", action["params"]["message"])

    def test_a_stale_invoice_is_read_again_when_the_opportunity_opens(self):
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id)
        link = self.lead.xero_invoice_link_id.sudo()
        self.assertFalse(self.as_salesman(self.lead).action_xero_check_invoice(),
                         "read a moment ago: not again")
        link.refreshed_at = link.refreshed_at - timedelta(hours=1)
        self.env.flush_all()
        self.assertTrue(self.as_salesman(self.lead).action_xero_check_invoice())
        self.env.invalidate_all()
        self.assertEqual(self.lead.xero_invoice_status, "AUTHORISED")

    def test_switching_organisation_forgets_the_invoices(self):
        connection = self.xero_connection
        contacts = self.env["xero.contact.link"].sudo().search_count(
            [("connection_id", "=", connection.id), ("contact_id", "!=", False)])
        self.assertEqual(connection._xero_count_links(), contacts + 3)
        connection._xero_forget_organisation()
        self.env.invalidate_all()
        self.assertEqual(connection._xero_count_links(), 0)
        self.assertFalse(any(self.leads.mapped("xero_invoice_id")))


@tagged("post_install", "-at_install", "crm_xero")
class TestWayToCash(CashCase):

    def test_attach_xero_pdf(self):
        action = self.as_salesman(self.lead).action_xero_attach_pdf()
        self.env.invalidate_all()
        self.assertEqual(action["params"]["type"], "success")
        attachment = self.lead.xero_invoice_link_id.pdf_attachment_id
        self.assertEqual(attachment.res_model, "crm.lead")
        self.assertEqual(attachment.res_id, self.lead.id)
        self.assertEqual(attachment.mimetype, "application/pdf")
        raw = base64.b64decode(attachment.datas)
        self.assertTrue(raw.startswith(b"%PDF-"))
        self.assertIn(self.lead.xero_invoice_number.encode(), raw)
        note = self.lead.message_ids.filtered(lambda m: attachment in m.attachment_ids)
        self.assertTrue(note, "on the opportunity's chatter")
        self.assertEqual(len(self.api_calls("GET /Invoices/{id}")), 1)

    def test_approved_in_xero_attaches_the_pdf_and_the_online_invoice(self):
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id)
        self.refresh_all()
        link = self.lead.xero_invoice_link_id
        self.assertEqual(link.pdf_status, "AUTHORISED")
        self.assertTrue(link.pdf_attachment_id)
        self.assertTrue(self.lead.xero_invoice_online_url.startswith(self.sandbox.browser_url))
        self.assertEqual(self.lead.xero_invoice_due_date, link.due_date)
        self.refresh_all()
        self.assertEqual(len(self.env["ir.attachment"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id),
             ("mimetype", "=", "application/pdf")])), 1, "attached once")

    def test_paid_in_xero_shows_paid_and_tells_the_salesperson(self):
        invoice_id = self.lead.xero_invoice_id
        self.sandbox.approve(self.tenant, invoice_id)
        self.sandbox.pay(self.tenant, invoice_id, amount=150)
        self.refresh_all()
        self.assertEqual(self.lead.xero_invoice_status, "AUTHORISED")
        self.assertEqual((self.lead.xero_invoice_amount_paid, self.lead.xero_invoice_amount_due),
                         (150.0, 1000.0), "a part payment")
        self.assertFalse(self.activities(self.lead, "crm_xero.mail_activity_xero_paid"))

        self.sandbox.pay(self.tenant, invoice_id)
        self.refresh_all()
        self.assertEqual(self.lead.xero_invoice_status, "PAID")
        self.assertEqual(self.lead.xero_invoice_amount_due, 0.0)
        self.assertEqual(self.lead.xero_invoice_paid_on, date.today())
        [activity] = self.activities(self.lead, "crm_xero.mail_activity_xero_paid")
        self.assertEqual(activity.user_id, self.salesman)
        self.assertIn(self.lead.xero_invoice_number, activity.summary)
        xero_side = self.xero_invoice(invoice_id)
        self.assertEqual(xero_side["Status"], "PAID")
        self.assertEqual(sum(p["Amount"] for p in xero_side["Payments"]), 1150)

    def test_overdue_gets_one_chase_payment_activity(self):
        past = (date.today() - timedelta(days=3)).isoformat()
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id, due_date=past)
        self.refresh_all()
        self.assertTrue(self.lead.xero_invoice_overdue)
        [chase] = self.activities(self.lead, "crm_xero.mail_activity_xero_chase")
        self.assertEqual(chase.user_id, self.salesman)
        self.assertIn("3 day(s) overdue", chase.note)
        self.refresh_all()
        self.assertEqual(len(self.activities(self.lead, "crm_xero.mail_activity_xero_chase")), 1)

    def test_chasing_follows_the_settings(self):
        self.xero_connection.sudo().write({"chase_activity_enabled": True, "chase_after_days": 7})
        past = (date.today() - timedelta(days=3)).isoformat()
        self.sandbox.approve(self.tenant, self.lead.xero_invoice_id, due_date=past)
        self.refresh_all()
        self.assertFalse(self.activities(self.lead, "crm_xero.mail_activity_xero_chase"),
                         "3 days late, chased after 7")


@tagged("post_install", "-at_install", "crm_xero")
class TestCreditWarning(XeroInvoiceCase):

    def overdue_customer(self):
        overdue = next(c for c in self.xero_contacts()
                       if c["Balances"]["AccountsReceivable"]["Overdue"] > 0
                       and c["ContactStatus"] == "ACTIVE"
                       and c["ContactID"] != self.contact["ContactID"])
        customer = self.linked_account(overdue)
        customer.xero_link_id.sudo()._xero_refresh_figures()
        self.env.invalidate_all()
        return customer, overdue["Balances"]["AccountsReceivable"]["Overdue"]

    def test_a_customer_owing_in_xero_is_flagged_on_the_opportunity(self):
        customer, overdue = self.overdue_customer()
        lead = self.new_opportunity("More work", 100.0, partner=customer)
        self.assertTrue(lead.xero_credit_warning)
        self.assertIn("overdue in Xero", lead.xero_credit_warning_text)
        self.assertIn(customer.name, lead.xero_credit_warning_text)
        self.assertFalse(self.lead.xero_credit_warning, "a customer in good standing")
        self.xero_connection.sudo().credit_warning_amount = overdue + 1
        self.env.invalidate_all()
        self.assertFalse(lead.xero_credit_warning, "under the threshold set in Settings")
        self.xero_connection.sudo().write({"credit_warning_amount": 0,
                                           "credit_warning_enabled": False})
        self.env.invalidate_all()
        self.assertFalse(lead.xero_credit_warning, "turned off")
