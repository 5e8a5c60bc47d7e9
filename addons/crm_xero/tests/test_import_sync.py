"""Import runs: pages, resume after an interruption, 429s, and the scheduled sync."""
from odoo.tests import tagged

from ..xero.pacing import DEFAULT_PACER
from .test_import import XeroImportCase


@tagged("post_install", "-at_install", "crm_xero")
class TestImportRuns(XeroImportCase):

    def test_pages_of_ten_take_one_call_each_and_report_progress(self):
        total = len(self.xero_contacts())
        self.sandbox.clear_calls()
        run = self.Run._xero_queue(self.xero_connection, archived_mode="archive", page_size=10)
        self.assertTrue(run._xero_import_pass_step())
        self.assertEqual((run.state, run.next_page, run.processed, run.item_count), ("running", 2, 10, total))
        self.assertEqual(run.progress, int(100 * 10 / total))
        self.Run._xero_cron_import()
        self.assertEqual((run.state, run.created, run.processed), ("done", total, total))
        pages = -(-total // 10)
        self.assertEqual(len(self.contact_list_calls()), pages)
        self.assertTrue(all("pageSize=10" in c["query"] for c in self.contact_list_calls()))

    def test_interrupted_run_resumes_where_it_stopped_without_duplicates(self):
        contacts = self.xero_contacts()
        run = self.Run._xero_queue(self.xero_connection, archived_mode="archive", page_size=10)
        run._xero_import_pass_step()                       # page 1 committed
        # Xero then refuses for longer than a background call waits.
        self.sandbox.set_faults(rate_limit_every=1, retry_after=300)
        self.Run._xero_cron_import()
        self.assertEqual((run.state, run.next_page, run.attempts), ("running", 2, 1))
        self.assertIn("Xero", run.last_error)
        self.assertEqual(len(self.links()), 10)

        # Later (a restart, Xero calm again): the scheduled action carries on.
        self.sandbox.clear_faults()
        DEFAULT_PACER.reset()
        self.Run._xero_cron_import()

        self.assertEqual(run.state, "done")
        self.assertEqual(sorted(self.links().mapped("contact_id")), sorted(c["ContactID"] for c in contacts))
        self.assertEqual(run.created, len(contacts))
        for contact in contacts:
            self.assertEqual(len(self.account(contact["Name"])), 1)

    def test_page_replayed_after_a_crash_links_instead_of_duplicating(self):
        run = self.Run._xero_queue(self.xero_connection, archived_mode="archive", page_size=10)
        run._xero_import_pass_step()
        # A crash after the page's writes but before its progress was saved:
        # the same page is read again.
        run.next_page = 1
        self.Run._xero_cron_import()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.unchanged, 10)
        self.assertEqual(len(self.links()), len(self.xero_contacts()))
        self.assertEqual(self.env["res.partner"].with_context(active_test=False).search_count(
            [("is_company", "=", True), ("xero_link_ids", "!=", False)]), len(self.links()))

    def test_429_on_every_third_call_completes_within_limits(self):
        contacts = self.xero_contacts()
        self.sandbox.clear_calls()
        self.sandbox.set_faults(rate_limit_every=3, retry_after=1)
        run = self.Run._xero_queue(self.xero_connection, archived_mode="archive", page_size=10)
        self.Run._xero_cron_import()
        self.assertEqual(run.state, "done")
        stats = self.sandbox.stats()
        self.assertGreaterEqual(stats["rate_limited"], 1)
        self.assertLessEqual(stats["max_calls_in_any_minute"], 60)
        self.assertEqual(sorted(self.links().mapped("contact_id")), sorted(c["ContactID"] for c in contacts))


@tagged("post_install", "-at_install", "crm_xero")
class TestScheduledSync(XeroImportCase):

    def setUp(self):
        super().setUp()
        self.first = self.run_import()
        self.contacts = [c for c in self.xero_contacts() if c["ContactStatus"] == "ACTIVE"]
        self.sandbox.clear_calls()

    def partner_of(self, contact):
        return self.links().filtered(lambda l: l.contact_id == contact["ContactID"]).partner_id

    def sync(self):
        runs = self.env["xero.connection"]._xero_cron_sync_contacts()
        self.assertEqual(runs.kind, "sync")
        self.Run._xero_cron_import()
        return runs

    def test_only_changed_contacts_are_read_and_xero_changes_applied(self):
        changed, _other = self.contacts[:2]
        self.xero().update_contact(changed["ContactID"], {"Phones": [
            {"PhoneType": "DEFAULT", "PhoneNumber": "555-0101"}], "AccountNumber": "NEW-CODE-1"})
        new = self.xero().create_contacts([{"Name": "Brand New In Xero Ltd"}])[0]
        self.sandbox.clear_calls()

        run = self.sync()

        self.assertEqual(run.modified_since, self.first.watermark)
        self.assertEqual((run.processed, run.updated, run.created), (2, 1, 1))
        self.assertEqual(len(self.contact_list_calls()), 1)
        partner = self.partner_of(changed)
        self.assertEqual(partner.phone, "555-0101")
        self.assertEqual(partner.xero_account_number, "NEW-CODE-1")
        self.assertEqual(self.partner_of(new).name, "Brand New In Xero Ltd")
        self.assertEqual(self.xero_connection.xero_import_watermark, run.watermark)

    def test_odoo_wins_for_fields_changed_in_odoo_since_the_last_sync(self):
        contact = self.contacts[0]
        partner = self.partner_of(contact)
        partner.write({"phone": "111-ODOO"})
        self.xero().update_contact(contact["ContactID"], {
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "222-XERO"}],
            "EmailAddress": "new.address@xero.example.com"})

        run = self.sync()

        self.assertEqual(partner.phone, "111-ODOO")
        self.assertEqual(partner.email, "new.address@xero.example.com")
        self.assertEqual((run.updated, run.kept_odoo), (1, 1))
        link = partner.xero_link_ids
        self.assertEqual(next(p["PhoneNumber"] for p in link.synced_values["Phones"]
                              if p["PhoneType"] == "DEFAULT"), "222-XERO")

    def test_xero_wins_when_set_so(self):
        self.env["res.config.settings"].create({"xero_sync_winner": "xero"}).execute()
        contact = self.contacts[0]
        partner = self.partner_of(contact)
        partner.write({"phone": "111-ODOO"})
        self.xero().update_contact(contact["ContactID"], {
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "222-XERO"}]})
        self.sync()
        self.assertEqual(partner.phone, "222-XERO")

    def test_new_contact_person_in_xero_becomes_a_child_contact(self):
        contact = self.contacts[0]
        partner = self.partner_of(contact)
        before = len(partner.child_ids)
        persons = contact["ContactPersons"] + [{"FirstName": "Newly", "LastName": "Added",
                                                "EmailAddress": "newly.added@example.com"}]
        self.xero().update_contact(contact["ContactID"], {"ContactPersons": persons})
        self.sync()
        self.assertEqual(len(partner.child_ids), before + 1)
        self.assertIn("Newly Added", partner.child_ids.mapped("name"))

    def test_nothing_changed_nothing_read_but_one_call(self):
        run = self.sync()
        self.assertEqual((run.processed, run.state), (0, "done"))
        self.assertEqual(len(self.contact_list_calls()), 1)
