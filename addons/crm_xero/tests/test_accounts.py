"""Company accounts <-> Xero contacts: link, figures, export, update."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..xero.responses import parse_xero_date
from .xero_case import XeroHttpCase


class XeroAccountCase(XeroHttpCase):

    def setUp(self):
        super().setUp()
        self.xero_connection = self.connect()
        self.env.ref("crm_xero.seq_customer_code").sudo().number_next = 1
        self.sandbox.clear_calls()

    def xero(self):
        """Reads the sandbox through the same gateway the addon uses."""
        return self.xero_connection._xero_gateway()

    def xero_contacts(self, **filters):
        return self.xero().get_contacts(include_archived=True, **filters)["Contacts"]

    def api_calls(self, operation):
        return [c for c in self.sandbox.calls() if c.get("operation") == operation]

    def new_account(self, name, **values):
        return self.env["res.partner"].create({"name": name, "is_company": True, **values})

    def export(self, partner, main_person=None, account_number=None):
        wizard = partner.env["xero.export.wizard"].with_context(default_partner_id=partner.id).create({})
        if main_person:
            wizard.main_person_id = main_person
        if account_number is not None:
            wizard.account_number = account_number
        wizard.action_export()
        partner.invalidate_recordset()
        return wizard


@tagged("post_install", "-at_install", "crm_xero")
class TestLinking(XeroAccountCase):

    def test_first_opening_links_by_ledger_code_then_name(self):
        coded = next(c for c in self.xero_contacts(where='ContactStatus=="ACTIVE"') if c.get("AccountNumber"))
        by_code = self.new_account("A name Xero does not know")
        by_code.xero_account_number = coded["AccountNumber"]
        named = next(c for c in self.xero_contacts(where='ContactStatus=="ACTIVE"')
                     if c["ContactID"] != coded["ContactID"])
        by_name = self.new_account(named["Name"])
        unknown = self.new_account("Nobody In Xero Ltd")
        self.sandbox.clear_calls()

        self.assertEqual(by_code.action_xero_check_link(), "linked")
        self.assertEqual(by_name.action_xero_check_link(), "linked")
        self.assertEqual(unknown.action_xero_check_link(), "not_found")

        self.assertEqual(by_code.xero_contact_id, coded["ContactID"])
        self.assertEqual(by_name.xero_contact_id, named["ContactID"])
        self.assertEqual(by_name.xero_account_number, named.get("AccountNumber") or False)
        self.assertTrue(by_name.xero_in_xero)
        self.assertFalse(unknown.xero_in_xero)
        self.assertIn(named["ContactID"], by_name.xero_url)
        self.assertIn(self.xero_connection.short_code, by_name.xero_url)
        # One search per account, and never again once checked.
        self.assertEqual(len(self.api_calls("GET /Contacts")), 3)
        by_name.action_xero_check_link()
        self.assertEqual(len(self.api_calls("GET /Contacts")), 3)
        self.assertEqual(self.env["res.partner"].search(
            [("id", "in", (by_code | by_name | unknown).ids), ("xero_in_xero", "=", True)]),
            by_code | by_name)

    def test_scheduled_link_queues_the_figures_of_what_it_linked(self):
        contact = self.xero_contacts(where='ContactStatus=="ACTIVE"')[0]
        partner = self.new_account(contact["Name"])
        stats_cron = self.env.ref("crm_xero.ir_cron_refresh_stats")
        self.env["ir.cron.trigger"].search([("cron_id", "=", stats_cron.id)]).unlink()

        self.env["xero.connection"]._xero_cron_link_accounts()

        self.assertEqual(partner.xero_contact_id, contact["ContactID"])
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", stats_cron.id)]))

    def test_a_down_or_busy_xero_never_breaks_the_form(self):
        named = self.xero_contacts(where='ContactStatus=="ACTIVE"')[0]
        partner = self.new_account(named["Name"])
        self.sandbox.set_faults(error_next=20, error_status=503)
        self.assertFalse(partner.action_xero_check_link())
        self.assertFalse(partner.xero_in_xero)
        self.assertNotEqual(partner.xero_check_state, "not_found", "still to be checked")
        self.sandbox.clear_faults()
        self.assertEqual(partner.action_xero_check_link(), "linked")

    def test_batch_link_after_connecting_reads_contacts_a_thousand_at_a_time(self):
        contacts = self.xero_contacts(where='ContactStatus=="ACTIVE"')[:12]
        partners = self.env["res.partner"]
        for contact in contacts:
            partners |= self.new_account(contact["Name"])
        strangers = self.new_account("Stranger One Ltd") | self.new_account("Stranger Two Ltd")
        self.sandbox.clear_calls()

        linked, missing = self.xero_connection._xero_link_accounts()

        self.assertEqual(linked, 12)
        self.assertGreaterEqual(missing, 2)
        self.assertEqual(partners.mapped("xero_contact_id"), [c["ContactID"] for c in contacts])
        self.assertFalse(any(strangers.mapped("xero_in_xero")))
        self.assertEqual(len(self.api_calls("GET /Contacts")), 1, "60 contacts: one page of 1,000")
        self.assertEqual(self.xero_connection._xero_link_accounts(), (0, 0), "already checked")


@tagged("post_install", "-at_install", "crm_xero")
class TestFigures(XeroAccountCase):

    def test_refresh_shows_sales_last_invoice_and_overdue(self):
        invoices = self.xero().get_invoices(statuses=["AUTHORISED", "PAID"], page=1, page_size=1000)["Invoices"]
        contact_id = max({i["Contact"]["ContactID"] for i in invoices if i["Type"] == "ACCREC"},
                         key=lambda cid: sum(1 for i in invoices if i["Contact"]["ContactID"] == cid))
        contact = self.xero().get_contact(contact_id)
        partner = self.new_account(contact["Name"])
        partner.action_xero_check_link()
        self.sandbox.clear_calls()

        partner.action_xero_refresh_stats()

        mine = [i for i in invoices if i["Contact"]["ContactID"] == contact_id and i["Type"] == "ACCREC"]
        self.assertAlmostEqual(partner.xero_total_sales, sum(float(i["Total"]) for i in mine), places=2)
        self.assertEqual(partner.xero_last_invoice_date, max(parse_xero_date(i["Date"]) for i in mine))
        receivable = contact["Balances"]["AccountsReceivable"]
        self.assertAlmostEqual(partner.xero_overdue_amount, float(receivable["Overdue"]), places=2)
        self.assertEqual(partner.xero_currency_id.name, "USD")
        self.assertTrue(partner.xero_stats_refreshed_at)
        self.assertEqual(len(self.api_calls("GET /Invoices")), 1)

    def test_a_thousand_accounts_take_a_few_calls(self):
        self.sandbox.reset(contacts=1000)
        connection = self.connect()
        contacts = self.xero().get_contacts(page=1, page_size=1000)["Contacts"]
        self.env["res.partner"].create([{"name": c["Name"], "is_company": True} for c in contacts])
        self.sandbox.clear_calls()

        linked, _missing = connection._xero_link_accounts()
        link_calls = len(self.sandbox.calls())
        self.env["xero.connection"]._xero_cron_refresh_stats()
        stats_calls = len(self.sandbox.calls()) - link_calls

        self.assertEqual(linked, len(contacts))
        self.assertEqual(link_calls, 1, "1,000 contacts: one page")
        self.assertEqual(stats_calls, 10, "100 contacts per invoice query")
        self.assertTrue(all(connection.contact_link_ids.filtered("contact_id").mapped("stats_refreshed_at")))

    def test_scheduled_refresh_batches_many_contacts_per_call(self):
        self.xero_connection._xero_link_accounts()
        for contact in self.xero_contacts(where='ContactStatus=="ACTIVE"')[:40]:
            self.new_account(contact["Name"])
        self.xero_connection._xero_link_accounts()
        links = self.xero_connection.contact_link_ids.filtered("contact_id")
        self.assertEqual(len(links), 40)
        self.sandbox.clear_calls()

        self.env["xero.connection"]._xero_cron_refresh_stats()

        self.assertTrue(all(links.mapped("stats_refreshed_at")))
        self.assertEqual(len(self.api_calls("GET /Invoices")), 1, "40 contacts in one call")


@tagged("post_install", "-at_install", "crm_xero")
class TestExport(XeroAccountCase):

    def test_export_creates_the_contact_with_its_main_person(self):
        account = self.new_account("Zenith Widgets Ltd", email="sales@zenith.example", phone="+1 555 0100",
                               street="1 Main St", city="Oaktown", vat="US123")
        ada = self.env["res.partner"].create({"name": "Ada Lovelace", "parent_id": account.id,
                                              "email": "ada@zenith.example"})
        bob = self.env["res.partner"].create({"name": "Bob Stone", "parent_id": account.id,
                                              "email": "bob@zenith.example"})

        self.export(account, main_person=bob)

        self.assertTrue(account.xero_in_xero)
        self.assertEqual(account.xero_account_number, "ODOO-00001")
        contact = self.xero().get_contact(account.xero_contact_id)
        self.assertEqual(contact["Name"], "Zenith Widgets Ltd")
        self.assertEqual(contact["AccountNumber"], "ODOO-00001")
        self.assertEqual((contact["FirstName"], contact["LastName"]), ("Bob", "Stone"))
        self.assertEqual([(p["FirstName"], p["EmailAddress"]) for p in contact["ContactPersons"]],
                         [("Ada", ada.email)])
        self.assertEqual(contact["TaxNumber"], "US123")
        self.assertTrue(contact["ContactNumber"].startswith("odoo-"))
        history = [h["Details"] for h in self.xero().get_contact_history(contact["ContactID"])]
        self.assertTrue(any("Created from Odoo CRM by" in d for d in history), history)
        self.assertIn("Created from Odoo CRM", account.message_ids[0].body)

    def test_export_uses_the_ledger_code_typed_in(self):
        account = self.new_account("Typed Code Ltd")
        self.export(account, account_number="CUST-42")
        self.assertEqual(account.xero_account_number, "CUST-42")
        self.assertEqual(self.xero().get_contact(account.xero_contact_id)["AccountNumber"], "CUST-42")

    def test_generated_code_skips_codes_taken_in_xero(self):
        taken = self.new_account("Holder Ltd")
        self.export(taken, account_number="ODOO-00001")
        account = self.new_account("Second Ltd")
        self.export(account)
        self.assertEqual(account.xero_account_number, "ODOO-00002")

    def test_customer_code_pattern_is_a_setting(self):
        admin = self.env.ref("base.user_admin")
        self.env["res.config.settings"].with_user(admin).create(
            {"xero_code_prefix": "ACME-", "xero_code_padding": 3}).execute()
        account = self.new_account("Pattern Ltd")
        self.export(account)
        self.assertEqual(account.xero_account_number, "ACME-001")
        self.assertEqual(self.xero().get_contact(account.xero_contact_id)["AccountNumber"], "ACME-001")

    def test_duplicate_name_offers_to_link_the_existing_contact(self):
        archived = self.xero_contacts(where='ContactStatus=="ARCHIVED"')[0]
        account = self.new_account(archived["Name"])
        before = len(self.xero_contacts())

        wizard = self.export(account)

        self.assertEqual(wizard.state, "duplicate")
        self.assertIn("already has a contact named", wizard.duplicate_message)
        self.assertIn("(archived)", wizard.duplicate_message)
        self.assertFalse(account.xero_in_xero)
        wizard.action_link_existing()
        account.invalidate_recordset()
        self.assertEqual(account.xero_contact_id, archived["ContactID"])
        self.assertEqual(len(self.xero_contacts()), before, "no contact created in Xero")

    def test_duplicate_ledger_code_offers_to_link(self):
        coded = next(c for c in self.xero_contacts(where='ContactStatus=="ACTIVE"') if c.get("AccountNumber"))
        account = self.new_account("Another Name Entirely Ltd")
        wizard = self.export(account, account_number=coded["AccountNumber"])
        self.assertEqual(wizard.state, "duplicate")
        self.assertIn(coded["AccountNumber"], wizard.duplicate_message)
        self.assertFalse(account.xero_in_xero)

    def test_bad_input_is_refused_before_calling_xero(self):
        account = self.new_account("Bad Email Ltd", email="not-an-email")
        with self.assertRaisesRegex(UserError, "not a valid email address"):
            self.export(account)
        long_name = self.new_account("L" * 300)
        with self.assertRaisesRegex(UserError, "at most 255"):
            self.export(long_name)
        person = self.env["res.partner"].create({"name": "Solo Person"})
        with self.assertRaisesRegex(UserError, "a person, not a company"):
            person.action_xero_export()
        employee = self.env["res.partner"].create({"name": "Emp", "parent_id": account.id})
        with self.assertRaisesRegex(UserError, "export the company account"):
            employee.action_xero_export()
        self.assertFalse(self.api_calls("PUT /Contacts"))
        self.assertFalse(account.xero_link_id.contact_id)

    def test_needs_reconnect_says_so(self):
        account = self.new_account("Later Ltd")
        self.xero_connection.sudo().state = "needs_reconnect"
        with self.assertRaisesRegex(UserError, "Reconnect Xero in Settings"):
            account.action_xero_export()
        self.assertFalse(self.api_calls("PUT /Contacts"))


@tagged("post_install", "-at_install", "crm_xero")
class TestUpdate(XeroAccountCase):

    def test_update_pushes_only_what_changed(self):
        account = self.new_account("Update Me Ltd", phone="+1 555 0001", email="a@update.example")
        self.export(account)
        account.phone = "+1 555 0002"
        self.sandbox.clear_calls()

        account.action_xero_update()

        contact = self.xero().get_contact(account.xero_contact_id)
        phones = {p["PhoneType"]: p.get("PhoneNumber") for p in contact["Phones"]}
        self.assertEqual(phones["DEFAULT"], "+1 555 0002")
        self.assertEqual(contact["EmailAddress"], "a@update.example")
        updates = self.api_calls("POST /Contacts/{id}")
        self.assertEqual(len(updates), 1)
        history = [h["Details"] for h in self.xero().get_contact_history(account.xero_contact_id)]
        self.assertTrue(any("Updated from Odoo CRM" in d and "phones" in d and "email" not in d
                            for d in history), history)
        self.assertIn("phones", account.message_ids[0].body)

        self.sandbox.clear_calls()
        account.action_xero_update()
        self.assertFalse(self.api_calls("POST /Contacts/{id}"), "nothing changed, nothing sent")

    def test_update_refused_by_xero_leaves_odoo_as_it_was(self):
        first = self.new_account("First Co")
        second = self.new_account("Second Co")
        self.export(first)
        self.export(second)
        synced = second.xero_link_id.synced_values
        second.name = "First Co"
        with self.assertRaisesRegex(UserError, "already has a contact named 'First Co'"):
            second.action_xero_update()
        self.assertEqual(second.xero_link_id.synced_values, synced)
        self.assertEqual(self.xero().get_contact(second.xero_contact_id)["Name"], "Second Co")


@tagged("post_install", "-at_install", "crm_xero")
class TestMultiCompany(XeroAccountCase):

    def test_a_shared_account_is_linked_in_each_organisation(self):
        branch = self.env["res.company"].create({"name": "UK Branch"})
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= branch
        self.connect(company=branch, tenant_ids=[self.second_org["tenant_id"]])
        shared = self.new_account("Shared Customer Ltd")   # no company: visible to both

        self.export(shared)
        self.export(shared.with_company(branch))

        in_demo = shared.with_company(self.company).xero_contact_id
        in_second = shared.with_company(branch).xero_contact_id
        self.assertTrue(in_demo and in_second)
        self.assertNotEqual(in_demo, in_second)
        names_by_tenant = {call["tenant_id"] for call in self.api_calls("PUT /Contacts")}
        self.assertEqual(names_by_tenant, {self.demo_org["tenant_id"], self.second_org["tenant_id"]})
        second_connection = self.xero_connection._xero_for_company(branch)
        self.assertEqual(second_connection._xero_gateway().get_contact(in_second)["Name"],
                         "Shared Customer Ltd")

    def test_switching_organisation_clears_only_after_confirmation(self):
        account = self.new_account("Switch Ltd")
        self.export(account)
        connection = self.xero_connection
        connection.sudo().xero_import_watermark = "2026-01-01 00:00:00"
        self.connect(tenant_ids=[self.second_org["tenant_id"]])
        self.assertIn("1 Odoo records carry its ids", connection.status_message)
        self.assertTrue(account.xero_in_xero, "links kept until the admin confirms")

        choice = connection.choice_ids
        wizard = self.env["xero.organisation.wizard"].with_user(self.env.ref("base.user_admin")).create(
            {"connection_id": connection.id, "choice_id": choice.id, "confirm_clear_links": True})
        wizard.action_link()
        account.invalidate_recordset()

        self.assertEqual(connection.tenant_id, self.second_org["tenant_id"])
        self.assertFalse(account.xero_in_xero)
        self.assertFalse(account.xero_account_number, "the old organisation's code is gone too")
        self.assertFalse(connection.xero_import_watermark, "the next sync reads the new one whole")
