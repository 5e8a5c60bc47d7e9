"""XeroGateway against the Xero sandbox: every Accounting API call a caller
makes, checked both in what the caller gets back and in what the sandbox now
holds (read back over plain HTTP, not through the gateway)."""

import datetime
import time
import uuid

import requests

from odoo.tests import BaseCase, tagged

from ..xero.errors import (XeroAuthError, XeroForbidden, XeroNotFound,
                           XeroValidationError)
from ..xero import gateway as gateway_module
from ..xero.gateway import XeroGateway, contact_deep_link, invoice_deep_link
from ..xero.oauth import XeroEndpoints, list_connections
from ..xero.responses import parse_xero_date, parse_xero_datetime
from ..xero.pacing import Pacer
from .common import SandboxClient, sandbox_url

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
REDIRECT_URI = "http://127.0.0.1:8069/crm_xero/oauth/callback"
SCOPES = ["openid", "profile", "email", "offline_access", "accounting.contacts",
          "accounting.settings.read", "accounting.invoices"]


class SandboxCase(BaseCase):
    """No database: the sandbox, fresh for each test, and its endpoints."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.url = sandbox_url()
        cls.sandbox = SandboxClient(cls.url)
        cls.endpoints = XeroEndpoints.single(cls.url)

    def setUp(self):
        super().setUp()
        self.sandbox.reset()


class GatewaySandboxCase(SandboxCase):
    """Fresh sandbox state and a token per test; helpers to look at the
    sandbox without going through the code under test."""

    def setUp(self):
        super().setUp()
        self.addCleanup(self.sandbox.clear_faults)
        self.token = self.sandbox.connect(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES)
        self.access_token = self.token["access_token"]
        orgs = {org["name"]: org for org in self.sandbox.orgs()}
        self.org = orgs["Demo Company (Global)"]
        self.tenant_id = self.org["tenant_id"]
        # each test gets its own pacer: tests never wait on each other's budget
        self.pacer = Pacer()

    def gateway(self, **kw):
        kw.setdefault("pacer", self.pacer)
        kw.setdefault("timeout", 10)
        return XeroGateway(self.endpoints, kw.pop("access_token", self.access_token),
                           kw.pop("tenant_id", self.tenant_id), **kw)

    def raw(self, method, path, tenant_id=None, **kw):
        """Ask the sandbox directly (not through the gateway)."""
        headers = {"Authorization": "Bearer " + self.access_token,
                   "xero-tenant-id": tenant_id or self.tenant_id,
                   "Accept": "application/json"}
        response = requests.request(method, self.url + "/api.xro/2.0" + path,
                                    headers=headers, timeout=10, **kw)
        return response

    def raw_json(self, path, **kw):
        response = self.raw("GET", path, **kw)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def api_calls(self, since=0):
        """The sandbox's record of Accounting API calls (not control calls)."""
        calls = [c for c in self.sandbox.calls() if "/api.xro/" in c.get("path", "")]
        return calls[since:]

    def new_contact(self, gateway=None, **values):
        values.setdefault("Name", "Gateway Test %s" % uuid.uuid4().hex[:8])
        return (gateway or self.gateway()).create_contacts([values])[0]


