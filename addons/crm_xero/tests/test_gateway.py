"""XeroGateway against the Xero sandbox: every Accounting API call a caller
makes, checked both in what the caller gets back and in what the sandbox now
holds (read through the sandbox's control API, never through the gateway).

No test sleeps: each gateway gets a pacer on a fake clock and a recording
``sleep``, so a wait shows up as a number, not as time spent.
"""

import datetime
import os
import socket
import ssl
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from odoo.tests import BaseCase, tagged

from ..xero import contacts, invoices, limits, where
from ..xero import gateway as gateway_module
from ..xero.endpoints import XeroEndpoints
from ..xero.errors import (
    XeroAuthError,
    XeroConfigError,
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroValidationError,
)
from ..xero.gateway import XeroGateway
from ..xero.oauth import list_connections
from ..xero.responses import parse_xero_date, parse_xero_datetime
from .common import SCOPES, SandboxClient, sandbox_ca_file, sandbox_tls_dir, sandbox_url
from .harness import LocalRequests
from .test_xero_pure import FakeClock

DEMO = "Demo Company (Global)"
SECOND = "Sandbox Second Org Ltd"
TIMEOUT = 10


class SandboxCase(LocalRequests, BaseCase):
    """No database: the test run's sandbox, reset for each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.url = sandbox_url()
        cls.sandbox = SandboxClient(cls.url)
        cls.endpoints = XeroEndpoints.local(cls.url, cls.sandbox.browser_url,
                                            cls.sandbox.ca_file)
        orgs = {org["name"]: org for org in cls.sandbox.orgs()}
        cls.org, cls.second_org = orgs[DEMO], orgs[SECOND]
        cls.tenant_id = cls.org["tenant_id"]

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.addCleanup(self.sandbox.clear_faults)


class GatewaySandboxCase(SandboxCase):
    """A token per test, gateways that never really wait, and helpers that
    look at the sandbox without going through the code under test."""

    def setUp(self):
        super().setUp()
        self.token = self.sandbox.connect()
        self.access_token = self.token["access_token"]
        self.clock = FakeClock()
        self.pacer = self.clock.pacer()     # this test's own budget, on a fake clock
        self.sleeps = []                    # what the gateway would have slept
        self.jitter_ranges = []

    def jitter(self, low, high):
        """The longest delay of each backoff range, and a record of the range."""
        self.jitter_ranges.append((low, high))
        return high

    def gateway(self, **kw):
        kw.setdefault("pacer", self.pacer)
        kw.setdefault("timeout", TIMEOUT)
        kw.setdefault("sleep", self.sleeps.append)
        kw.setdefault("jitter", self.jitter)
        return XeroGateway(kw.pop("endpoints", self.endpoints),
                           kw.pop("access_token", self.access_token),
                           kw.pop("tenant_id", self.tenant_id), **kw)

    def api_calls(self):
        """Accounting API calls the sandbox answered (not identity, not control)."""
        return [c for c in self.sandbox.calls() if c["path"].startswith("/api.xro/")]

    def accountant_contact(self, **fields):
        """A contact made in Xero's own screens (no API call)."""
        fields.setdefault("Name", "Gateway Test %s" % uuid.uuid4().hex[:8])
        return self.sandbox.create_contact(self.tenant_id, **fields)

    def sale_line(self, **values):
        return dict({"Description": "Consulting", "Quantity": 2, "UnitAmount": 150.0,
                     "AccountCode": "200"}, **values)


