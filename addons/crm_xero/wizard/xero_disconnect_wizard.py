"""Remove Integration: a confirmation, then the connection's own disconnect."""
from odoo import fields, models

from ..models.xero_actions import RELOAD_PAGE, notification


class XeroDisconnectWizard(models.TransientModel):
    _name = "xero.disconnect.wizard"
    _description = "Remove the Xero integration"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    tenant_name = fields.Char(related="connection_id.tenant_name")
    company_id = fields.Many2one(related="connection_id.company_id")

    def action_confirm(self):
        self.ensure_one()
        # The connection checks the user may manage its company before any call.
        message = self.connection_id.with_env(self.env).action_disconnect()
        # Settings reloads to show the new state.
        return notification(message, "info", RELOAD_PAGE)
