"""Import Xero Data: preview, matching, no duplicates, archived contacts, errors."""
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .xero_case import XeroHttpCase


class XeroImportCase(XeroHttpCase):
    seed_contacts = 30

    def setUp(self):
        super().setUp()
        self.sandbox.reset(contacts=self.seed_contacts)
        self.xero_connection = self.connect()
        self.sandbox.clear_calls()
        self.Run = self.env["xero.import.run"]

    def last_run(self):
        return self.Run.search([("connection_id", "=", self.xero_connection.id)], limit=1)

    def in_xero(self, **fields):
        """A contact made by the accountant in Xero (not through Odoo)."""
        return self.sandbox.create_contact(self.tenant, **fields)

    def change_in_xero(self, contact_id, **fields):
        return self.sandbox.update_contact(self.tenant, contact_id, **fields)

    def contact_list_calls(self):
        return [c for c in self.sandbox.calls()
                if c["method"] == "GET" and c["path"].endswith("/Contacts")]

    def wizard(self, **values):
        return self.env["xero.import.wizard"].create({"connection_id": self.xero_connection.id,
                                                      **values})

    def run_import(self, **values):
        """Preview, Import, then the scheduled action until the run is over."""
        wizard = self.wizard(**values)
        wizard.action_xero_preview()
        wizard.action_xero_import()
        run = self.last_run()
        self.assertIn(run.state, ("queued", "running"))
        self.Run._xero_cron_import()
        return run

    def links(self):
        return self.env["xero.contact.link"].search([
            ("connection_id", "=", self.xero_connection.id), ("contact_id", "!=", False)])

    def account(self, name):
        """The account (a company, or a person of no company) named ``name``."""
        return self.env["res.partner"].with_context(active_test=False).search(
            [("name", "=", name), ("parent_id", "=", False)])


