"""A double click on Create Draft Invoice, as two real transactions."""
import threading
from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..xero.gateway import XeroGateway
from ..xero.oauth import XeroEndpoints
from .xero_case import XeroRealTransactionCase


@tagged("post_install", "-at_install", "crm_xero")
class TestDoubleClick(XeroRealTransactionCase):

    def setUp(self):
        super().setUp()
        demo = self.demo_org
        self.gateway = XeroGateway(XeroEndpoints.single(self.sandbox.url), self.token["access_token"],
                                   demo["tenant_id"])
        contact = self.gateway.get_contacts(where='ContactStatus=="ACTIVE"', page=1)["Contacts"][0]
        with self.committed_env() as env:
            company = env["res.company"].create({"name": self.unique_name("Double Click"),
                                                 "currency_id": env.ref("base.USD").id})
            connection = env["xero.connection"].create({
                "company_id": company.id, "state": "connected", "tenant_id": demo["tenant_id"],
                "tenant_name": demo["name"], "short_code": demo["short_code"], "base_currency": "USD",
                "access_token": self.token["access_token"], "refresh_token": self.token["refresh_token"],
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
        with self.committed_env() as env:
            env.cr.execute("DELETE FROM crm_lead WHERE id = %s", [self.ids["lead"]])
            env["res.partner"].browse(self.ids["customer"]).unlink()
            env["xero.connection"].browse(self.ids["connection"]).unlink()
            env["res.company"].browse(self.ids["company"]).unlink()

    def test_two_simultaneous_clicks_make_one_invoice(self):
        self.release_registry_lock()
        created, refused, crashed = [], [], []
        start = threading.Barrier(2, timeout=30)

        def click():
            try:
                with self.committed_env({"allowed_company_ids": [self.ids["company"]]}) as env:
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
        with self.committed_env() as env:
            lead = env["crm.lead"].browse(self.ids["lead"])
            self.assertEqual(lead.xero_invoice_id, invoices[0]["InvoiceID"])
