"""Company accounts in Xero: found on first opening and in batches, their
figures and their list of Xero invoices and credit notes, on both sides."""
import math

from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from ..xero.responses import parse_xero_date
from .xero_case import XeroHttpCase


class XeroAccountCase(XeroHttpCase):

    def setUp(self):
        super().setUp()
        self.xero_connection = self.connect()
        self.xero_connection._xero_ensure_code_sequence().number_next = 1
        self.sandbox.clear_calls()

    def new_account(self, name, **values):
        return self.env["res.partner"].create({"name": name, "is_company": True, **values})

    def export(self, partner, main_person=None, account_number=None, user=None):
        """Export to Xero as the salesperson (or ``user``) does: the wizard."""
        user = user or self.salesman
        partner.sudo().user_id = partner.user_id or user
        wizard = self.env["xero.export.wizard"].with_user(user).with_context(
            default_partner_id=partner.id).create({})
        if main_person:
            wizard.main_person_id = main_person
        if account_number is not None:
            wizard.account_number = account_number
        self.env.flush_all()   # what the form saved, before the button's request
        result = wizard.action_export()
        # The write path commits in transactions of its own: read afresh.
        self.env.invalidate_all()
        return wizard, result

    def check_link(self, partner, user=None):
        """The account form's first-opening check, as the salesperson."""
        self.env.flush_all()
        state = partner.with_user(user or self.salesman).action_xero_check_link()
        self.env.invalidate_all()
        return state

    def sales_invoices(self, contact_id):
        return [i for i in self.xero_invoices(contact_id=contact_id) if i["Type"] == "ACCREC"]


