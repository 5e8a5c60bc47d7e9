"""Remove Integration: a confirmation, then the connection's own disconnect."""
from odoo import fields, models

from ..models.ui_actions import RELOAD_PAGE, xero_notification


class XeroDisconnectWizard(models.TransientModel):
    _name = "xero.disconnect.wizard"
    _description = "Remove the Xero integration"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    tenant_name = fields.Char(related="connection_id.tenant_name")
    company_id = fields.Many2one(related="connection_id.company_id")

    def action_confirm(self):
        self.ensure_one()
        message = self.connection_id.action_disconnect()
        # Settings reloads to show the new state.
        return xero_notification(message, "info", RELOAD_PAGE)