@tagged("crm_xero")
class TestGatewaySettings(GatewaySandboxCase):

    def test_organisation_and_deep_links(self):
        gateway = self.gateway()
        organisation = gateway.get_organisation()
        self.assertEqual(organisation["Name"], self.org["name"])
        self.assertEqual(organisation["ShortCode"], self.org["short_code"])
        self.assertEqual(organisation["BaseCurrency"], self.org["base_currency"])
        link = contact_deep_link("!aB3", "abc-123")
        self.assertEqual(
            link, "https://go.xero.com/organisationlogin/default.aspx?shortcode=!aB3"
                  "&redirecturl=/Contacts/View/abc-123")
        self.assertEqual(
            invoice_deep_link("!aB3", "inv-9"),
            "https://go.xero.com/organisationlogin/default.aspx?shortcode=!aB3"
            "&redirecturl=/AccountsReceivable/View.aspx?InvoiceID=inv-9")
        self.assertIsNone(contact_deep_link(None, "abc"))

    def test_revenue_accounts_tax_rates_currencies(self):
        gateway = self.gateway()
        everything = gateway.get_accounts()
        revenue = gateway.get_accounts(where='Status=="ACTIVE" AND Class=="REVENUE"')
        self.assertTrue(revenue)
        self.assertLess(len(revenue), len(everything))
        self.assertTrue(all(a["Class"] == "REVENUE" and a["Status"] == "ACTIVE"
                            for a in revenue))
        self.assertEqual(
            {a["Code"] for a in revenue},
            {a["Code"] for a in self.raw_json("/Accounts")["Accounts"]
             if a.get("Class") == "REVENUE" and a.get("Status") == "ACTIVE"})
        tax_rates = gateway.get_tax_rates()
        self.assertTrue(any(t.get("CanApplyToRevenue") for t in tax_rates))
        self.assertTrue(all("TaxType" in t for t in tax_rates))
        currencies = gateway.get_currencies()
        self.assertIn(self.org["base_currency"], {c["Code"] for c in currencies})


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
        self.assertTrue(contact["ContactID"])
        self.assertEqual(contact["Name"], "Acme Gateway Ltd")
        self.assertIsInstance(contact, dict)
        stored = self.raw_json("/Contacts/%s" % contact["ContactID"])["Contacts"][0]
        self.assertEqual(stored["AccountNumber"], "ODOO-42")
        self.assertEqual(stored["EmailAddress"], "info@acme.example")

        fetched = gateway.get_contact(contact["ContactID"])
        self.assertEqual(fetched["ContactNumber"], "odoo-partner-42")

        updated = gateway.update_contact(contact["ContactID"], {"EmailAddress": "sales@acme.example"})
        self.assertEqual(updated["EmailAddress"], "sales@acme.example")
        stored = self.raw_json("/Contacts/%s" % contact["ContactID"])["Contacts"][0]
        self.assertEqual(stored["EmailAddress"], "sales@acme.example")
        self.assertEqual(stored["Name"], "Acme Gateway Ltd")

    def test_every_write_carries_an_idempotency_key_and_the_tenant(self):
        gateway = self.gateway()
        before = len(self.api_calls())
        contact = self.new_contact(gateway)
        gateway.update_contact(contact["ContactID"], {"EmailAddress": "a@b.example"},
                               idempotency_key="caller-key-1")
        gateway.get_contact(contact["ContactID"])
        calls = self.api_calls(before)
        self.assertEqual([c["method"] for c in calls], ["PUT", "POST", "GET"])
        self.assertTrue(all(c.get("tenant_id") == self.tenant_id for c in calls), calls)
        self.assertTrue(calls[0].get("idempotency_key"))
        self.assertEqual(calls[1].get("idempotency_key"), "caller-key-1")
        self.assertFalse(calls[2].get("idempotency_key"))

    def test_contact_pages_filters_and_search(self):
        gateway = self.gateway()
        first = gateway.get_contacts(page=1, page_size=7)
        pagination = first["pagination"]
        self.assertEqual(len(first["Contacts"]), 7)
        self.assertEqual(pagination["page"], 1)
        self.assertEqual(pagination["pageSize"], 7)
        total = self.raw_json("/Contacts", params={"page": 1, "pageSize": 1000,
                                                   "includeArchived": "true"})
        self.assertGreaterEqual(pagination["itemCount"], 7)
        second = gateway.get_contacts(page=2, page_size=7)
        self.assertFalse({c["ContactID"] for c in first["Contacts"]}
                         & {c["ContactID"] for c in second["Contacts"]})

        mine = self.new_contact(gateway, Name="Zebra Searchable Ltd",
                                EmailAddress="zebra@example.com")
        found = gateway.get_contacts(search_term="zebra searchable")["Contacts"]
        self.assertEqual([c["ContactID"] for c in found], [mine["ContactID"]])
        by_id = gateway.get_contacts(ids=[mine["ContactID"]])["Contacts"]
        self.assertEqual([c["Name"] for c in by_id], ["Zebra Searchable Ltd"])
        where = gateway.get_contacts(where='Name=="Zebra Searchable Ltd"')["Contacts"]
        self.assertEqual(len(where), 1)
        summary = gateway.get_contacts(ids=[mine["ContactID"]], summary_only=True)
        self.assertEqual(summary["Contacts"][0]["ContactID"], mine["ContactID"])

        archived_count = sum(1 for c in total["Contacts"] if c.get("ContactStatus") == "ARCHIVED")
        with_archived = gateway.get_contacts(page_size=1000, include_archived=True)["Contacts"]
        without = gateway.get_contacts(page_size=1000)["Contacts"]
        self.assertEqual(len(with_archived) - len(without), archived_count)

        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        self.assertEqual(gateway.get_contacts(modified_since=later)["Contacts"], [])
        earlier = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
        recent = gateway.get_contacts(modified_since=earlier)["Contacts"]
        self.assertIn(mine["ContactID"], {c["ContactID"] for c in recent})

    def test_contact_history_note(self):
        gateway = self.gateway()
        contact = self.new_contact(gateway)
        record = gateway.add_contact_history(contact["ContactID"], "Opportunity won in Odoo")
        self.assertEqual(record.get("Details"), "Opportunity won in Odoo")
        history = self.raw_json("/Contacts/%s/History" % contact["ContactID"])
        self.assertIn("Opportunity won in Odoo",
                      [h.get("Details") for h in history["HistoryRecords"]])

    def test_duplicate_name_is_a_validation_error_with_xeros_message(self):
        gateway = self.gateway()
        self.new_contact(gateway, Name="Unique Name Ltd")
        with self.assertRaises(XeroValidationError) as caught:
            gateway.create_contacts([{"Name": "Unique Name Ltd"}])
        error = caught.exception
        self.assertEqual(error.status, 400)
        self.assertTrue(error.messages)
        self.assertIn("Unique Name Ltd", error.messages[0])
        self.assertIn(error.messages[0], str(error))
        self.assertTrue(str(error).startswith("Xero refused the change: "))
        self.assertEqual(error.elements[0]["index"], 0)
        named = self.raw_json("/Contacts", params={"where": 'Name=="Unique Name Ltd"'})
        self.assertEqual(len(named["Contacts"]), 1)

    def test_per_element_errors_when_not_summarized(self):
        gateway = self.gateway()
        self.new_contact(gateway, Name="Taken Ltd")
        result = gateway.create_contacts(
            [{"Name": "Fresh Ltd"}, {"Name": "Taken Ltd"}], summarize_errors=False)
        self.assertEqual(len(result), 2)
        self.assertFalse(result[0].get("HasValidationErrors"))
        self.assertTrue(result[0]["ContactID"])
        self.assertTrue(result[1].get("HasValidationErrors"))
        self.assertTrue(result[1]["ValidationErrors"][0]["Message"])

    def test_unknown_contact_is_not_found(self):
        with self.assertRaises(XeroNotFound) as caught:
            self.gateway().get_contact(str(uuid.uuid4()))
        self.assertEqual(caught.exception.status, 404)
        self.assertIn("deleted in Xero", str(caught.exception))


