"""Remove Integration: a confirmation, then the connection's own disconnect."""
from odoo import _, fields, models


class XeroDisconnectWizard(models.TransientModel):
    _name = "xero.disconnect.wizard"
    _description = "Remove the Xero integration"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    tenant_name = fields.Char(related="connection_id.tenant_name")
    company_id = fields.Many2one(related="connection_id.company_id")

    def action_confirm(self):
        self.ensure_one()
        message = self.connection_id.action_disconnect()
        return reload_settings_with(message)


def reload_settings_with(message):
    """Show `message`, then reload so Settings shows the new state."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"message": message, "type": "info", "sticky": False,
                   "next": {"type": "ir.actions.client", "tag": "reload"}},
    }
