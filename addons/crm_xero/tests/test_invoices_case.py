"""Shared set-up for the opportunity -> Xero invoice tests: a connected company,
a customer linked to a sandbox contact, and an opportunity for it."""
from ..models.xero_invoice_sync import xero_clear_invoice_settings_cache
from .xero_case import XeroHttpCase


class XeroInvoiceCase(XeroHttpCase):

    def setUp(self):
        super().setUp()
        xero_clear_invoice_settings_cache()
        self.addCleanup(xero_clear_invoice_settings_cache)
        self.xero_connection = self.connect()
        active = self.xero().get_contacts(where='ContactStatus=="ACTIVE"')["Contacts"]
        self.contact = active[0]
        self.customer = self.linked_account(self.contact)
        self.lead = self.new_opportunity("Website redesign", 1000.0,
                                         description="<p>Six pages and a blog</p>")
        self.sandbox.clear_calls()

    # -- Odoo side -------------------------------------------------------------
    def linked_account(self, contact):
        """An Odoo account already linked to `contact` (as the accounts feature does)."""
        partner = self.env["res.partner"].create({"name": contact["Name"], "is_company": True})
        self.env["xero.contact.link"].sudo().create({
            "connection_id": self.xero_connection.id, "partner_id": partner.id,
            **self.env["xero.contact.link"]._xero_link_values(contact)})
        return partner

    def new_opportunity(self, name, revenue, partner=None, **values):
        return self.env["crm.lead"].create({
            "name": name, "type": "opportunity", "expected_revenue": revenue,
            "partner_id": (partner or self.customer).id, **values})

    def open_wizard(self, lead=None):
        action = (lead or self.lead).action_xero_create_invoice()
        return self.env[action["res_model"]].browse(action["res_id"])

    def create_invoice(self, lead=None, code="200"):
        """Create Draft Invoice on Xero, pick `code`, confirm."""
        wizard = self.open_wizard(lead)
        if wizard.account_code != code:
            wizard.account_choice_id = wizard.account_choice_ids.filtered(lambda c: c.code == code)
            wizard.account_code = code
        return wizard.action_create()

    # -- Xero side -------------------------------------------------------------
    def xero(self):
        """Reads the sandbox through the gateway the addon uses."""
        return self.xero_connection._xero_gateway()

    def xero_invoice(self, lead=None):
        return self.xero().get_invoice((lead or self.lead).xero_invoice_id)

    def invoices_of(self, contact_id, statuses=("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED")):
        return self.xero().get_invoices(contact_ids=[contact_id], statuses=list(statuses))["Invoices"]

    def api_calls(self, operation=None):
        """Accounting API calls the sandbox received (reads made by the test
        through xero() included: take them before or filter by operation)."""
        return [c for c in self.sandbox.calls() if c.get("operation")
                and (operation is None or c["operation"] == operation)]

    def authorise_in_xero(self, lead=None):
        """What an accountant does in Xero: approve the draft."""
        return self.xero().update_invoice((lead or self.lead).xero_invoice_id, {
            "Status": "AUTHORISED", "DueDate": "2030-01-31"})
