"""Shared set-up for the opportunity -> Xero invoice tests: a connected
company, a customer linked to a sandbox contact, and the salesperson's
opportunity for it; the buttons are clicked as that salesperson (Own
Documents Only, no email address)."""
from .xero_case import XeroHttpCase


def plain(text):
    """Amounts as people read them, without the non-breaking spaces."""
    return (text or "").replace("\xa0", " ")


class XeroInvoiceCase(XeroHttpCase):

    def setUp(self):
        super().setUp()
        self.xero_connection = self.connect()
        self.contact = self.active_contact()
        self.customer = self.linked_account(self.contact)
        self.lead = self.new_opportunity("Website redesign", 1000.0,
                                         description="<p>Six pages and a blog</p>")
        self.sandbox.clear_calls()

    # -- Odoo side ------------------------------------------------------------------
    def linked_account(self, contact):
        """An Odoo account already linked to ``contact``."""
        partner = self.env["res.partner"].create({"name": contact["Name"], "is_company": True})
        self.env["xero.contact.link"].sudo().create({
            "connection_id": self.xero_connection.id, "partner_id": partner.id,
            "synced_values": contact,
            **self.env["xero.contact.link"]._xero_link_values(contact)})
        return partner

    def new_opportunity(self, name, revenue, partner=None, **values):
        return self.env["crm.lead"].create({
            "name": name, "type": "opportunity", "expected_revenue": revenue,
            "partner_id": (partner or self.customer).id, "user_id": self.salesman.id, **values})

    def as_salesman(self, record):
        return record.with_user(self.salesman)

    def open_wizard(self, lead=None):
        self.env.flush_all()
        action = self.as_salesman(lead or self.lead).action_xero_create_invoice()
        return self.env[action["res_model"]].with_user(self.salesman).browse(action["res_id"])

    def choose(self, wizard, code="200", tracking=None, theme=None):
        """Pick the revenue account, tracking options ({category: option})
        and branding theme (its name), as the salesperson does."""
        if wizard.account_choice_id.code != code:
            wizard.account_choice_id = wizard.choice_ids.filtered(
                lambda c: c.kind == "account" and c.code == code)
        for category, option in (tracking or {}).items():
            index = 1 if wizard.tracking_1_label == category else 2
            self.assertEqual(wizard["tracking_%s_label" % index], category)
            wizard["tracking_%s_id" % index] = wizard.choice_ids.filtered(
                lambda c, i=index, o=option: c.kind == "tracking_%s" % i and c.code == o)
        if theme:
            wizard.theme_id = wizard.choice_ids.filtered(
                lambda c: c.kind == "theme" and c.name == theme)
        return wizard

    def create_invoice(self, lead=None, code="200", **choices):
        """Create Draft Invoice on Xero, pick ``code``, confirm."""
        wizard = self.choose(self.open_wizard(lead), code, **choices)
        action = wizard.action_create()
        self.env.invalidate_all()   # committed in transactions of its own
        return action

    # -- Xero side --------------------------------------------------------------------
    def invoice_in_xero(self, lead=None):
        return self.xero_invoice((lead or self.lead).xero_invoice_id)

    def invoices_for(self, lead=None):
        """Xero invoices that point back at ``lead`` (its Url), deleted ones
        included."""
        lead = lead or self.lead
        url = "%s/odoo/crm/%s" % (lead.get_base_url(), lead.id)
        return [i for i in self.xero_invoices() if i.get("Url") == url]
