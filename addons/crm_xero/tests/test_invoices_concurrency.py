"""A double click on Create Draft Invoice, as two real transactions."""
import threading
import uuid
from datetime import datetime, timedelta

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase, get_db_name, tagged

from ..xero.gateway import XeroGateway
from ..xero.oauth import XeroEndpoints
from .common import CLIENT_ID, CLIENT_SECRET, SandboxClient


@tagged("post_install", "-at_install", "crm_xero")
class TestDoubleClick(BaseCase):

    def setUp(self):
        super().setUp()
        self.sandbox = SandboxClient()
        self.sandbox.reset()
        self.db_registry = Registry(get_db_name())
        demo = next(o for o in self.sandbox.orgs() if o["name"] == "Demo Company (Global)")
        token = self.sandbox.connect(tenant_ids=[demo["tenant_id"]])
        self.gateway = XeroGateway(XeroEndpoints.single(self.sandbox.url), token["access_token"],
                                   demo["tenant_id"])
        contact = self.gateway.get_contacts(where='ContactStatus=="ACTIVE"', page=1)["Contacts"][0]
        with self.db_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            params = env["ir.config_parameter"]
            for key in ("login_url", "identity_url", "api_url", "go_url"):
                params.set_param(f"crm_xero.{key}", self.sandbox.url)
            params.set_param("crm_xero.client_id", CLIENT_ID)
            params.set_param("crm_xero.client_secret", CLIENT_SECRET)
            company = env["res.company"].create({"name": f"Double Click {uuid.uuid4().hex[:8]}",
                                                 "currency_id": env.ref("base.USD").id})
            connection = env["xero.connection"].create({
                "company_id": company.id, "state": "connected", "tenant_id": demo["tenant_id"],
                "tenant_name": demo["name"], "short_code": demo["short_code"], "base_currency": "USD",
                "access_token": token["access_token"], "refresh_token": token["refresh_token"],
                "token_expires_at": datetime.utcnow() + timedelta(minutes=25),
            })
            customer = env["res.partner"].create({"name": contact["Name"], "is_company": True,
                                                  "company_id": company.id})
            env["xero.contact.link"].create({
                "connection_id": connection.id, "partner_id": customer.id,
                **env["xero.contact.link"]._xero_link_values(contact)})
            lead = env["crm.lead"].create({"name": "Double click deal", "type": "opportunity",
                                           "partner_id": customer.id, "expected_revenue": 1000,
                                           "company_id": company.id})
            self.ids = {"company": company.id, "connection": connection.id,
                        "customer": customer.id, "lead": lead.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.db_registry.cursor() as cr:
            cr.execute("DELETE FROM crm_lead WHERE id = %s", [self.ids["lead"]])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].browse(self.ids["customer"]).unlink()
            env["xero.connection"].browse(self.ids["connection"]).unlink()
            env["res.company"].browse(self.ids["company"]).unlink()

    def test_two_simultaneous_clicks_make_one_invoice(self):
        self.patch(Registry, "_lock", DummyRLock())   # see test_tokens.TestRefreshRace
        registry, created, refused, crashed = self.db_registry, [], [], []
        start = threading.Barrier(2, timeout=30)

        def click():
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.ids["company"]]})
                    start.wait()
                    env["crm.lead"].browse(self.ids["lead"])._xero_create_invoice("200")
                    created.append(True)
            except UserError as exc:
                refused.append(exc.args[0])
            except Exception as exc:  # asserted below
                crashed.append(repr(exc))

        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        self.assertEqual(crashed, [])
        self.assertEqual((len(created), len(refused)), (1, 1), refused)
        self.assertRegex(refused[0], "already (sending|has)")
        invoices = [i for i in self.gateway.get_invoices(page=1, page_size=1000)["Invoices"]
                    if i.get("Reference", "").startswith(f"CRM #{self.ids['lead']} ")]
        self.assertEqual(len(invoices), 1)
        with registry.cursor() as cr:
            lead = api.Environment(cr, SUPERUSER_ID, {})["crm.lead"].browse(self.ids["lead"])
            self.assertEqual(lead.xero_invoice_id, invoices[0]["InvoiceID"])