class StubXero:
    """A scripted stand-in for one Xero host, for answers the sandbox cannot
    give (a 5xx with Retry-After, an unreadable body, a dropped answer).
    Each reply is (status, headers, body); status None closes the connection
    without an answer.  Runs in-process on https://127.0.0.1, with the
    sandbox's certificate; stopped at cleanup."""

    def __init__(self, test, replies):
        self.replies = list(replies)
        self.requests = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers), "body": body})
                status, headers, payload = stub.replies.pop(0)
                if status is None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(sandbox_tls_dir(), "server.pem"),
                                os.path.join(sandbox_tls_dir(), "server-key.pem"))

        class TLSServer(ThreadingHTTPServer):
            def get_request(self):
                sock, address = self.socket.accept()
                return context.wrap_socket(sock, server_side=True), address

        self.server = TLSServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        thread = threading.Thread(target=self.server.serve_forever,
                                  kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        test.addCleanup(self.stop, thread)
        self.url = "https://127.0.0.1:%d" % self.server.server_address[1]
        self.endpoints = XeroEndpoints.local(self.url, ca_file=sandbox_ca_file())

    def stop(self, thread):
        self.server.shutdown()
        self.server.server_close()
        thread.join(5)


JSON = {"Content-Type": "application/json"}


@tagged("crm_xero")
class TestGatewaySetup(BaseCase):
    """What a gateway refuses to be built with, before any call."""

    def test_refuses_unknown_priority_missing_token_or_tenant(self):
        endpoints = XeroEndpoints()
        with self.assertRaises(ValueError):
            XeroGateway(endpoints, "token", "tenant", priority="urgent")
        with self.assertRaises(XeroAuthError) as caught:
            XeroGateway(endpoints, "", "tenant")
        self.assertEqual(caught.exception.reason, "token_rejected")
        with self.assertRaises(XeroError) as caught:
            XeroGateway(endpoints, "token", None)
        self.assertEqual(caught.exception.reason, "not_connected")
        self.assertIn("connect Xero in Settings", str(caught.exception))

    def test_plain_http_is_refused_even_to_this_machine(self):
        for url in ("http://xero.example.com", "http://127.0.0.1:9"):
            with self.assertRaises(XeroConfigError) as caught:
                XeroGateway(XeroEndpoints.local(url), "token", "tenant")
            self.assertIn("not secure", str(caught.exception))
        local = XeroGateway(XeroEndpoints.local("https://127.0.0.1:9"), "token", "tenant")
        self.assertEqual(local.endpoints.accounting_url, "https://127.0.0.1:9/api.xro/2.0")

    def test_limits_per_priority_are_the_defaults(self):
        interactive = XeroGateway(XeroEndpoints(), "token", "tenant")
        background = XeroGateway(XeroEndpoints(), "token", "tenant", priority="background")
        self.assertEqual((interactive.max_wait, interactive.max_retries),
                         (limits.MAX_WAIT["interactive"], limits.MAX_RETRIES["interactive"]))
        self.assertEqual((background.max_wait, background.max_retries),
                         (limits.MAX_WAIT["background"], limits.MAX_RETRIES["background"]))
        self.assertLess(interactive.max_wait, background.max_wait)
        self.assertEqual(interactive.timeout, limits.READ_TIMEOUT)


@tagged("crm_xero")
class TestIterPages(BaseCase):
    """iter_pages on a scripted fetch: which pages it asks for, when it stops."""

    def fetcher(self, pages, pagination=True):
        asked = []

        def fetch(page, page_size, **filters):
            asked.append((page, page_size, filters))
            items = pages[page - 1] if page <= len(pages) else []
            info = {"page": page, "pageSize": page_size, "pageCount": len(pages),
                    "itemCount": sum(map(len, pages))} if pagination else None
            return {"Things": items, "pagination": info}
        return fetch, asked

    def test_follows_xeros_page_count(self):
        fetch, asked = self.fetcher([["a", "b"], ["c", "d"], ["e"]])
        got = list(XeroGateway.iter_pages(fetch, "Things", page_size=2, where="x"))
        self.assertEqual([(page, items) for page, items, _info in got],
                         [(1, ["a", "b"]), (2, ["c", "d"]), (3, ["e"])])
        self.assertEqual(got[0][2]["itemCount"], 5)
        self.assertEqual(asked, [(1, 2, {"where": "x"}), (2, 2, {"where": "x"}),
                                 (3, 2, {"where": "x"})])

    def test_stops_at_the_last_full_page_when_xero_says_so(self):
        fetch, asked = self.fetcher([["a", "b"], ["c", "d"]])
        self.assertEqual([p for p, _i, _n in XeroGateway.iter_pages(fetch, "Things",
                                                                    page_size=2)], [1, 2])
        self.assertEqual(len(asked), 2)     # no third request for an empty page

    def test_without_pagination_a_short_page_is_the_last(self):
        fetch, asked = self.fetcher([["a", "b"], ["c"]], pagination=False)
        self.assertEqual([items for _p, items, _n in
                          XeroGateway.iter_pages(fetch, "Things", page_size=2)],
                         [["a", "b"], ["c"]])
        self.assertEqual([a[0] for a in asked], [1, 2])
        fetch, asked = self.fetcher([["a", "b"]], pagination=False)
        pages = list(XeroGateway.iter_pages(fetch, "Things", page_size=2))
        self.assertEqual([items for _p, items, _n in pages], [["a", "b"], []])
        self.assertEqual(pages[-1][2], {})

    def test_an_empty_list_is_one_empty_page(self):
        fetch, asked = self.fetcher([])
        self.assertEqual(list(XeroGateway.iter_pages(fetch, "Things", first_page=1)),
                         [(1, [], {"page": 1, "pageSize": limits.PAGE_SIZE, "pageCount": 0,
                                   "itemCount": 0})])
        self.assertEqual(asked, [(1, limits.PAGE_SIZE, {})])


@tagged("crm_xero")
class TestGatewaySettings(GatewaySandboxCase):

    def test_organisation_of_each_connected_tenant(self):
        organisation = self.gateway().get_organisation()
        self.assertEqual(organisation["Name"], self.org["name"])
        self.assertEqual(organisation["ShortCode"], self.org["short_code"])
        self.assertEqual(organisation["BaseCurrency"], self.org["base_currency"])
        both = self.sandbox.connect(tenant_ids=[self.tenant_id, self.second_org["tenant_id"]])
        second = self.gateway(access_token=both["access_token"],
                              tenant_id=self.second_org["tenant_id"])
        self.assertEqual(second.get_organisation()["Name"], SECOND)
        self.assertEqual([c["tenant_id"] for c in self.api_calls()],
                         [self.tenant_id, self.second_org["tenant_id"]])

    def test_revenue_accounts_tax_rates_currencies(self):
        gateway = self.gateway()
        everything = gateway.get_accounts()
        revenue = gateway.get_accounts(where=where.all_of(where.eq("Status", "ACTIVE"),
                                                          where.eq("Class", "REVENUE")))
        self.assertEqual({a["Code"] for a in revenue}, {"200", "260", "270"})
        self.assertIn("280", {a["Code"] for a in everything})     # archived revenue
        self.assertEqual(invoices.revenue_accounts(everything),
                         [("200", "Sales"), ("260", "Other Revenue"),
                          ("270", "Interest Income")])
        tax_rates = {t["TaxType"]: t for t in gateway.get_tax_rates()}
        self.assertEqual(tax_rates["OUTPUT"]["EffectiveRate"], 15.0)
        self.assertTrue(tax_rates["OUTPUT"]["CanApplyToRevenue"])
        currencies = {c["Code"] for c in gateway.get_currencies()}
        self.assertEqual(currencies, {"USD", "EUR", "GBP"})
        self.assertEqual(invoices.enabled_currencies(gateway.get_organisation(),
                                                     gateway.get_currencies()), currencies)

    def test_items_as_xero_holds_them(self):
        gateway = self.gateway()
        items = gateway.get_items()
        self.assertEqual({i["Code"]: i["ItemID"] for i in items},
                         {i["Code"]: i["ItemID"] for i in self.sandbox.items(self.tenant_id)})
        widget = next(i for i in items if i["Code"] == "WIDGET")
        self.assertEqual(widget["SalesDetails"]["UnitPrice"], 25.0)
        self.assertEqual(widget["SalesDetails"]["AccountCode"], "200")
        sold = gateway.get_items(where="IsSold==true")
        self.assertNotIn("OFFICE-SUP", {i["Code"] for i in sold})
        self.assertEqual({i["Code"] for i in sold},
                         {i["Code"] for i in self.sandbox.items(self.tenant_id) if i["IsSold"]})

    def test_tracking_categories_hide_archived_unless_asked(self):
        gateway = self.gateway()
        active = gateway.get_tracking_categories()
        everything = gateway.get_tracking_categories(include_archived=True)
        self.assertEqual(sorted(c["Name"] for c in active), ["Department", "Region"])
        self.assertEqual(sorted(c["Name"] for c in everything),
                         sorted(c["Name"] for c in
                                self.sandbox.tracking_categories(self.tenant_id)))
        region = next(c for c in active if c["Name"] == "Region")
        self.assertEqual([o["Name"] for o in region["Options"]], ["North", "South"])
        self.assertEqual(dict(invoices.active_tracking(everything)),
                         {"Region": ["North", "South"], "Department": ["Sales", "Services"]})

    def test_branding_themes(self):
        themes = self.gateway().get_branding_themes()
        self.assertEqual([(t["Name"], t["SortOrder"]) for t in themes],
                         [("Standard", 0), ("Special projects", 1)])
        self.assertEqual({t["BrandingThemeID"] for t in themes},
                         {t["BrandingThemeID"]
                          for t in self.sandbox.branding_themes(self.tenant_id)})


@tagged("crm_xero")
class TestGatewayContacts(GatewaySandboxCase):

    def test_create_get_update_contact(self):
        gateway = self.gateway()
        created = gateway.create_contacts([{
            "Name": "Acme Gateway Ltd", "EmailAddress": "info@acme.example",
            "AccountNumber": "ODOO-42", "ContactNumber": "odoo-partner-42",
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 1234"}],
            "Website": None,  # None members are dropped, not sent
        }])
        self.assertEqual(len(created), 1)
        contact = created[0]
        self.assertIs(type(contact), dict)
        self.assertEqual(contact["Name"], "Acme Gateway Ltd")
        stored = self.sandbox.contact(self.tenant_id, contact["ContactID"])
        self.assertEqual(stored["AccountNumber"], "ODOO-42")
        self.assertEqual(stored["ContactNumber"], "odoo-partner-42")
        self.assertEqual(stored["EmailAddress"], "info@acme.example")
        self.assertNotIn("Website", stored)
        self.assertEqual(gateway.get_contact(contact["ContactID"])["ContactNumber"],
                         "odoo-partner-42")

        updated = gateway.update_contact(contact["ContactID"],
                                         {"EmailAddress": "sales@acme.example"})
        self.assertEqual(updated["EmailAddress"], "sales@acme.example")
        stored = self.sandbox.contact(self.tenant_id, contact["ContactID"])
        self.assertEqual(stored["EmailAddress"], "sales@acme.example")
        self.assertEqual(stored["Name"], "Acme Gateway Ltd")
        self.assertEqual([h["Changes"] for h in stored["History"]], ["Created", "Edited"])

    def test_every_write_carries_an_idempotency_key_and_the_tenant(self):
        gateway = self.gateway()
        contact = gateway.create_contacts([{"Name": "Keyed Ltd"}])[0]
        gateway.update_contact(contact["ContactID"], {"EmailAddress": "a@b.example"},
                               idempotency_key="caller-key-1")
        gateway.create_contacts([{"Name": "Keyed Two Ltd"}])
        gateway.get_contact(contact["ContactID"])
        calls = self.api_calls()
        self.assertEqual([c["method"] for c in calls], ["PUT", "POST", "PUT", "GET"])
        self.assertEqual({c["tenant_id"] for c in calls}, {self.tenant_id})
        self.assertTrue(calls[0]["idempotency_key"])
        self.assertEqual(calls[1]["idempotency_key"], "caller-key-1")
        self.assertNotEqual(calls[0]["idempotency_key"], calls[2]["idempotency_key"])
        self.assertLessEqual(len(calls[0]["idempotency_key"]), limits.IDEMPOTENCY_KEY_MAX)
        self.assertIsNone(calls[3]["idempotency_key"])

    def test_contact_pages_filters_and_search(self):
        gateway = self.gateway()
        held = self.sandbox.contacts(self.tenant_id)
        active = {c["ContactID"] for c in held if c["ContactStatus"] == "ACTIVE"}
        archived = {c["ContactID"] for c in held if c["ContactStatus"] == "ARCHIVED"}
        self.assertTrue(archived)

        first = gateway.get_contacts(page=1, page_size=7)
        self.assertEqual(len(first["Contacts"]), 7)
        self.assertEqual(first["pagination"], {"page": 1, "pageSize": 7,
                                               "pageCount": -(-len(active) // 7),
                                               "itemCount": len(active)})
        second = gateway.get_contacts(page=2, page_size=7)
        self.assertFalse({c["ContactID"] for c in first["Contacts"]}
                         & {c["ContactID"] for c in second["Contacts"]})
        self.assertIsNone(gateway.get_contacts()["pagination"])   # no page: everything

        mine = self.accountant_contact(Name="Zebra Searchable Ltd",
                                       EmailAddress="zebra@example.com")
        found = gateway.get_contacts(search_term="zebra searchable")["Contacts"]
        self.assertEqual([c["ContactID"] for c in found], [mine["ContactID"]])
        by_id = gateway.get_contacts(ids=[mine["ContactID"]])["Contacts"]
        self.assertEqual([c["Name"] for c in by_id], ["Zebra Searchable Ltd"])
        summary = gateway.get_contacts(ids=[mine["ContactID"]], summary_only=True)["Contacts"]
        self.assertEqual(summary[0]["ContactID"], mine["ContactID"])
        self.assertNotIn("Addresses", summary[0])

        with_archived = gateway.get_contacts(include_archived=True)["Contacts"]
        self.assertEqual({c["ContactID"] for c in with_archived}, active | archived
                         | {mine["ContactID"]})

        ordered = gateway.get_contacts(order="Name DESC")["Contacts"]
        self.assertEqual([c["Name"] for c in ordered],
                         sorted((c["Name"] for c in ordered), key=str.lower, reverse=True))

    def test_modified_since_takes_aware_and_naive_utc(self):
        gateway = self.gateway()
        mine = self.accountant_contact()
        now = datetime.datetime.now(datetime.timezone.utc)
        later = now + datetime.timedelta(days=1)
        self.assertEqual(gateway.get_contacts(modified_since=later)["Contacts"], [])
        earlier = (now - datetime.timedelta(minutes=5)).astimezone(
            datetime.timezone(datetime.timedelta(hours=10)))      # same moment, Sydney
        recent = gateway.get_contacts(modified_since=earlier)["Contacts"]
        self.assertEqual([c["ContactID"] for c in recent], [mine["ContactID"]])
        naive = gateway.get_contacts(modified_since=(now - datetime.timedelta(minutes=5))
                                     .replace(tzinfo=None))["Contacts"]
        self.assertEqual([c["ContactID"] for c in naive], [mine["ContactID"]])

    def test_iter_pages_reads_every_active_contact_once(self):
        gateway = self.gateway()
        pages = list(gateway.iter_pages(gateway.get_contacts, "Contacts", page_size=25))
        held = {c["ContactID"] for c in self.sandbox.contacts(self.tenant_id)
                if c["ContactStatus"] == "ACTIVE"}
        seen = [c["ContactID"] for _page, items, _info in pages for c in items]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(set(seen), held)
        self.assertEqual([p for p, _i, _n in pages], list(range(1, -(-len(held) // 25) + 1)))
        self.assertEqual(len(self.api_calls()), len(pages))

    def test_where_values_are_quoted_never_pasted(self):
        gateway = self.gateway()
        tricky = self.accountant_contact(Name='Smith "Quoted" \\ Sons',
                                         EmailAddress="smith@example.com")
        other = self.accountant_contact(Name="Smith Sons", EmailAddress="other@example.com")
        found = gateway.get_contacts(where=where.eq("Name", tricky["Name"]))["Contacts"]
        self.assertEqual([c["ContactID"] for c in found], [tricky["ContactID"]])
        either = gateway.get_contacts(where=where.any_of(
            where.eq("Name", tricky["Name"]), where.eq("EmailAddress", "other@example.com"),
            None))["Contacts"]
        self.assertEqual({c["ContactID"] for c in either},
                         {tricky["ContactID"], other["ContactID"]})
        both = gateway.get_contacts(where=where.all_of(
            where.eq("EmailAddress", "other@example.com"),
            where.any_of(where.eq("Name", "Smith Sons"), where.eq("Name", "Nobody"))))
        self.assertEqual([c["ContactID"] for c in both["Contacts"]], [other["ContactID"]])
        by_guid = gateway.get_contacts(where=where.guid_eq("ContactID", other["ContactID"]))
        self.assertEqual([c["Name"] for c in by_guid["Contacts"]], ["Smith Sons"])
        injected = gateway.get_contacts(where=where.eq("Name", 'x" OR Name!="x'))
        self.assertEqual(injected["Contacts"], [])

    def test_contact_history_note(self):
        gateway = self.gateway()
        contact = self.accountant_contact()
        note = contacts.history_details("Updated", "Sam Salesman", ["phone", "address"])
        record = gateway.add_contact_history(contact["ContactID"], note)
        self.assertEqual(record["Details"], "Updated from Odoo CRM by Sam Salesman: phone, "
                                            "address.")
        history = self.sandbox.contact(self.tenant_id, contact["ContactID"])["History"]
        self.assertEqual([(h["Changes"], h["Details"]) for h in history][-1],
                         ("Note", record["Details"]))

    def test_a_new_account_lands_in_xero_as_mapped(self):
        odoo = {"name": "Kauri Timber Ltd", "email": "", "phone": "555 0100",
                "mobile": "021 555", "vat": "NZ-123", "street": "1 Quay St",
                "city": "Auckland", "zip": "1010", "country": "New Zealand",
                "main_name": "Mere Ngata", "main_email": "mere@kauri.example",
                "persons": [["Tom Hale", "tom@kauri.example"]]}
        payload = contacts.contact_for_create(odoo, "KAURI-1", "odoo-partner-1")
        self.assertEqual(contacts.contact_problems(payload), [])
        created = self.gateway().create_contacts([payload])[0]
        stored = self.sandbox.contact(self.tenant_id, created["ContactID"])
        self.assertEqual((stored["Name"], stored["AccountNumber"], stored["ContactNumber"]),
                         ("Kauri Timber Ltd", "KAURI-1", "odoo-partner-1"))
        self.assertEqual((stored["FirstName"], stored["LastName"], stored["EmailAddress"]),
                         ("Mere", "Ngata", "mere@kauri.example"))
        phones = {p["PhoneType"]: p["PhoneNumber"] for p in stored["Phones"]}
        self.assertEqual((phones["DEFAULT"], phones["MOBILE"]), ("555 0100", "021 555"))
        addresses = {a["AddressType"]: a for a in stored["Addresses"]}
        self.assertEqual((addresses["STREET"]["AddressLine1"], addresses["POBOX"]["City"]),
                         ("1 Quay St", "Auckland"))
        self.assertEqual([(p["FirstName"], p["LastName"], p["EmailAddress"])
                          for p in stored["ContactPersons"]],
                         [("Tom", "Hale", "tom@kauri.example")])
        # and an import of it gives back what Odoo sent
        self.assertEqual(contacts.contact_to_snapshot(stored),
                         contacts.snapshot(dict(odoo, email="mere@kauri.example",
                                                account_number="KAURI-1")))

    def test_update_to_xero_sends_only_odoos_changes_and_keeps_xeros_own(self):
        gateway = self.gateway()
        baseline = {"name": "Rimu Ltd", "phone": "555 0100", "street": "1 Quay St",
                    "city": "Auckland", "persons": [["Tom Hale", "tom@rimu.example"]]}
        created = gateway.create_contacts([contacts.contact_for_create(baseline, "RIMU-1",
                                                                       "odoo-partner-2")])[0]
        # the accountant adds what Odoo does not model
        self.sandbox.update_contact(
            self.tenant_id, created["ContactID"],
            Phones=[{"PhoneType": "FAX", "PhoneNumber": "555 0199"}],
            Addresses=[{"AddressType": "STREET", "AttentionTo": "Accounts dept"}],
            ContactPersons=[{"FirstName": "Tom", "LastName": "Hale",
                             "EmailAddress": "tom@rimu.example"},
                            {"FirstName": "Ana", "LastName": "Lee",
                             "EmailAddress": "ana@rimu.example"}])
        # the salesperson changes the phone and the city, and adds a person
        current = dict(baseline, phone="555 0200", city="Wellington",
                       persons=baseline["persons"] + [["Wiremu Kaa", "wiremu@rimu.example"]])
        update, labels = contacts.contact_for_update(
            current, baseline, gateway.get_contact(created["ContactID"]))
        # the postal address, the street's copy since the export, moves with it
        self.assertEqual(labels, ["phone", "address", "billing", "persons"])
        self.assertNotIn("Name", update)
        gateway.update_contact(created["ContactID"], update)

        stored = self.sandbox.contact(self.tenant_id, created["ContactID"])
        phones = {p["PhoneType"]: p["PhoneNumber"] for p in stored["Phones"]}
        self.assertEqual((phones["DEFAULT"], phones["FAX"]), ("555 0200", "555 0199"))
        street = next(a for a in stored["Addresses"] if a["AddressType"] == "STREET")
        self.assertEqual((street["AddressLine1"], street["City"], street["AttentionTo"]),
                         ("1 Quay St", "Wellington", "Accounts dept"))
        postal = next(a for a in stored["Addresses"] if a["AddressType"] == "POBOX")
        self.assertEqual((postal["AddressLine1"], postal["City"]), ("1 Quay St", "Wellington"))
        self.assertEqual([(p["FirstName"], p.get("EmailAddress")) for p in
                          stored["ContactPersons"]],
                         [("Tom", "tom@rimu.example"), ("Ana", "ana@rimu.example"),
                          ("Wiremu", "wiremu@rimu.example")])
        self.assertEqual(stored["Name"], "Rimu Ltd")
        # nothing changed since: a second Update to Xero has nothing to send
        again, labels = contacts.contact_for_update(
            current, current, gateway.get_contact(created["ContactID"]))
        self.assertEqual((again, labels), ({}, []))

    def test_duplicate_name_is_a_validation_error_with_xeros_message(self):
        gateway = self.gateway()
        self.accountant_contact(Name="Unique Name Ltd")
        with self.assertRaises(XeroValidationError) as caught:
            gateway.create_contacts([{"Name": "Unique Name Ltd"}])
        error = caught.exception
        self.assertEqual((error.status, error.reason), (400, "duplicate_name"))
        self.assertIn("Unique Name Ltd", error.messages[0])
        self.assertEqual(str(error), "Xero refused the change: %s." % error.messages[0]
                         .rstrip("."))
        self.assertEqual(error.elements[0]["index"], 0)
        self.assertEqual(len(self.sandbox.contacts(self.tenant_id, name="Unique Name Ltd")), 1)

    def test_duplicate_ledger_code_and_contact_number_have_their_own_reasons(self):
        gateway = self.gateway()
        self.accountant_contact(AccountNumber="LEDGER-9", ContactNumber="odoo-partner-9")
        with self.assertRaises(XeroValidationError) as caught:
            gateway.create_contacts([{"Name": "Another Ltd", "AccountNumber": "ledger-9"}])
        self.assertEqual(caught.exception.reason, "duplicate_account_number")
        with self.assertRaises(XeroValidationError) as caught:
            gateway.create_contacts([{"Name": "Another Ltd", "ContactNumber": "odoo-partner-9"}])
        self.assertEqual(caught.exception.reason, "duplicate_contact_number")
        with self.assertRaises(XeroValidationError) as caught:
            gateway.create_contacts([{"Name": "Another Ltd", "EmailAddress": "not-an-email"}])
        self.assertEqual(caught.exception.reason, "invalid_email")
        self.assertEqual(self.sandbox.contacts(self.tenant_id, name="Another Ltd"), [])

    def test_per_element_errors_when_not_summarized(self):
        gateway = self.gateway()
        self.accountant_contact(Name="Taken Ltd")
        result = gateway.create_contacts([{"Name": "Fresh Ltd"}, {"Name": "Taken Ltd"}],
                                         summarize_errors=False)
        self.assertEqual(len(result), 2)
        self.assertFalse(result[0]["HasValidationErrors"])
        self.assertTrue(result[1]["HasValidationErrors"])
        self.assertIn("already assigned", result[1]["ValidationErrors"][0]["Message"])
        self.assertEqual([c["ContactID"] for c in
                          self.sandbox.contacts(self.tenant_id, name="Fresh Ltd")],
                         [result[0]["ContactID"]])
        self.assertEqual(len(self.sandbox.contacts(self.tenant_id, name="Taken Ltd")), 1)

    def test_unknown_contact_is_not_found_and_not_retried(self):
        with self.assertRaises(XeroNotFound) as caught:
            self.gateway().get_contact(str(uuid.uuid4()))
        self.assertEqual((caught.exception.status, caught.exception.reason), (404, "not_found"))
        self.assertIn("deleted in Xero", str(caught.exception))
        self.assertEqual([c["status"] for c in self.api_calls()], [404])
        self.assertEqual(self.sleeps, [])

    def test_deep_links_open_the_contact_in_xero(self):
        contact = self.accountant_contact(Name="Linked Contact Ltd")
        link = self.endpoints.contact_link(self.org["short_code"], contact["ContactID"])
        page = requests.get(link, timeout=TIMEOUT)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Linked Contact Ltd", page.text)
        wrong_org = self.endpoints.contact_link(self.second_org["short_code"],
                                                contact["ContactID"])
        self.assertEqual(requests.get(wrong_org, timeout=TIMEOUT).status_code, 404)


@tagged("crm_xero")
class TestGatewayInvoices(GatewaySandboxCase):

    invoice_date = datetime.date(2025, 3, 14)

    def setUp(self):
        super().setUp()
        self.contact = self.accountant_contact()
        self.contact_id = self.contact["ContactID"]

    def draft(self, **values):
        invoice = {"Type": "ACCREC", "Status": "DRAFT", "Contact": {"ContactID": self.contact_id},
                   "Reference": "Odoo opportunity 7", "LineAmountTypes": "Exclusive",
                   "Date": self.invoice_date, "LineItems": [self.sale_line()]}
        invoice.update(values)
        return invoice

    def authorised(self):
        return self.sandbox.create_invoice(self.tenant_id, ContactID=self.contact_id,
                                           Status="AUTHORISED", LineItems=[self.sale_line()])

    def test_invoice_lifecycle(self):
        gateway = self.gateway()
        created = gateway.create_invoice(self.draft())
        invoice_id = created["InvoiceID"]
        self.assertEqual((created["Status"], created["Type"], created["SubTotal"]),
                         ("DRAFT", "ACCREC", 300.0))
        self.assertTrue(created["InvoiceNumber"])
        # dates come back as Xero writes them; the helpers read them
        self.assertEqual(parse_xero_date(created["Date"]), self.invoice_date)
        updated_at = parse_xero_datetime(created["UpdatedDateUTC"])
        self.assertLess(abs(updated_at - datetime.datetime.utcnow()),
                        datetime.timedelta(minutes=5))
        stored = self.sandbox.invoice(self.tenant_id, invoice_id)
        self.assertEqual((stored["Reference"], stored["Contact"]["ContactID"], stored["Total"]),
                         ("Odoo opportunity 7", self.contact_id, 345.0))

        self.assertEqual(gateway.get_invoice(invoice_id)["InvoiceNumber"],
                         created["InvoiceNumber"])
        listed = gateway.get_invoices(contact_ids=[self.contact_id], statuses=["DRAFT"])
        self.assertEqual([i["InvoiceID"] for i in listed["Invoices"]], [invoice_id])
        self.assertEqual(gateway.get_invoices(ids=[invoice_id], summary_only=True)
                         ["Invoices"][0]["InvoiceID"], invoice_id)
        self.assertEqual(gateway.get_invoices(contact_ids=[self.contact_id],
                                              statuses=["AUTHORISED"])["Invoices"], [])
        paged = gateway.get_invoices(page=1, page_size=5)
        self.assertEqual(len(paged["Invoices"]), 5)
        self.assertEqual(paged["pagination"]["pageSize"], 5)

        updated = gateway.update_invoice(invoice_id, {"Reference": "Odoo opportunity 7 (v2)"})
        self.assertEqual(updated["Reference"], "Odoo opportunity 7 (v2)")
        self.assertEqual(self.sandbox.invoice(self.tenant_id, invoice_id)["Reference"],
                         "Odoo opportunity 7 (v2)")

        deleted = gateway.delete_invoice(invoice_id)
        self.assertEqual(deleted["Status"], "DELETED")
        self.assertEqual(self.sandbox.invoice(self.tenant_id, invoice_id)["Status"], "DELETED")
        self.assertEqual(gateway.get_invoices(contact_ids=[self.contact_id])["Invoices"], [])
        self.assertEqual(invoices.invoice_values(deleted)["status"], "DELETED")

    def test_the_opportunity_invoice_as_mapped_lands_in_xero(self):
        gateway = self.gateway()
        items = gateway.get_items()
        themes = {t["Name"]: t["BrandingThemeID"] for t in gateway.get_branding_themes()}
        categories = gateway.get_tracking_categories(include_archived=True)
        chosen = [("Region", "North"), ("Department", "Services")]
        self.assertIsNone(invoices.tracking_problem(chosen, categories))
        self.assertIsNone(invoices.theme_problem(themes["Special projects"],
                                                 gateway.get_branding_themes()))
        lines = invoices.with_tracking(invoices.quotation_lines([
            {"description": "Consulting", "quantity": 3, "price_unit": 150,
             "product_code": "consult-hr"},
            {"description": "Training", "quantity": 1, "price_unit": 900, "discount": 10,
             "product_code": "TRAINING-DAY"},
            {"description": "Travel", "quantity": 1, "price_unit": 80.5},
        ], "200", items), chosen)
        due = datetime.date.today() + datetime.timedelta(days=14)
        payload = invoices.invoice_payload(
            self.contact_id, lines, "EUR", "Exclusive",
            invoices.reference("Big deal", "S00042"), "http://odoo.example/web#id=7",
            due_date=due, branding_theme_id=themes["Special projects"])
        created = gateway.create_invoice(payload)

        stored = self.sandbox.invoice(self.tenant_id, created["InvoiceID"])
        self.assertEqual((stored["Status"], stored["Type"], stored["CurrencyCode"]),
                         ("DRAFT", "ACCREC", "EUR"))
        self.assertEqual(stored["Reference"], "Big deal (S00042)")
        self.assertEqual(stored["Url"], "http://odoo.example/web#id=7")
        self.assertEqual(stored["BrandingThemeID"], themes["Special projects"])
        self.assertEqual(parse_xero_date(stored["DueDate"]), due)
        self.assertEqual([(i.get("ItemCode"), i["AccountCode"]) for i in stored["LineItems"]],
                         [("CONSULT-HR", "200"), ("TRAINING-DAY", "260"), (None, "200")])
        self.assertEqual({(t["Name"], t["Option"]) for t in stored["LineItems"][0]["Tracking"]},
                         set(chosen))
        self.assertEqual(stored["LineItems"][1]["DiscountRate"], 10)
        values = invoices.invoice_values(created)
        self.assertEqual((values["number"], values["status"], values["currency"],
                          values["due_date"], values["subtotal"]),
                         (stored["InvoiceNumber"], "DRAFT", "EUR", due, 450 + 810 + 80.5))

    def test_estimate_matches_the_totals_xero_computes(self):
        gateway = self.gateway()
        accounts, items, rates = (gateway.get_accounts(), gateway.get_items(),
                                  gateway.get_tax_rates())
        lines = invoices.quotation_lines([
            {"description": "Odd hours", "quantity": 3, "price_unit": 33.335,
             "product_code": "CONSULT-HR"},
            {"description": "More odd hours", "quantity": 3, "price_unit": 33.335},
            {"description": "Widgets", "quantity": 7, "price_unit": 2.345, "discount": 12.5},
            {"description": "Training", "quantity": 1, "price_unit": 899.99,
             "product_code": "training-day"},
            {"description": "Exempt interest", "quantity": 1, "price_unit": 0.05},
        ], "200", items)
        lines[4]["AccountCode"] = "270"        # exempt from tax
        for line_amounts in ("Exclusive", "Inclusive", "NoTax"):
            expected = invoices.estimate(lines, line_amounts, accounts, items, rates)
            created = gateway.create_invoice(invoices.invoice_payload(
                self.contact_id, lines, "USD", line_amounts, "estimate", None))
            stored = self.sandbox.invoice(self.tenant_id, created["InvoiceID"])
            self.assertEqual((expected["subtotal"], expected["tax"], expected["total"]),
                             (stored["SubTotal"], stored["TotalTax"], stored["Total"]),
                             line_amounts)
            self.assertIsNone(invoices.totals_problem(expected["total"], created))
        self.assertEqual(invoices.totals_problem(expected["total"] + 0.01, created),
                         "expected %.2f, Xero made %.2f" % (expected["total"] + 0.01,
                                                             created["Total"]))

    def test_what_xero_refuses_on_an_invoice_has_a_reason(self):
        gateway = self.gateway()
        self.sandbox.set_tracking_option(self.tenant_id, "Region", "North", "ARCHIVED")
        categories = gateway.get_tracking_categories(include_archived=True)
        self.assertIsNotNone(invoices.tracking_problem([("Region", "North")], categories))
        cases = {
            "tracking_refused": self.draft(LineItems=[self.sale_line(
                Tracking=[{"Name": "Region", "Option": "North"}])]),
            "unknown_item": self.draft(LineItems=[self.sale_line(ItemCode="NO-SUCH")]),
            "branding_theme_refused": self.draft(BrandingThemeID=str(uuid.uuid4())),
            "currency_not_enabled": self.draft(CurrencyCode="NZD"),
            "archived_account": self.draft(LineItems=[self.sale_line(AccountCode="280")]),
        }
        for reason, payload in cases.items():
            with self.assertRaises(XeroValidationError, msg=reason) as caught:
                gateway.create_invoice(payload)
            self.assertEqual(caught.exception.reason, reason, caught.exception.messages)
        self.sandbox.update_contact(self.tenant_id, self.contact_id, ContactStatus="ARCHIVED")
        with self.assertRaises(XeroValidationError) as caught:
            gateway.create_invoice(self.draft())
        self.assertEqual(caught.exception.reason, "archived_contact")
        self.assertEqual(self.sandbox.invoices(self.tenant_id, contact_id=self.contact_id), [])
        self.assertEqual([c["status"] for c in self.api_calls()][-6:], [400] * 6)

    def test_online_invoice_url_only_once_approved(self):
        gateway = self.gateway()
        draft = gateway.create_invoice(self.draft())
        with self.assertRaises(XeroValidationError) as caught:
            gateway.get_online_invoice_url(draft["InvoiceID"])
        self.assertIn("DRAFT", caught.exception.messages[0])
        authorised = self.authorised()
        url = gateway.get_online_invoice_url(authorised["InvoiceID"])
        page = requests.get(url, timeout=TIMEOUT)
        self.assertEqual(page.status_code, 200)
        self.assertIn(authorised["InvoiceNumber"], page.text)

    def test_authorised_invoice_cannot_be_deleted(self):
        authorised = self.authorised()
        with self.assertRaises(XeroValidationError) as caught:
            self.gateway().delete_invoice(authorised["InvoiceID"])
        self.assertEqual(caught.exception.reason, "not_editable")
        self.assertEqual(self.sandbox.invoice(self.tenant_id, authorised["InvoiceID"])["Status"],
                         "AUTHORISED")

    def test_invoice_pdf_is_xeros_pdf(self):
        authorised = self.authorised()
        pdf = self.gateway().get_invoice_pdf(authorised["InvoiceID"])
        self.assertIsInstance(pdf, bytes)
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertIn(authorised["InvoiceNumber"].encode(), pdf)
        with self.assertRaises(XeroNotFound):
            self.gateway().get_invoice_pdf(str(uuid.uuid4()))

    def test_deep_link_opens_the_invoice_in_xero(self):
        authorised = self.authorised()
        link = self.endpoints.invoice_link(self.org["short_code"], authorised["InvoiceID"])
        page = requests.get(link, timeout=TIMEOUT)
        self.assertEqual(page.status_code, 200)
        self.assertIn(authorised["InvoiceNumber"], page.text)

    def test_credit_notes_every_page(self):
        gateway = self.gateway()
        held = self.sandbox.credit_notes(self.tenant_id)
        self.assertTrue(held)
        pages = list(gateway.iter_pages(gateway.get_credit_notes, "CreditNotes", page_size=3))
        self.assertEqual(sorted(c["CreditNoteID"] for _p, items, _n in pages for c in items),
                         sorted(c["CreditNoteID"] for c in held))
        self.assertEqual(len(pages), -(-len(held) // 3))
        open_ones = gateway.get_credit_notes(where=where.eq("Status", "AUTHORISED"))
        self.assertEqual({c["CreditNoteID"] for c in open_ones["CreditNotes"]},
                         {c["CreditNoteID"] for c in held if c["Status"] == "AUTHORISED"})

    def test_payments_need_their_scope(self):
        with self.assertRaises(XeroAuthError) as caught:
            self.gateway().get_payments()
        # a missing scope, not a bad token: reconnecting with it is the fix
        self.assertEqual((caught.exception.status, caught.exception.reason),
                         (401, "scope_missing"))
        token = self.sandbox.connect(scopes=SCOPES + ["accounting.payments.read"])
        gateway = self.gateway(access_token=token["access_token"])
        paid = self.authorised()
        self.sandbox.pay(self.tenant_id, paid["InvoiceID"], amount=100)
        payments = [p for _page, items, _info in gateway.iter_pages(
            gateway.get_payments, "Payments", page_size=50) for p in items]
        held = {p["PaymentID"] for invoice in self.sandbox.invoices(self.tenant_id)
                for p in invoice.get("Payments") or []}
        self.assertEqual({p["PaymentID"] for p in payments}, held)
        mine = [p for p in payments if p["Invoice"]["InvoiceID"] == paid["InvoiceID"]]
        self.assertEqual([p["Amount"] for p in mine], [100.0])


@tagged("crm_xero")
class TestGatewayAuthorisation(GatewaySandboxCase):

    def test_expired_access_token_is_an_auth_error_worth_a_refresh(self):
        gateway = self.gateway()
        gateway.get_organisation()
        self.sandbox.expire_tokens()
        with self.assertRaises(XeroAuthError) as caught:
            gateway.get_contacts()
        error = caught.exception
        self.assertEqual((error.status, error.reason), (401, "token_rejected"))
        self.assertFalse(error.needs_reconnect)
        self.assertNotIn(self.access_token, error.detail)
        self.assertNotIn(self.access_token, repr(error))
        self.assertEqual([c["status"] for c in self.api_calls()], [200, 401])   # no retry
        self.assertEqual(self.sleeps, [])

    def test_garbage_token_is_refused_the_same_way(self):
        with self.assertRaises(XeroAuthError) as caught:
            self.gateway(access_token="not-a-token").get_organisation()
        self.assertEqual(caught.exception.reason, "token_rejected")
        self.assertFalse(caught.exception.needs_reconnect)
        self.assertEqual(str(caught.exception), "Xero did not accept Odoo's sign-in for this "
                                                "call; try again in a moment.")

    def test_unconnected_organisation_is_forbidden(self):
        second = self.second_org["tenant_id"]
        tenants = {c["tenantId"] for c in list_connections(self.endpoints, self.access_token)}
        self.assertEqual(tenants, {self.tenant_id})
        with self.assertRaises(XeroForbidden) as caught:
            self.gateway(tenant_id=second).get_organisation()
        self.assertEqual((caught.exception.status, caught.exception.reason), (403, "forbidden"))
        self.assertIn("reconnect Xero", str(caught.exception))
        self.assertEqual([(c["tenant_id"], c["status"]) for c in self.api_calls()],
                         [(second, 403)])

    def test_calls_are_logged_without_tokens(self):
        with self.assertLogs(gateway_module._logger, level="DEBUG") as logs:
            self.gateway().get_organisation()
            self.gateway().create_contacts([{"Name": "Logged Ltd"}])
        text = "\n".join(logs.output)
        self.assertIn("GET /Organisation -> 200", text)
        self.assertIn("PUT /Contacts -> 200", text)
        self.assertNotIn(self.access_token, text)
        self.assertNotIn("Logged Ltd", text)       # bodies are not logged either
