"""An organisation the admin shared with Odoo on Xero's consent page, waiting
for the admin to pick the one this company links to."""
import json
import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..xero.errors import XeroError
from .xero_errors import xero_message

_logger = logging.getLogger(__name__)


class XeroTenantChoice(models.Model):
    _name = "xero.tenant.choice"
    _description = "Xero organisation to choose from"
    _rec_name = "tenant_name"
    _order = "tenant_name"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id")
    tenant_id = fields.Char("Xero organisation id", required=True)
    tenant_name = fields.Char("Organisation", required=True)
    xero_connection_uuid = fields.Char(required=True)

    def _xero_needs_switch_confirmation(self):
        """True when the company was linked to another organisation before:
        its ids must never be mixed with this one's, so the admin confirms."""
        self.ensure_one()
        connection = self.connection_id
        return bool(connection.tenant_id and connection.tenant_id != self.tenant_id)

    def _xero_switch_warning(self):
        self.ensure_one()
        connection = self.connection_id
        return _("%(company)s was linked to the Xero organisation %(old)s, and %(count)s Odoo "
                 "records carry its ids. Linking %(new)s instead clears those links: confirm "
                 "it in Settings > CRM > Xero, or reconnect to %(old)s.",
                 company=connection.company_id.name, old=connection.tenant_name,
                 count=connection._xero_count_links(), new=self.tenant_name)

    def _xero_link(self, clear_links=False):
        """Link the connection to this organisation. Returns (message, level)."""
        self.ensure_one()
        connection = self.connection_id
        connection._xero_check_manager()
        pending_token = connection.sudo().pending_token
        if not pending_token:
            raise UserError(_("This choice has expired. Click Setup or Reconnect again."))
        if self._xero_needs_switch_confirmation():
            if not clear_links:
                raise UserError(self._xero_switch_warning())
            connection._xero_forget_organisation()
        tenant_id, tenant_name = self.tenant_id, self.tenant_name
        same_organisation = connection.tenant_id == tenant_id
        connection._xero_store_tokens(json.loads(pending_token))
        connection.sudo().write({
            "pending_token": False,
            "state": "connected",
            "tenant_id": tenant_id,
            "tenant_name": tenant_name,
            "xero_connection_uuid": self.xero_connection_uuid,
            "connected_by_id": self.env.user.id,
            "connected_at": fields.Datetime.now(),
            **({} if same_organisation else {"short_code": False, "base_currency": False}),
        })
        connection.choice_ids.sudo().unlink()   # self included
        message, level = _("%(company)s is connected to the Xero organisation %(org)s.",
                           company=connection.company_id.name, org=tenant_name), "info"
        try:
            organisation = connection._xero_call(lambda gateway: gateway.get_organisation())
            connection.sudo().write({
                "tenant_name": organisation.get("Name") or tenant_name,
                "short_code": organisation.get("ShortCode"),
                "base_currency": organisation.get("BaseCurrency"),
            })
        except XeroError as exc:
            # Linked all the same: the details are read again on the next call.
            _logger.warning("Xero organisation details unavailable: %s", exc)
            message, level = _("%(message)s Its details could not be read yet (%(error)s).",
                               message=message, error=xero_message(self.env, exc)), "warning"
        connection.sudo().write({"status_message": message, "status_level": level})
        connection._xero_ensure_code_sequence()
        # Link the company's existing accounts in the background, a few calls in all.
        self.env.ref("crm_xero.ir_cron_link_accounts")._trigger()
        return message, level

    def _xero_discard(self):
        """Forget a consent the admin did not complete: nothing else changes."""
        connections = self.connection_id
        self.sudo().unlink()
        connections.sudo().write({"pending_token": False})
