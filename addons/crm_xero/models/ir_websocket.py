"""Xero's news reaches the screens of each company's users: every user's
browser also listens to its companies, on which the Xero jobs announce what
changed (an opportunity's invoice), so open forms follow Xero live."""
from odoo import models


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        channels = super()._build_bus_channel_list(channels)
        if self.env.user and not self.env.user._is_public():
            channels.extend(self.env.user.company_ids)
        return channels