@tagged("post_install", "-at_install", "crm_xero")
class TestLinking(XeroAccountCase):

    def test_first_opening_links_by_ledger_code_then_name_as_xero_compares_it(self):
        contacts = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"]
        coded = next(c for c in contacts if c.get("AccountNumber"))
        by_code = self.new_account("A name Xero does not know")
        by_code.xero_account_number = coded["AccountNumber"]
        named = next(c for c in contacts if c["ContactID"] != coded["ContactID"])
        by_name = self.new_account(named["Name"].upper())   # Xero compares names case-insensitively
        unknown = self.new_account("Nobody In Xero Ltd")
        self.sandbox.clear_calls()

        for partner in (by_code, by_name, unknown):
            self.check_link(partner)

        self.assertEqual(by_code.xero_contact_id, coded["ContactID"])
        self.assertEqual(by_name.xero_contact_id, named["ContactID"])
        self.assertEqual(by_name.xero_account_number, named.get("AccountNumber") or False)
        self.assertFalse(unknown.xero_in_xero)
        self.assertIn(named["ContactID"], by_name.xero_url)
        self.assertIn(self.xero_connection.short_code, by_name.xero_url)
        searches = self.api_calls("GET /Contacts")
        self.assertEqual(len(searches), 3, "one search per account")
        self.check_link(by_name)
        self.assertEqual(len(self.api_calls("GET /Contacts")), 3, "never again once checked")
        self.assertEqual(self.env["res.partner"].search(
            [("id", "in", (by_code | by_name | unknown).ids), ("xero_in_xero", "=", True)]),
            by_code | by_name)

    def test_an_employee_opens_a_linked_account_as_if_crm_xero_were_not_there(self):
        # Stock or accounting users have no Sales rights: the Xero tab, its
        # invoice list and the first-opening check are not on their form,
        # which opens and saves as without crm_xero.
        paid = self.xero_invoices(status="PAID")
        partner = self.new_account(self.xero_contact(paid[0]["Contact"]["ContactID"])["Name"])
        self.check_link(partner)
        self.assertTrue(partner.xero_invoice_row_ids)
        employee = new_test_user(self.env, "xero_stock_user",
                                 groups="base.group_user,base.group_partner_manager")
        employee_arch = partner.with_user(employee).get_views([(False, "form")])
        salesman_arch = partner.with_user(self.salesman).get_views([(False, "form")])
        for name in ("xero_invoice_row_ids", "xero_check_state", "action_xero_export"):
            self.assertNotIn(name, employee_arch["views"]["form"]["arch"], name)
            self.assertIn(name, salesman_arch["views"]["form"]["arch"], name)
        self.sandbox.clear_calls()
        with Form(partner.with_user(employee)) as form:
            form.phone = "+61 2 5550 0100"
        self.assertEqual(partner.phone, "+61 2 5550 0100")
        self.assertFalse(self.sandbox.calls(), "nothing reached Xero")

    def test_the_batch_link_leaves_an_account_a_user_just_linked_to_them(self):
        # The first-opening check (a user) and the batch job create the same
        # link at once: the job's insert fails in its savepoint, and it goes on.
        partner = self.new_account("Opened Meanwhile Ltd")
        Link = self.env["xero.contact.link"]
        theirs = Link.sudo().create({"connection_id": self.xero_connection.id,
                                     "partner_id": partner.id})
        with mute_logger("odoo.sql_db"):
            self.assertIsNone(Link._xero_new_batch_link(self.xero_connection, partner))
        self.assertEqual(Link.sudo().search([("partner_id", "=", partner.id)]), theirs)
        other = self.new_account("Never Opened Ltd")
        self.assertEqual(Link._xero_new_batch_link(self.xero_connection, other).partner_id, other)

    def test_first_opening_shows_the_figures_without_a_click(self):
        paid = self.xero_invoices(status="PAID")
        contact = self.xero_contact(paid[0]["Contact"]["ContactID"])
        partner = self.new_account(contact["Name"])
        self.check_link(partner)
        self.assertEqual(partner.xero_check_state, "linked")
        self.assertTrue(partner.xero_stats_refreshed_at, "figures read with the link")
        self.assertGreater(partner.xero_total_sales, 0)
        self.assertEqual(partner.xero_currency_id.name, "USD")
        self.assertTrue(partner.xero_invoice_row_ids)

    def test_a_down_or_busy_xero_never_breaks_the_form(self):
        named = self.active_contact()
        partner = self.new_account(named["Name"])
        self.sandbox.set_faults(error_next=20, error_status=503)
        self.assertFalse(self.check_link(partner))
        self.assertFalse(partner.xero_in_xero)
        self.assertNotEqual(partner.xero_check_state, "not_found", "still to be checked")
        self.sandbox.clear_faults()
        self.assertEqual(self.check_link(partner), "linked")

    def test_batch_link_looks_new_accounts_up_by_a_targeted_search_and_queues_figures(self):
        contacts = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"][:12]
        partners = self.env["res.partner"]
        for contact in contacts:
            partners |= self.new_account(contact["Name"])
        strangers = self.new_account("Stranger One Ltd") | self.new_account("Stranger Two Ltd")
        figures_cron = self.env.ref("crm_xero.ir_cron_xero_first_reads")
        self.env["ir.cron.trigger"].search([("cron_id", "=", figures_cron.id)]).unlink()
        self.sandbox.clear_calls()

        linked, missing = self.env["xero.contact.link"]._xero_link_accounts(self.xero_connection)

        self.assertEqual(linked, 12)
        self.assertEqual(missing, 2, "the company's own partner is never looked up")
        self.assertEqual(partners.mapped("xero_contact_id"), [c["ContactID"] for c in contacts])
        self.assertFalse(any(strangers.mapped("xero_in_xero")))
        self.assertFalse(self.env.company.partner_id.xero_link_ids)
        searches = self.api_calls("GET /Contacts")
        self.assertTrue(searches and len(searches) <= 2, "many accounts a call")
        self.assertTrue(all("where=" in c["query"] for c in searches), "no scan of every contact")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", figures_cron.id)]),
                        "their figures follow at once, in the background")
        self.assertFalse(any(partners.mapped("xero_figures_read")), "not read yet: not shown")
        self.sandbox.clear_calls()
        self.assertEqual(self.env["xero.contact.link"]._xero_link_accounts(self.xero_connection),
                         (0, 0), "already checked")
        [changed] = self.api_calls()
        self.assertTrue(changed["if_modified_since"] and "where" not in changed["query"],
                        "accounts not in Xero: only the contacts changed in Xero since")