@tagged("crm_xero")
class TestGatewayInvoices(GatewaySandboxCase):

    invoice_date = datetime.date(2025, 3, 14)

    def draft(self, gateway, contact_id, **values):
        revenue = gateway.get_accounts(where='Status=="ACTIVE" AND Class=="REVENUE"')
        invoice = {
            "Type": "ACCREC", "Status": "DRAFT", "Contact": {"ContactID": contact_id},
            "Reference": "Odoo opportunity 7", "LineAmountTypes": "Exclusive",
            "Date": self.invoice_date,
            "LineItems": [{"Description": "Consulting", "Quantity": 2,
                           "UnitAmount": 150.0, "AccountCode": revenue[0]["Code"]}],
        }
        invoice.update(values)
        return invoice

    def test_invoice_lifecycle(self):
        gateway = self.gateway()
        contact = self.new_contact(gateway)
        created = gateway.create_invoice(self.draft(gateway, contact["ContactID"]))
        invoice_id = created["InvoiceID"]
        self.assertEqual(created["Status"], "DRAFT")
        self.assertEqual(created["Type"], "ACCREC")
        self.assertEqual(created["SubTotal"], 300.0)
        self.assertTrue(created.get("InvoiceNumber"))
        # dates come back as Xero writes them; the helpers read them
        self.assertEqual(parse_xero_date(created["Date"]), self.invoice_date)
        updated_at = parse_xero_datetime(created["UpdatedDateUTC"])
        self.assertLess(abs(updated_at - datetime.datetime.utcnow()), datetime.timedelta(minutes=5))
        stored = self.raw_json("/Invoices/%s" % invoice_id)["Invoices"][0]
        self.assertEqual(stored["Reference"], "Odoo opportunity 7")
        self.assertEqual(stored["Contact"]["ContactID"], contact["ContactID"])

        self.assertEqual(gateway.get_invoice(invoice_id)["InvoiceNumber"], created["InvoiceNumber"])
        listed = gateway.get_invoices(contact_ids=[contact["ContactID"]], statuses=["DRAFT"])
        self.assertEqual([i["InvoiceID"] for i in listed["Invoices"]], [invoice_id])
        self.assertEqual(gateway.get_invoices(ids=[invoice_id], summary_only=True)
                         ["Invoices"][0]["InvoiceID"], invoice_id)
        self.assertEqual(gateway.get_invoices(contact_ids=[contact["ContactID"]],
                                              statuses=["AUTHORISED"])["Invoices"], [])
        paged = gateway.get_invoices(page=1, page_size=5)
        self.assertLessEqual(len(paged["Invoices"]), 5)

        updated = gateway.update_invoice(invoice_id, {"Reference": "Odoo opportunity 7 (v2)"})
        self.assertEqual(updated["Reference"], "Odoo opportunity 7 (v2)")
        stored = self.raw_json("/Invoices/%s" % invoice_id)["Invoices"][0]
        self.assertEqual(stored["Reference"], "Odoo opportunity 7 (v2)")

        deleted = gateway.delete_invoice(invoice_id)
        self.assertEqual(deleted["Status"], "DELETED")
        stored = self.raw_json("/Invoices/%s" % invoice_id)["Invoices"][0]
        self.assertEqual(stored["Status"], "DELETED")

    def test_online_invoice_url(self):
        gateway = self.gateway()
        contact = self.new_contact(gateway)
        draft = gateway.create_invoice(self.draft(gateway, contact["ContactID"]))
        with self.assertRaises(XeroValidationError) as caught:
            gateway.get_online_invoice_url(draft["InvoiceID"])
        self.assertTrue(caught.exception.messages)
        authorised = gateway.create_invoice(self.draft(
            gateway, contact["ContactID"], Status="AUTHORISED",
            DueDate=datetime.date.today() + datetime.timedelta(days=30)))
        url = gateway.get_online_invoice_url(authorised["InvoiceID"])
        self.assertTrue(url.startswith("http"), url)

    def test_authorised_invoice_cannot_be_deleted(self):
        gateway = self.gateway()
        contact = self.new_contact(gateway)
        authorised = gateway.create_invoice(self.draft(
            gateway, contact["ContactID"], Status="AUTHORISED",
            DueDate=datetime.date.today() + datetime.timedelta(days=30)))
        with self.assertRaises(XeroValidationError) as caught:
            gateway.delete_invoice(authorised["InvoiceID"])
        self.assertTrue(caught.exception.messages)
        stored = self.raw_json("/Invoices/%s" % authorised["InvoiceID"])["Invoices"][0]
        self.assertEqual(stored["Status"], "AUTHORISED")