@tagged("post_install", "-at_install", "crm_xero")
class TestImport(XeroImportCase):

    def test_xero_down_during_the_preview_is_said_in_a_dialog(self):
        wizard = self.wizard()
        self.sandbox.set_faults(error_next=20, error_status=503)
        with self.assertRaisesRegex(UserError, r"^Xero is having a problem on its side "
                                               r"\(error 503\); try again in a few minutes\.$"):
            wizard.action_xero_preview()
        self.sandbox.clear_faults()
        self.assertFalse(self.Run.search([("connection_id", "=", self.xero_connection.id)]),
                         "nothing queued")
        wizard.action_xero_preview()
        self.assertGreater(wizard.preview_create, 0)

    def test_preview_then_import_creates_companies_people_and_links(self):
        contacts = self.xero_contacts()
        active = [c for c in contacts if c["ContactStatus"] != "ARCHIVED"]
        archived = [c for c in contacts if c["ContactStatus"] == "ARCHIVED"]
        self.assertTrue(archived)
        self.sandbox.clear_calls()

        wizard = self.wizard()
        wizard.action_xero_preview()
        self.assertEqual((wizard.preview_create, wizard.preview_link, wizard.preview_update,
                          wizard.preview_conflict, wizard.preview_archived),
                         (len(active), 0, 0, 0, len(archived)))
        self.assertEqual(self.links(), self.env["xero.contact.link"], "the preview writes nothing")
        wizard.action_xero_import()
        self.Run._xero_cron_import()

        run = self.last_run()
        self.assertEqual(run.state, "done")
        self.assertEqual((run.created, run.linked, run.skipped), (len(active), 0, len(archived)))
        self.assertEqual(run.skip_reasons, {"archived in Xero": len(archived)})
        links = self.links()
        self.assertEqual(sorted(links.mapped("contact_id")), sorted(c["ContactID"] for c in active))
        for contact in active:
            link = links.filtered(lambda l: l.contact_id == contact["ContactID"])
            partner = link.partner_id
            primary = f"{contact['FirstName']} {contact['LastName']}"
            # an individual is a person, not a company, nor their own child contact
            self.assertEqual(partner.is_company, primary != contact["Name"])
            self.assertEqual(partner.name, contact["Name"])
            self.assertEqual(partner.email, contact["EmailAddress"])
            self.assertEqual(link.check_state, "linked")
            self.assertEqual(link.account_number, contact.get("AccountNumber") or False)
            self.assertEqual(link.synced_values["ContactID"], contact["ContactID"])
            self.assertEqual(partner.xero_account_number, contact.get("AccountNumber") or False)
            people = {f"{p['FirstName']} {p['LastName']}" for p in contact["ContactPersons"]}
            if partner.is_company:
                people.add(primary)
            persons = partner.child_ids.filtered(lambda c: c.type == "contact")
            self.assertEqual(set(persons.mapped("name")), people)
            self.assertEqual(persons.mapped("city"), [partner.city] * len(persons))
            # Xero's postal address, when it is not the street's again: the invoice address
            addresses = {a["AddressType"]: a for a in contact["Addresses"]}
            postal = addresses.get("POBOX", {})
            invoice = partner.child_ids.filtered(lambda c: c.type == "invoice")
            own = postal.get("AddressLine1") and postal.get("AddressLine1") != \
                addresses["STREET"]["AddressLine1"]
            self.assertEqual((invoice.street, invoice.city) if own else invoice,
                             (postal["AddressLine1"], postal["City"]) if own
                             else self.env["res.partner"])
            self.assertEqual(partner.child_ids - persons - invoice, self.env["res.partner"])
        street = next(a for a in active[0]["Addresses"] if a["AddressType"] == "STREET")
        first = links.filtered(lambda l: l.contact_id == active[0]["ContactID"]).partner_id
        self.assertEqual((first.street, first.city), (street["AddressLine1"], street["City"]))
        self.assertTrue(first.country_id)
        # Xero's side: one list call for the preview, one for the import, nothing written.
        calls = self.sandbox.calls()
        self.assertEqual(len(self.contact_list_calls()), 2)
        self.assertEqual([c for c in calls if c["method"] != "GET"], [])

    def test_matching_order_links_existing_accounts_and_reports_conflicts(self):
        contacts = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"]
        coded = next(c for c in contacts if c.get("AccountNumber"))
        named, mailed, doubled = [c for c in contacts if c is not coded][:3]
        by_code = self.env["res.partner"].create({"name": "Known By Code Only", "is_company": True})
        by_code.xero_account_number = coded["AccountNumber"]
        by_name = self.env["res.partner"].create({"name": named["Name"], "is_company": True})
        by_email = self.env["res.partner"].create({"name": "Mail Match", "is_company": True,
                                                   "email": mailed["EmailAddress"].upper()})
        twins = self.env["res.partner"].create([{"name": doubled["Name"], "is_company": True}] * 2)
        # Our own key in ContactNumber (what Export to Xero writes) finds its account.
        keyed = self.env["res.partner"].create({"name": "Keyed Account", "is_company": True})
        keyed_contact = self.in_xero(**{
            "Name": "Renamed In Xero Ltd", "ContactNumber": keyed._xero_contact_number()})
        self.sandbox.clear_calls()

        wizard = self.wizard()
        wizard.action_xero_preview()
        self.assertEqual((wizard.preview_link, wizard.preview_conflict), (4, 1))
        self.assertIn("2 Odoo accounts share this name", wizard.preview_details)
        run = self.run_import()

        not_archived = run.skipped - run.skip_reasons.get("archived in Xero", 0)
        self.assertEqual((run.linked, not_archived), (4, 1))
        self.assertEqual(by_code.xero_contact_id, coded["ContactID"])
        self.assertEqual(by_name.xero_contact_id, named["ContactID"])
        self.assertEqual(by_email.xero_contact_id, mailed["ContactID"])
        self.assertEqual(keyed.xero_contact_id, keyed_contact["ContactID"])
        self.assertEqual(by_email.email, mailed["EmailAddress"].upper(), "Odoo's own values stay")
        default = next(p for p in named["Phones"] if p["PhoneType"] == "DEFAULT")
        self.assertEqual(by_name.phone, "+%s %s %s" % (default["PhoneCountryCode"],
                                                       default["PhoneAreaCode"],
                                                       default["PhoneNumber"]),
                         "blanks are filled")
        self.assertFalse(any(twins.mapped("xero_contact_id")))
        self.assertIn({"contact_id": doubled["ContactID"], "name": doubled["Name"],
                       "reason": "2 Odoo accounts share this name"}, run.skip_log)
        for partner in (by_code, by_name, by_email, keyed):
            self.assertEqual(len(self.account(partner.name)), 1, "linked, not duplicated")

    def rows_written(self):
        """Rows inserted and updated so far in this transaction in the tables the
        import writes (PostgreSQL's per-transaction counters)."""
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT sum(pg_stat_get_xact_tuples_inserted(t::regclass)
                       + pg_stat_get_xact_tuples_updated(t::regclass))
              FROM unnest(ARRAY['res_partner', 'xero_contact_link']) t""")
        return self.env.cr.fetchone()[0]

    def test_rerun_reads_once_and_writes_nothing(self):
        first = self.run_import()
        partners = self.env["res.partner"].search_count([])
        written = self.rows_written()
        self.sandbox.clear_calls()

        again = self.run_import()

        self.assertNotEqual(again, first)
        self.assertEqual(again.modified_since, first.watermark)
        self.assertEqual((again.created, again.linked, again.updated, again.processed),
                         (0, 0, 0, 0))
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(self.rows_written(), written, "no account or link written")
        # Preview and import: one list call each, asking only for what changed.
        self.assertEqual(len(self.contact_list_calls()), 2)

    def test_full_reimport_finds_every_link_and_duplicates_nothing(self):
        self.run_import(archived_mode="archive")
        companies = self.env["res.partner"].with_context(active_test=False).search_count([])
        again = self.run_import(full=True)
        self.assertEqual(again.processed, len(self.xero_contacts()))
        self.assertEqual(again.unchanged, again.processed)
        self.assertEqual((again.created, again.linked, again.updated), (0, 0, 0))
        self.assertEqual(self.env["res.partner"].with_context(active_test=False).search_count([]),
                         companies)

    def test_archived_contacts_imported_archived_when_chosen(self):
        archived = [c for c in self.xero_contacts() if c["ContactStatus"] == "ARCHIVED"]
        run = self.run_import(archived_mode="archive")
        self.assertFalse(run.skipped)
        for contact in archived:
            partner = self.account(contact["Name"])
            self.assertEqual(len(partner), 1)
            self.assertFalse(partner.active)
            self.assertEqual(partner.xero_link_ids.contact_status, "ARCHIVED")

    def test_a_record_odoo_refuses_is_skipped_with_its_reason(self):
        self.in_xero(**{"Name": "Poison Pill Ltd", "EmailAddress": "x@poison.example.com"})
        # Odoo's database refuses this one name (a constraint as another module could add).
        self.env.cr.execute("ALTER TABLE res_partner ADD CONSTRAINT xero_test_no_poison "
                            "CHECK (name NOT LIKE 'Poison%%')")
        active = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"]

        # the batch insert is refused first, then retried one by one
        with mute_logger("odoo.sql_db"):
            run = self.run_import()

        self.assertEqual(run.state, "done")
        self.assertEqual(run.created, len(active) - 1)
        self.assertEqual(run.skip_reasons.get("refused by Odoo"), 1)
        entry = next(e for e in run.skip_log if e["name"] == "Poison Pill Ltd")
        self.assertIn("xero_test_no_poison", entry["reason"])
        self.assertFalse(self.account("Poison Pill Ltd"))
        self.assertEqual(len(self.links()), len(active) - 1)

    def test_settings_show_the_last_run_and_only_managers_import(self):
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.xero_import_run_id)   # Settings offers the import
        action = settings.action_xero_import()
        self.assertEqual(action["res_model"], "xero.import.wizard")
        self.run_import()
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.xero_import_state, "done")
        self.assertIn("created", settings.xero_import_summary)
        self.assertEqual(settings.xero_sync_winner, "odoo")
        with self.assertRaises(AccessError):
            self.xero_connection.with_user(self.salesman).action_import()
        with self.assertRaises(AccessError):
            self.env["xero.import.wizard"].with_user(self.salesman).create(
                {"connection_id": self.xero_connection.id})

    def test_account_number_wins_over_name(self):
        contact = next(c for c in self.xero_contacts()
                       if c["ContactStatus"] == "ACTIVE" and c.get("AccountNumber"))
        by_code = self.env["res.partner"].create({"name": "Ledger Code Holder", "is_company": True})
        by_code.xero_account_number = contact["AccountNumber"]
        by_name = self.env["res.partner"].create({"name": contact["Name"], "is_company": True})
        self.run_import()
        self.assertEqual(by_code.xero_contact_id, contact["ContactID"])
        self.assertFalse(by_name.xero_contact_id)

    def test_names_and_emails_match_in_one_normalised_form(self):
        strasse = self.env["res.partner"].create({"name": "Straße GmbH", "is_company": True})
        boss = self.env["res.partner"].create({"name": "Boss Holdings", "is_company": True,
                                               "email": "The Boss <Boss@Holdings.example.com>"})
        made = [self.in_xero(Name="Straße GmbH"),
                self.in_xero(Name="Boss Holdings (Xero)", EmailAddress="boss@holdings.example.com")]
        run = self.run_import()
        self.assertEqual(strasse.xero_contact_id, made[0]["ContactID"])
        self.assertEqual(boss.xero_contact_id, made[1]["ContactID"])
        self.assertEqual(len(self.account("Straße GmbH")), 1, "linked, not duplicated")
        self.assertEqual(run.linked, 2)

    def test_first_link_only_fills_blanks_even_when_xero_wins(self):
        self.env["res.config.settings"].create({"xero_sync_winner": "xero"}).execute()
        contact = next(c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"
                       and any(p["PhoneType"] == "DEFAULT" and p["PhoneNumber"]
                               for p in c["Phones"]))
        partner = self.env["res.partner"].create({"name": contact["Name"], "is_company": True,
                                                  "phone": "111-ODOO"})
        run = self.run_import()
        self.assertEqual(partner.xero_contact_id, contact["ContactID"])
        self.assertEqual(partner.phone, "111-ODOO", "Odoo's own value stays at the first link")
        self.assertEqual(partner.email, contact["EmailAddress"], "blanks are filled")
        self.assertGreaterEqual(run.kept_odoo, 1)

    def test_contact_number_never_reaches_another_companys_account(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        other = self.env["res.partner"].create({"name": "Company B Customer", "is_company": True,
                                                "company_id": company_b.id, "phone": "999-B"})
        person = self.env["res.partner"].create({"name": "A Person", "is_company": False})
        made = [self.in_xero(Name="Keyed To Company B", ContactNumber=other._xero_contact_number(),
                             Phones=[{"PhoneType": "DEFAULT", "PhoneNumber": "555-A"}]),
                self.in_xero(Name="Keyed To A Person", ContactNumber=person._xero_contact_number())]
        self.run_import()
        self.assertFalse(self.env["xero.contact.link"].sudo().search(
            [("partner_id", "in", (other | person).ids)]))
        self.assertEqual((other.name, other.phone), ("Company B Customer", "999-B"), "untouched")
        for contact in made:
            account = self.account(contact["Name"])
            self.assertEqual(account.xero_contact_id, contact["ContactID"])
            self.assertEqual(account.company_id, self.company)

    def test_a_malformed_contact_is_skipped_and_the_page_goes_on(self):
        good = {"ContactID": "c0ffee00-0000-4000-8000-000000000001", "Name": "Well Formed Ltd",
                "ContactStatus": "ACTIVE"}
        broken = {"ContactID": "c0ffee00-0000-4000-8000-000000000002", "Name": "Broken Ltd",
                  "ContactStatus": "ACTIVE", "Phones": [None]}
        run = self.Run._xero_queue(self.xero_connection)
        with mute_logger("odoo.addons.crm_xero.models.xero_import_engine"):
            counts, log, _kept = run._xero_apply([good, broken])
        self.assertEqual((counts["create"], counts["skip"]), (1, 1))
        self.assertEqual([(e["name"], e["reason_key"]) for e in log],
                         [("Broken Ltd", "refused by Odoo")])
        self.assertIn("AttributeError", log[0]["reason"])
        self.assertTrue(self.account("Well Formed Ltd"))
        self.assertFalse(self.account("Broken Ltd"))

    def test_runs_are_read_and_resumed_only_within_the_managers_companies(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        run_a = self.Run.sudo().create({"connection_id": self.xero_connection.id,
                                        "state": "failed"})
        run_b = self.Run.sudo().create({"connection_id": self.connection(company_b).id,
                                        "state": "failed"})
        manager_a = new_test_user(self.env, "xero_manager_a", company_id=self.company.id,
                                  groups="crm_xero.group_xero_manager,base.group_user")
        Run = self.Run.with_user(manager_a)
        self.assertEqual(Run.search([("id", "in", (run_a | run_b).ids)]), run_a)
        with self.assertRaises(AccessError):
            run_b.with_user(manager_a).read(["state"])
        with self.assertRaises(AccessError):
            run_b.with_user(manager_a).action_xero_resume()
        self.assertEqual(run_b.state, "failed")
        with self.assertRaises(AccessError):
            run_a.with_user(manager_a).write({"state": "done"})   # runs are written by the import
        with self.assertRaises(AccessError):
            run_a.with_user(self.salesman).action_xero_resume()
        run_a.with_user(manager_a).action_xero_resume()
        self.assertEqual(run_a.state, "running")


@tagged("post_install", "-at_install", "crm_xero")
class TestImportNames(XeroImportCase):

    def test_an_individual_is_not_their_own_child_contact(self):
        self.in_xero(Name="Anna Kim", FirstName="Anna", LastName="Kim",
                     EmailAddress="anna@kim.example")
        self.run_import()
        account = self.account("Anna Kim")
        self.assertTrue(account.xero_in_xero)
        self.assertFalse(account.is_company, "a person")
        self.assertFalse(account.child_ids, "not 'Anna Kim, Anna Kim'")
        self.assertEqual(account.display_name, "Anna Kim")

    def test_the_preview_names_the_accounts(self):
        contacts = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"]
        existing = self.env["res.partner"].create({"name": contacts[0]["Name"],
                                                   "is_company": True})
        wizard = self.wizard()
        wizard.action_xero_preview()
        self.assertIn("New accounts (%s):" % (len(contacts) - 1), wizard.preview_details)
        self.assertIn("  - %s" % contacts[1]["Name"], wizard.preview_details)
        self.assertIn("Linked to existing accounts (1):", wizard.preview_details)
        self.assertIn("%s -> %s" % (contacts[0]["Name"], existing.name), wizard.preview_details)