@tagged("post_install", "-at_install", "crm_xero")
class TestFiguresAndInvoiceList(XeroAccountCase):

    def linked(self, contact_id):
        contact = self.xero_contact(contact_id)
        partner = self.new_account(contact["Name"])
        self.env["xero.contact.link"].create({
            "connection_id": self.xero_connection.id, "partner_id": partner.id,
            **self.env["xero.contact.link"]._xero_link_values(contact)})
        return partner, contact

    def test_figures_and_list_agree_with_xero_credit_notes_included(self):
        note = next(n for n in self.sandbox.credit_notes(self.tenant)
                    if n["Status"] in ("AUTHORISED", "PAID"))
        partner, contact = self.linked(note["Contact"]["ContactID"])
        self.sandbox.clear_calls()

        partner.with_user(self.salesman).action_xero_refresh_stats()
        self.env.invalidate_all()

        invoices = [i for i in self.sales_invoices(contact["ContactID"])
                    if i["Status"] in ("AUTHORISED", "PAID")]
        notes = [n for n in self.sandbox.credit_notes(self.tenant, contact_id=contact["ContactID"])
                 if n["Status"] in ("AUTHORISED", "PAID")]
        expected = sum(i["Total"] for i in invoices) - sum(n["Total"] for n in notes)
        self.assertAlmostEqual(partner.xero_total_sales, expected, places=2,
                               msg="credit notes reduce sales, as Xero's do")
        self.assertEqual(partner.xero_last_invoice_date,
                         max(parse_xero_date(i["Date"]) for i in invoices))
        receivable = contact["Balances"]["AccountsReceivable"]
        self.assertAlmostEqual(partner.xero_overdue_amount, receivable["Overdue"], places=2)
        rows = partner.xero_invoice_row_ids
        self.assertEqual(set(rows.filtered(lambda r: r.kind == "credit_note").mapped("number")),
                         {n["CreditNoteNumber"] for n in notes})
        listed = [i for i in self.sales_invoices(contact["ContactID"])
                  if i["Status"] in ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")]
        self.assertEqual(set(rows.filtered(lambda r: r.kind == "invoice").mapped("number")),
                         {i["InvoiceNumber"] for i in listed})
        sales_rows = rows.filtered(lambda r: r.status in ("AUTHORISED", "PAID"))
        self.assertAlmostEqual(sum(sales_rows.mapped("base_total")), partner.xero_total_sales,
                               places=2, msg="the list's totals agree with the panel")
        self.assertTrue(all("/organisationlogin/default.aspx?shortcode=" in url
                            for url in rows.mapped("url")))
        self.assertEqual(len(self.api_calls("GET /Invoices")), 1)
        self.assertEqual(len(self.api_calls("GET /CreditNotes")), 1)

    def test_a_thousand_accounts_take_a_few_calls(self):
        self.sandbox.reset(contacts=1000)
        connection = self.connect()
        contacts = self.xero_contacts()
        self.env["res.partner"].create([{"name": c["Name"], "is_company": True} for c in contacts])
        self.sandbox.clear_calls()

        linked, _missing = self.env["xero.contact.link"]._xero_link_accounts(connection)
        link_calls = len(self.sandbox.calls())
        self.env["xero.contact.link"]._xero_cron_refresh_figures()
        figures_calls = len(self.sandbox.calls()) - link_calls

        self.assertEqual(linked, len(contacts))
        self.assertEqual(link_calls, 1, "1,000 accounts to look up: one scan of one page")
        invoices = [i for i in self.xero_invoices() if i["Type"] == "ACCREC"
                    and i["Status"] in ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")]
        notes = self.sandbox.credit_notes(self.tenant)
        self.assertEqual(figures_calls, math.ceil(len(invoices) / 1000)
                         + math.ceil(len(notes) / 1000),
                         "the organisation's lists, 1,000 a call, instead of 2 per 100 accounts")
        self.assertTrue(all(connection.contact_link_ids.filtered("contact_id").mapped(
            "stats_refreshed_at")))
        rows = self.env["xero.contact.invoice"].search_count(
            [("link_id.connection_id", "=", connection.id)])
        self.assertEqual(rows, len([i for i in invoices if i["Contact"]["ContactID"] in
                                    {c["ContactID"] for c in contacts}]) + len(
            [n for n in notes if n["Status"] in ("AUTHORISED", "PAID")]))
