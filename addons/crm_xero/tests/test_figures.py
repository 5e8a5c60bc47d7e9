"""Figures are read, never invented: after Import Xero Data, the batch link or
"Link to the existing contact", an account says its Xero figures are not
read yet (no 0.00 in its form, the list or the kanban) until the background
reads them, at once; then they are Xero's own, and a new opportunity of a
customer who owes Xero shows the credit warning.  As the salesperson (Own
Documents Only, no email) and the admin; Xero's side through the sandbox's
control API."""
from odoo.tests import tagged

from .test_import import XeroImportCase

FIGURES = ["xero_in_xero", "xero_figures_read", "xero_figures_note", "xero_total_sales",
           "xero_outstanding_amount", "xero_overdue_amount", "xero_invoice_row_ids"]


class FiguresCase(XeroImportCase):

    def setUp(self):
        super().setUp()
        self.figures_cron = self.env.ref("crm_xero.ir_cron_xero_first_reads")
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.figures_cron.id)]).unlink()

    def owing(self, without_credit=True):
        """A Xero customer with overdue invoices (and no open credit, whose
        Outstanding Xero lowers), as the sandbox holds it."""
        notes = {n["Contact"]["ContactID"] for n in self.sandbox.credit_notes(self.tenant)
                 if n["Status"] == "AUTHORISED"}
        return next(c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"
                    and c["Balances"]["AccountsReceivable"]["Overdue"] > 0
                    and not (without_credit and c["ContactID"] in notes))

    def woken(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.figures_cron.id)])

    def background_read(self):
        """What Odoo's cron worker runs once woken: the first reads."""
        self.assertTrue(self.woken(), "the figures are read at once, in the background")
        self.env.flush_all()
        self.sandbox.clear_calls()
        self.env["xero.contact.link"]._xero_cron_first_reads()
        self.env.invalidate_all()

    def seen_by(self, partner, user):
        return partner.with_user(user).read(FIGURES)[0]

    def assert_not_read(self, partner):
        for user in (self.salesman, self.env.ref("base.user_admin")):
            seen = self.seen_by(partner, user)
            self.assertTrue(seen["xero_in_xero"], user.name)
            self.assertFalse(seen["xero_figures_read"], user.name)
            self.assertEqual(seen["xero_figures_note"], "Not read yet", user.name)
            self.assertFalse(seen["xero_invoice_row_ids"], user.name)

    def assert_xeros_figures(self, partner, contact):
        receivable = self.xero_contact(contact["ContactID"])["Balances"]["AccountsReceivable"]
        numbers = {i["InvoiceNumber"] for i in self.xero_invoices(contact_id=contact["ContactID"])
                   if i["Type"] == "ACCREC"
                   and i["Status"] in ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")}
        for user in (self.salesman, self.env.ref("base.user_admin")):
            seen = self.seen_by(partner, user)
            self.assertTrue(seen["xero_figures_read"], user.name)
            self.assertFalse(seen["xero_figures_note"], user.name)
            self.assertAlmostEqual(seen["xero_overdue_amount"], receivable["Overdue"], places=2)
            self.assertAlmostEqual(seen["xero_outstanding_amount"], receivable["Outstanding"],
                                   places=2)
            rows = self.env["xero.contact.invoice"].browse(seen["xero_invoice_row_ids"])
            self.assertEqual(set(rows.filtered(lambda r: r.kind == "invoice").mapped("number")),
                             numbers)


@tagged("post_install", "-at_install", "crm_xero")
class TestFiguresReadNeverInvented(FiguresCase):

    def test_after_the_import_figures_are_not_read_yet_then_xeros_own(self):
        contact = self.owing()
        self.run_import()
        partner = self.account(contact["Name"])

        self.assert_not_read(partner)
        self.background_read()

        self.assert_xeros_figures(partner, contact)
        listed = [c["operation"] for c in self.api_calls()]
        self.assertEqual(listed, ["GET /Invoices", "GET /CreditNotes"],
                         "every imported account at once: the organisation's lists, 1,000 a call")

    def test_a_new_opportunity_of_an_overdue_customer_warns_once_figures_are_read(self):
        contact = self.owing()
        self.run_import()
        partner = self.account(contact["Name"])
        lead = self.env["crm.lead"].with_user(self.salesman).create({
            "name": "Another order", "type": "opportunity", "partner_id": partner.id,
            "user_id": self.salesman.id})
        self.assertFalse(lead.xero_credit_warning, "nothing read: nothing said yet")

        self.background_read()

        lead = lead.with_user(self.salesman)
        lead.invalidate_recordset()
        self.assertTrue(lead.xero_credit_warning)
        overdue = self.xero_contact(contact["ContactID"])["Balances"]["AccountsReceivable"][
            "Overdue"]
        self.assertIn("{:,.2f}".format(overdue), lead.xero_credit_warning_text.replace(
            "\xa0", " "))
        self.assertIn(partner.name, lead.xero_credit_warning_text)

    def test_the_batch_link_reads_the_linked_accounts_figures_at_once(self):
        contact = self.owing()
        partner = self.env["res.partner"].create({"name": contact["Name"], "is_company": True})
        self.env["xero.contact.link"]._xero_link_accounts(self.xero_connection)
        self.env.invalidate_all()

        self.assert_not_read(partner)
        self.background_read()

        self.assert_xeros_figures(partner, contact)

    def test_link_to_the_existing_contact_reads_its_figures_at_once(self):
        contact = self.owing()
        partner = self.env["res.partner"].create({"name": contact["Name"], "is_company": True,
                                                  "user_id": self.salesman.id})
        wizard = self.env["xero.export.wizard"].with_user(self.salesman).with_context(
            default_partner_id=partner.id).create({})
        self.env.flush_all()
        wizard.action_export()
        self.assertEqual((wizard.state, wizard.clash_contact_id),
                         ("clash", contact["ContactID"]), "Xero has the name already")
        wizard.action_link_existing()
        self.env.invalidate_all()

        self.assertEqual(partner.xero_contact_id, contact["ContactID"])
        self.assert_not_read(partner)
        self.background_read()

        self.assert_xeros_figures(partner, contact)

    def test_the_views_show_no_figure_that_was_not_read(self):
        contact = self.owing()
        self.run_import()
        partner = self.account(contact["Name"]).with_user(self.salesman)
        views = partner.get_views([(False, "form"), (False, "list"), (False, "kanban")])["views"]
        form, listing, kanban = (views[kind]["arch"] for kind in ("form", "list", "kanban"))
        for name in ("xero_total_sales", "xero_outstanding_amount", "xero_overdue_amount"):
            self.assertRegex(form, r'name="%s"[^>]*invisible="not xero_figures_read"' % name)
        self.assertIn("Not read from Xero yet", form)
        self.assertRegex(listing, r'name="xero_overdue_amount"[^>]*invisible="not '
                                  r'xero_figures_read"')
        self.assertIn('name="xero_figures_note"', listing)
        self.assertIn("Xero figures not read yet", kanban)
        row = partner.web_search_read([("id", "=", partner.id)], {
            "xero_figures_read": {}, "xero_figures_note": {}})["records"][0]
        self.assertEqual((row["xero_figures_read"], row["xero_figures_note"]),
                         (False, "Not read yet"))