@tagged("crm_xero")
class TestGatewayAuthorisation(GatewaySandboxCase):

    def test_expired_access_token_is_an_auth_error(self):
        gateway = self.gateway()
        gateway.get_organisation()
        self.sandbox.expire_tokens()
        with self.assertRaises(XeroAuthError) as caught:
            gateway.get_contacts()
        error = caught.exception
        self.assertEqual(error.status, 401)
        self.assertEqual(error.reason, "token_expired")
        self.assertFalse(error.needs_reconnect)
        self.assertNotIn(self.access_token, error.detail)
        self.assertNotIn(self.access_token, repr(error))

    def test_garbage_token_is_an_auth_error_asking_to_reconnect(self):
        with self.assertRaises(XeroAuthError) as caught:
            self.gateway(access_token="not-a-token").get_organisation()
        self.assertTrue(caught.exception.needs_reconnect)
        self.assertIn("reconnect Xero in Settings", str(caught.exception))

    def test_unconnected_organisation_is_forbidden(self):
        orgs = {org["name"]: org for org in self.sandbox.orgs()}
        second = orgs["Sandbox Second Org Ltd"]["tenant_id"]
        token = self.sandbox.connect(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES,
                                     tenant_ids=[self.tenant_id])
        tenants = {c["tenantId"] for c in list_connections(self.endpoints, token["access_token"])}
        self.assertNotIn(second, tenants)
        gateway = self.gateway(access_token=token["access_token"], tenant_id=second)
        with self.assertRaises(XeroForbidden) as caught:
            gateway.get_organisation()
        self.assertEqual(caught.exception.status, 403)
        self.assertIn("reconnect Xero", str(caught.exception))

    def test_calls_are_timed_and_logged_without_tokens(self):
        with self.assertLogs(gateway_module._logger, level="DEBUG") as logs:
            start = time.monotonic()
            self.gateway().get_organisation()
        self.assertLess(time.monotonic() - start, 5)
        text = "\n".join(logs.output)
        self.assertIn("GET /Organisation -> 200", text)
        self.assertNotIn(self.access_token, text)
