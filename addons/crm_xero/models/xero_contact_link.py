"""The binding between a partner and a Xero contact, per company connection.

A partner shared by two companies can so be linked in two organisations, and
the ids of one organisation never leak into another's (links are cleared when
a company switches organisation).
"""
from odoo import api, fields, models


class XeroContactLink(models.Model):
    _name = "xero.contact.link"
    _description = "Xero contact of an account"
    _rec_name = "partner_id"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    contact_id = fields.Char("Xero contact id", index=True, copy=False,
                             help="Xero's ContactID; empty while the account is not in Xero.")
    account_number = fields.Char("Ledger code", copy=False,
                                 help="Xero's AccountNumber: the customer / ledger code.")
    contact_number = fields.Char("Xero contact code", copy=False,
                                 help="Xero's ContactNumber: a stable Odoo key for this account.")
    contact_status = fields.Char(copy=False)
    # When the account was last checked against Xero (first open or batch link),
    # and what came of it.
    check_state = fields.Selection([
        ("pending", "Not checked yet"), ("linked", "Linked"), ("not_found", "Not in Xero"),
    ], default="pending", required=True, index=True)
    checked_at = fields.Datetime(copy=False)
    # Figures read from Xero, in the organisation's base currency.
    currency_id = fields.Many2one("res.currency", copy=False)
    last_invoice_date = fields.Date(copy=False)
    total_sales = fields.Monetary(currency_field="currency_id", copy=False)
    overdue_amount = fields.Monetary(currency_field="currency_id", copy=False)
    outstanding_amount = fields.Monetary(currency_field="currency_id", copy=False)
    stats_refreshed_at = fields.Datetime(copy=False)
    # The contact as last pushed to or read from Xero, to push only what changed.
    synced_values = fields.Json(copy=False)
    synced_at = fields.Datetime(copy=False)

    _sql_constraints = [
        ("partner_unique", "unique(connection_id, partner_id)",
         "An account links to one Xero contact per organisation."),
        ("contact_unique", "unique(connection_id, contact_id)",
         "A Xero contact links to one account only."),
    ]

    def _xero_code_in_xero(self):
        """Whether Xero's contact carries this link's ledger code."""
        self.ensure_one()
        return bool(self.account_number) and \
            self.account_number == (self.synced_values or {}).get("AccountNumber")

    @api.model
    def _xero_link_values(self, contact):
        """Link values taken from a Xero contact dict."""
        return {
            "contact_id": contact["ContactID"],
            "account_number": contact.get("AccountNumber") or False,
            "contact_number": contact.get("ContactNumber") or False,
            "contact_status": contact.get("ContactStatus") or False,
            "check_state": "linked",
            "checked_at": fields.Datetime.now(),
        }


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    contact_link_ids = fields.One2many("xero.contact.link", "connection_id")

    def _xero_count_links(self):
        count = super()._xero_count_links()
        return count + self.env["xero.contact.link"].sudo().search_count(
            [("connection_id", "in", self.ids), ("contact_id", "!=", False)])

    def _xero_clear_links(self):
        # Ledger codes belong to the old organisation too: the whole link goes.
        self.env["xero.contact.link"].sudo().search([("connection_id", "in", self.ids)]).unlink()
        return super()._xero_clear_links()
