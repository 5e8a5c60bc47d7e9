"""Settings > CRM > Xero: the Xero app's credentials and this company's link."""
from datetime import datetime

from odoo import _, api, fields, models

from .xero_connection import DEFAULT_SCOPES


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xero_client_id = fields.Char("Xero client id", config_parameter="crm_xero.client_id")
    # Write-only: typed in to change it, never read back into the form, and
    # blanked on this (admin-only, transient) record once saved.
    xero_client_secret = fields.Char("Xero client secret")
    xero_client_secret_set = fields.Boolean(compute="_compute_xero_client_secret_set")
    xero_scopes = fields.Char("Xero scopes", config_parameter="crm_xero.scopes",
                              default=DEFAULT_SCOPES)
    xero_redirect_uri = fields.Char("Redirect URI", compute="_compute_xero_redirect_uri")

    # The pattern of generated ledger codes: the customer code sequence's prefix and padding.
    xero_code_prefix = fields.Char("Customer code prefix", compute="_compute_xero_code_pattern",
                                   readonly=False, store=True)
    xero_code_padding = fields.Integer("Customer code digits", compute="_compute_xero_code_pattern",
                                       readonly=False, store=True)
    xero_connection_id = fields.Many2one("xero.connection", compute="_compute_xero_connection_id")
    xero_state = fields.Selection(
        [("not_connected", "Not connected"), ("connected", "Connected"),
         ("needs_reconnect", "Needs reconnect")], compute="_compute_xero_connection_id")
    xero_tenant_name = fields.Char(related="xero_connection_id.tenant_name")
    xero_connected_by_id = fields.Many2one(related="xero_connection_id.connected_by_id")
    xero_connected_at = fields.Datetime(related="xero_connection_id.connected_at")
    xero_status_message = fields.Char(related="xero_connection_id.status_message")
    xero_status_level = fields.Selection(related="xero_connection_id.status_level")
    xero_has_choices = fields.Boolean(compute="_compute_xero_connection_id")
    xero_refresh_token_age = fields.Char("Refresh token age", compute="_compute_xero_connection_id")

    @api.depends("company_id")   # a computed field with no dependency stays False in the form
    def _compute_xero_client_secret_set(self):
        is_set = bool(self.env["ir.config_parameter"].sudo().get_param("crm_xero.client_secret"))
        self.xero_client_secret_set = is_set

    def _xero_code_sequence(self):
        return self.env.ref("crm_xero.seq_customer_code", raise_if_not_found=False)

    @api.depends("company_id")
    def _compute_xero_code_pattern(self):
        sequence = self._xero_code_sequence()
        for settings in self:
            settings.xero_code_prefix = sequence.prefix if sequence else False
            settings.xero_code_padding = sequence.padding if sequence else 5

    @api.depends("company_id")
    def _compute_xero_redirect_uri(self):
        for settings in self:
            settings.xero_redirect_uri = self.env["xero.connection"]._xero_redirect_uri()

    @api.depends("company_id")
    def _compute_xero_connection_id(self):
        for settings in self:
            connection = self.env["xero.connection"]._xero_for_company(settings.company_id, create=False)
            settings.xero_connection_id = connection
            settings.xero_state = connection.state or "not_connected"
            settings.xero_has_choices = bool(connection.choice_ids)
            issued = connection.refresh_token_issued_at
            if not issued:
                settings.xero_refresh_token_age = False
                continue
            days = (datetime.utcnow() - issued).days
            settings.xero_refresh_token_age = (
                _("used today") if days < 1 else _("%s days unused (Xero drops it after 60)", days))

    def set_values(self):
        super().set_values()
        sequence = self._xero_code_sequence()
        if sequence and (sequence.prefix, sequence.padding) != (self.xero_code_prefix, self.xero_code_padding):
            sequence.sudo().write({"prefix": self.xero_code_prefix or "",
                                   "padding": max(self.xero_code_padding, 1)})
        if self.xero_client_secret:
            self.env["ir.config_parameter"].sudo().set_param(
                "crm_xero.client_secret", self.xero_client_secret.strip())
            self.xero_client_secret = False

    # Buttons: save what was typed first (Settings does), then act on the company's link.
    def _xero_connection(self):
        """This company's connection, created on first use."""
        return self.env["xero.connection"]._xero_for_company(self.company_id).with_env(self.env)

    def action_xero_connect(self):
        self.execute()
        return self._xero_connection().action_connect()

    def action_xero_reconnect(self):
        self.execute()
        return self._xero_connection().action_reconnect()

    def action_xero_disconnect(self):
        connection = self._xero_connection()
        connection._xero_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Remove the Xero integration"),
            "res_model": "xero.disconnect.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_connection_id": connection.id},
        }

    def action_xero_choose_organisation(self):
        connection = self._xero_connection()
        connection._xero_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Choose the Xero organisation"),
            "res_model": "xero.organisation.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_connection_id": connection.id},
        }

    def action_xero_import(self):
        return self._xero_connection().action_import()
