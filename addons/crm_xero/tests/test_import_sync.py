"""Import runs: pages, resume after an interruption, 429s, and the scheduled sync."""
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config

from .. import compat
from ..models import xero_import_run
from ..xero.pacing import DEFAULT_PACER
from .test_import import XeroImportCase


@tagged("post_install", "-at_install", "crm_xero")
class TestImportRuns(XeroImportCase):

    def test_pages_of_ten_take_one_call_each_and_report_progress(self):
        total = len(self.xero_contacts())
        self.sandbox.clear_calls()
        run = self.Run._xero_queue(self.xero_connection, archived_mode="archive", page_size=10)
        self.assertTrue(run._xero_import_pass_step())
        self.assertEqual((run.state, run.next_page, run.processed, run.item_count),
                         ("running", 2, 10, total))
        self.assertEqual(run.progress, int(100 * 10 / total))
        self.Run._xero_cron_import()
        self.assertEqual((run.state, run.created, run.processed), ("done", total, total))
        pages = -(-total // 10)
        self.assertEqual(len(self.contact_list_calls()), pages)
        self.assertTrue(all("pageSize=10" in c["query"] for c in self.contact_list_calls()))

    def test_pages_come_in_a_stable_order_and_a_full_page_without_pagination_may_have_more(self):
        run = self.Run._xero_queue(self.xero_connection, archived_mode="archive", page_size=10)
        self.Run._xero_cron_import()
        self.assertTrue(all("order=ContactID" in c["query"] for c in self.contact_list_calls()))
        contacts = [{"ContactID": str(i)} for i in range(10)]
        self.assertTrue(run._xero_more_pages({"Contacts": contacts, "pagination": None}, 3))
        self.assertFalse(run._xero_more_pages({"Contacts": contacts[:9], "pagination": None}, 3))
        self.assertFalse(run._xero_more_pages({"Contacts": contacts,
                                               "pagination": {"pageCount": 3}}, 3))

    def test_progress_is_reported_after_each_page_and_a_pass_stays_under_the_cron_limit(self):
        total = len(self.xero_contacts())
        self.Run._xero_queue(self.xero_connection, archived_mode="archive", page_size=10)
        # What the job tells Odoo's cron runner (compat.job_progress: the call
        # differs between 18.0 and 19.0).
        with patch.object(compat, "job_progress", wraps=compat.job_progress) as notify:
            self.Run._xero_cron_import()
        reported = [call.kwargs["done"] for call in notify.call_args_list]
        self.assertGreaterEqual(len(reported), -(-total // 10))
        self.assertEqual(reported[:3], [10, 20, 30])
        self.assertEqual(reported[-1], total)
        for cron, real, seconds in ((-1, 120, 40), (-1, 0, 40), (0, 120, 40), (300, 120, 100)):
            with patch.dict(config.options, limit_time_real_cron=cron, limit_time_real=real):
                self.assertEqual(xero_import_run._pass_seconds(), seconds)

    def test_a_run_waits_while_its_company_needs_reconnecting(self):
        total = len(self.xero_contacts())
        run = self.Run._xero_queue(self.xero_connection, archived_mode="archive", page_size=10)
        self.xero_connection.sudo().state = "needs_reconnect"
        self.sandbox.clear_calls()
        for _attempt in range(6):   # more passes than a run's attempts
            self.Run._xero_cron_import()
        self.assertEqual((run.state, run.attempts, run.processed), ("queued", 0, 0))
        self.assertFalse(self.sandbox.calls(), "nothing asked of a connection that cannot work")
        self.xero_connection.sudo().state = "connected"   # the admin reconnected
        self.Run._xero_cron_import()
        self.assertEqual((run.state, run.processed), ("done", total))

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
        self.assertEqual(sorted(self.links().mapped("contact_id")),
                         sorted(c["ContactID"] for c in contacts))
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
        # (an account: a company, or a person of no company for an individual)
        self.assertEqual(self.env["res.partner"].with_context(active_test=False).search_count(
            [("parent_id", "=", False),
             ("xero_link_ids.connection_id", "=", self.xero_connection.id)]),
            len(self.links()), "one account per contact")

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
        self.assertEqual(sorted(self.links().mapped("contact_id")),
                         sorted(c["ContactID"] for c in contacts))


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
        self.change_in_xero(changed["ContactID"], **{"Phones": [
            {"PhoneType": "DEFAULT", "PhoneNumber": "555-0101", "PhoneAreaCode": "9",
             "PhoneCountryCode": "64"}], "AccountNumber": "NEW-CODE-1"})
        new = self.in_xero(**{"Name": "Brand New In Xero Ltd"})
        self.sandbox.clear_calls()

        run = self.sync()

        self.assertEqual(run.modified_since, self.first.watermark)
        self.assertEqual((run.processed, run.updated, run.created), (2, 1, 1))
        self.assertEqual(len(self.contact_list_calls()), 1)
        partner = self.partner_of(changed)
        self.assertEqual(partner.phone, "+64 9 555-0101")
        self.assertEqual(partner.xero_account_number, "NEW-CODE-1")
        self.assertEqual(self.partner_of(new).name, "Brand New In Xero Ltd")
        self.assertEqual(self.xero_connection.xero_import_watermark, run.watermark)

    def test_odoo_wins_for_fields_changed_in_odoo_since_the_last_sync(self):
        contact = self.contacts[0]
        partner = self.partner_of(contact)
        partner.write({"phone": "111-ODOO"})
        self.change_in_xero(contact["ContactID"], **{
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
        self.change_in_xero(contact["ContactID"], **{
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "222-XERO", "PhoneAreaCode": "",
                        "PhoneCountryCode": "44"}]})
        self.sync()
        self.assertEqual(partner.phone, "+44 222-XERO")

    def test_new_contact_person_in_xero_becomes_a_child_contact(self):
        contact = self.contacts[0]
        partner = self.partner_of(contact)
        before = len(partner.child_ids)
        persons = contact["ContactPersons"] + [{"FirstName": "Newly", "LastName": "Added",
                                                "EmailAddress": "newly.added@example.com"}]
        self.change_in_xero(contact["ContactID"], **{"ContactPersons": persons})
        self.sync()
        self.assertEqual(len(partner.child_ids), before + 1)
        self.assertIn("Newly Added", partner.child_ids.mapped("name"))

    def test_nothing_changed_nothing_read_but_one_call(self):
        run = self.sync()
        self.assertEqual((run.processed, run.state), (0, "done"))
        self.assertEqual(len(self.contact_list_calls()), 1)

    def test_skipped_contacts_are_read_again_at_the_next_sync(self):
        # Two Odoo accounts share a new Xero contact's name: skipped as a conflict.
        contact = self.in_xero(**{"Name": "Twice In Odoo Ltd"})
        twins = self.env["res.partner"].create(
            [{"name": "Twice In Odoo Ltd", "is_company": True}] * 2)
        run = self.sync()
        self.assertEqual(run.skipped_contact_ids[contact["ContactID"]], "conflict")
        self.assertIn("1 will be read again at the next sync", run.summary)

        # Odoo's side is tidied up; nothing changes in Xero.
        twins[1].name = "Twice In Odoo (old)"
        self.sandbox.clear_calls()
        again = self.sync()

        self.assertEqual((again.state, again.linked, again.skipped), ("done", 1, 0))
        self.assertEqual(twins[0].xero_contact_id, contact["ContactID"])
        self.assertNotIn(contact["ContactID"], again.skipped_contact_ids)
        calls = self.contact_list_calls()
        self.assertEqual(len(calls), 2, "one read by id, one for the changes")
        self.assertIn(contact["ContactID"], calls[0]["query"])
        self.assertIn("page=1", calls[1]["query"])

    def test_skipped_contacts_are_read_again_a_hundred_at_a_time(self):
        skipped = {f"c0ffee00-0000-4000-8000-{i:012d}": "conflict" for i in range(150)}
        self.first.skipped_contact_ids = skipped
        run = self.sync()
        self.assertEqual((run.retry_count, run.state, run.processed), (150, "done", 0))
        calls = self.contact_list_calls()
        self.assertEqual(len(calls), 3)
        self.assertEqual([c["query"].count("c0ffee00") for c in calls[:2]], [100, 50])
        self.assertFalse([cid for cid in run.skipped_contact_ids or {} if cid in skipped],
                         "ids Xero does not know are dropped")

    def test_archived_contacts_skipped_stay_skipped_without_extra_calls(self):
        archived = [c for c in self.xero_contacts() if c["ContactStatus"] == "ARCHIVED"]
        self.sandbox.clear_calls()
        run = self.sync()
        self.assertEqual(set(run.skipped_contact_ids), {c["ContactID"] for c in archived})
        self.assertEqual(len(self.contact_list_calls()), 1)
        self.assertNotIn("read again", run.summary)
