"""Settings > CRM > Xero: the Xero app's credentials, this company's link
and its buttons, customer codes, invoice defaults, the way to cash, the
import's progress and which side wins in syncs, and webhooks."""
import logging
from datetime import datetime

from odoo import _, api, fields, models

from ..xero import invoices as xero_invoices
from ..xero.import_rules import ODOO_WINS, XERO_WINS
from .xero_actions import RELOAD_PAGE, new_dialog, notification
from .xero_connection import DEFAULT_SCOPES, STATES
from .xero_deadline import DEFAULT_REQUEST_SECONDS
from .xero_errors import xero_action
from .xero_sync_state import DEFAULT_RESERVE_PERCENT
from .xero_write import UNSETTLED

_logger = logging.getLogger(__name__)
TRACKING_SEPARATOR = " / "


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
    xero_request_deadline = fields.Integer(
        "Wait for Xero at most (seconds)", config_parameter="crm_xero.request_deadline",
        default=int(DEFAULT_REQUEST_SECONDS),
        help="Every button, preview and check that calls Xero answers within this many "
             "seconds, its retries included (at most three quarters of Odoo's own time "
             "limit).")

    # This company's connection.
    xero_connection_id = fields.Many2one("xero.connection", compute="_compute_xero_connection")
    xero_state = fields.Selection(STATES, compute="_compute_xero_connection")
    xero_tenant_name = fields.Char(related="xero_connection_id.tenant_name")
    xero_connected_by_id = fields.Many2one(related="xero_connection_id.connected_by_id")
    xero_connected_at = fields.Datetime(related="xero_connection_id.connected_at")
    xero_status_message = fields.Char(related="xero_connection_id.status_message")
    xero_status_level = fields.Selection(related="xero_connection_id.status_level")
    xero_has_choices = fields.Boolean(compute="_compute_xero_connection")
    xero_can_reconnect = fields.Boolean(
        compute="_compute_xero_connection",
        help="Linked to an organisation before: Reconnect carries on with it.")
    xero_refresh_token_age = fields.Char("Refresh token age", compute="_compute_xero_connection")

    # Customer codes: the company's sequence's prefix and digits.
    xero_code_prefix = fields.Char("Customer code prefix", compute="_compute_xero_code_pattern",
                                   readonly=False, store=True)
    xero_code_padding = fields.Integer("Customer code digits",
                                       compute="_compute_xero_code_pattern", readonly=False,
                                       store=True)

    # What Create Draft Invoice proposes, from the organisation's own lists.
    xero_invoice_account_code = fields.Selection(
        "_xero_account_selection", "Default revenue account",
        compute="_compute_xero_invoice_defaults", readonly=False, store=True)
    xero_invoice_tracking_1 = fields.Selection(
        "_xero_tracking_selection", "Default tracking", compute="_compute_xero_invoice_defaults",
        readonly=False, store=True)
    xero_invoice_tracking_2 = fields.Selection(
        "_xero_tracking_selection", "Second tracking", compute="_compute_xero_invoice_defaults",
        readonly=False, store=True)
    xero_invoice_theme_id = fields.Selection(
        "_xero_theme_selection", "Default branding theme",
        compute="_compute_xero_invoice_defaults", readonly=False, store=True)
    xero_credit_warning_enabled = fields.Boolean(
        related="xero_connection_id.credit_warning_enabled", readonly=False)
    xero_credit_warning_amount = fields.Float(
        related="xero_connection_id.credit_warning_amount", readonly=False)
    xero_paid_activity_enabled = fields.Boolean(
        related="xero_connection_id.paid_activity_enabled", readonly=False)
    xero_quote_won_enabled = fields.Boolean(
        related="xero_connection_id.quote_won_enabled", readonly=False)
    xero_chase_activity_enabled = fields.Boolean(
        related="xero_connection_id.chase_activity_enabled", readonly=False)
    xero_chase_after_days = fields.Integer(related="xero_connection_id.chase_after_days",
                                           readonly=False)

    # Import Xero Data and the scheduled sync.
    xero_sync_winner = fields.Selection(
        [(ODOO_WINS, "Odoo wins for fields changed in Odoo since the last sync"),
         (XERO_WINS, "Xero wins: Xero's changes overwrite Odoo's")],
        string="When both sides changed", config_parameter="crm_xero.sync_winner",
        default=ODOO_WINS)
    xero_import_run_id = fields.Many2one("xero.import.run", compute="_compute_xero_connection")
    xero_import_state = fields.Selection(related="xero_import_run_id.state", string="Import state")
    xero_import_summary = fields.Char(related="xero_import_run_id.summary",
                                      string="Import summary")
    xero_import_watermark = fields.Datetime(related="xero_connection_id.xero_import_watermark",
                                            string="Synced up to")

    # The sync journal: what Odoo sent to Xero, and what needs a retry.
    xero_write_attention = fields.Integer("Xero writes to check",
                                          compute="_compute_xero_write_attention")

    # Webhooks: Xero's app settings take this URL and give the key.  The key is
    # a secret (system administrators only, never shown back).
    xero_webhook_url = fields.Char("Webhook URL", compute="_compute_xero_webhook")
    xero_webhook_key = fields.Char("Webhook key", groups="base.group_system")
    xero_webhook_key_set = fields.Boolean(compute="_compute_xero_webhook")
    xero_webhook_last_received = fields.Datetime("Last webhook event",
                                                 compute="_compute_xero_webhook")

    # Xero's day of calls for this company's organisation (every worker shares it).
    xero_day_limit = fields.Integer(
        "Xero calls a day", config_parameter="crm_xero.day_limit", default=5000,
        help="What Xero allows each organisation in a rolling day: 5,000 calls (1,000 on "
             "Xero's Starter plan).")
    xero_day_reserve_percent = fields.Integer(
        "Kept for people (%)", config_parameter="crm_xero.day_reserve_percent",
        default=DEFAULT_RESERVE_PERCENT,
        help="Background work (imports, scheduled reads) stops when only this share of the "
             "day is left, so that people's clicks still reach Xero.")
    xero_day_known = fields.Boolean(compute="_compute_xero_day")
    xero_day_used = fields.Integer("Calls used in the last 24 hours", compute="_compute_xero_day")
    xero_day_left = fields.Integer("Calls left", compute="_compute_xero_day")
    xero_day_reserve_calls = fields.Integer("Calls kept for people", compute="_compute_xero_day")
    xero_day_people_calls = fields.Integer("By people", compute="_compute_xero_day")
    xero_day_background_calls = fields.Integer("In the background", compute="_compute_xero_day")
    xero_day_frees_at = fields.Datetime("Calls free up from", compute="_compute_xero_day")
    xero_day_exhausted_until = fields.Datetime("Xero takes calls again at",
                                               compute="_compute_xero_day")
    xero_day_paused = fields.Boolean(compute="_compute_xero_day")
    xero_reconciled_at = fields.Datetime("Last full reconcile", compute="_compute_xero_day")
    xero_reconcile_requested = fields.Boolean(compute="_compute_xero_day")

    # -- computes ------------------------------------------------------------------------
    @api.depends("company_id")   # a computed field with no dependency stays False in the form
    def _compute_xero_client_secret_set(self):
        is_set = bool(self.env["ir.config_parameter"].sudo().get_param("crm_xero.client_secret"))
        self.xero_client_secret_set = is_set

    @api.depends("company_id")
    def _compute_xero_redirect_uri(self):
        for settings in self:
            settings.xero_redirect_uri = self.env["xero.connection"]._xero_redirect_uri()

    @api.depends("company_id")
    def _compute_xero_connection(self):
        for settings in self:
            connection = self.env["xero.connection"]._xero_for_company(settings.company_id,
                                                                       create=False)
            settings.xero_connection_id = connection
            settings.xero_state = connection.state or "not_connected"
            settings.xero_has_choices = bool(connection.choice_ids)
            settings.xero_can_reconnect = bool(connection.tenant_id)
            settings.xero_import_run_id = self.env["xero.import.run"].sudo().search(
                [("connection_id", "=", connection.id)], limit=1) if connection else False
            issued = connection.refresh_token_issued_at
            days = (datetime.utcnow() - issued).days if issued else None
            settings.xero_refresh_token_age = False if days is None else (
                _("used today") if days < 1 else
                _("%s days unused (Xero drops it after 60)", days))

    @api.depends("company_id")
    def _compute_xero_day(self):
        for settings in self:
            connection = self.env["xero.connection"]._xero_for_company(settings.company_id,
                                                                       create=False)
            day, row = {}, {}
            if connection and connection.state == "connected":
                state = connection._xero_sync_state()
                day, row = state._xero_day_summary(), state._xero_read()
            settings.update({
                "xero_day_known": day.get("left") is not None,
                "xero_day_used": day.get("used") or 0,
                "xero_day_left": day.get("left") or 0,
                "xero_day_reserve_calls": day.get("reserve") or 0,
                "xero_day_people_calls": day.get("people") or 0,
                "xero_day_background_calls": day.get("background") or 0,
                "xero_day_frees_at": day.get("frees_at") or False,
                "xero_day_exhausted_until": day.get("exhausted_until") or False,
                "xero_day_paused": bool(day.get("paused")),
                "xero_reconciled_at": row.get("reconciled_at") or False,
                "xero_reconcile_requested": bool(row.get("reconcile_requested_at")),
            })

    @api.depends("company_id")
    def _compute_xero_write_attention(self):
        for settings in self:
            connection = self.env["xero.connection"]._xero_for_company(settings.company_id,
                                                                       create=False)
            settings.xero_write_attention = connection and self.env["xero.write"].sudo() \
                .search_count([("connection_id", "=", connection.id),
                               ("state", "in", list(UNSETTLED))])

    @api.depends("company_id")
    def _compute_xero_webhook(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        is_set = bool(self.env["ir.config_parameter"].sudo().get_param("crm_xero.webhook_key"))
        for settings in self:
            connection = self.env["xero.connection"]._xero_for_company(settings.company_id,
                                                                       create=False)
            settings.xero_webhook_url = base.rstrip("/") + "/crm_xero/webhook"
            settings.xero_webhook_key_set = is_set
            settings.xero_webhook_last_received = connection and \
                self.env["xero.webhook.event"].sudo()._xero_last_received(connection)

    @api.depends("company_id")
    def _compute_xero_code_pattern(self):
        for settings in self:
            connection = self.env["xero.connection"]._xero_for_company(settings.company_id,
                                                                       create=False)
            sequence = connection._xero_ensure_code_sequence() if connection else \
                self.env.ref("crm_xero.seq_customer_code", raise_if_not_found=False)
            settings.xero_code_prefix = sequence.prefix if sequence else False
            settings.xero_code_padding = sequence.padding if sequence else 5

    # -- the organisation's lists, for the defaults -------------------------------------
    def _xero_organisation_settings(self):
        """The connected organisation's invoicing lists (cached), or None
        when Xero cannot be read right now: Settings still open."""
        connection = self.env["xero.connection"]._xero_for_company(self.env.company, create=False)
        if not connection or connection.state != "connected":
            return None
        try:
            return self.env["xero.invoice.link"]._xero_invoice_settings(connection)
        except Exception as exc:  # noqa: BLE001 - Settings must open anyway
            _logger.info("Xero lists unavailable for Settings: %s", exc)
            return None

    @api.model
    def _xero_account_selection(self):
        settings = self._xero_organisation_settings()
        return [(code, "%s %s" % (code, name)) for code, name in
                xero_invoices.revenue_accounts(settings["accounts"])] if settings else []

    @api.model
    def _xero_tracking_selection(self):
        settings = self._xero_organisation_settings()
        if not settings:
            return []
        return [(category + TRACKING_SEPARATOR + option, category + TRACKING_SEPARATOR + option)
                for category, options in xero_invoices.active_tracking(settings["tracking"])
                for option in options]

    @api.model
    def _xero_theme_selection(self):
        settings = self._xero_organisation_settings()
        return [(t["BrandingThemeID"], t.get("Name") or t["BrandingThemeID"])
                for t in settings["themes"]] if settings else []

    @api.depends("company_id")
    def _compute_xero_invoice_defaults(self):
        for settings in self:
            connection = self.env["xero.connection"]._xero_for_company(settings.company_id,
                                                                       create=False)
            tracking = [TRACKING_SEPARATOR.join(pair) for pair in connection.invoice_tracking or []]
            settings.xero_invoice_account_code = connection.invoice_account_code or False
            settings.xero_invoice_tracking_1 = tracking[0] if tracking else False
            settings.xero_invoice_tracking_2 = tracking[1] if len(tracking) > 1 else False
            settings.xero_invoice_theme_id = connection.invoice_theme_id or False

    def set_values(self):  # pylint: disable=missing-return  # Odoo's returns nothing either
        super().set_values()
        connection = self.env["xero.connection"]._xero_for_company(self.company_id)
        sequence = connection._xero_ensure_code_sequence()
        if (sequence.prefix, sequence.padding) != (self.xero_code_prefix or "",
                                                   self.xero_code_padding):
            sequence.sudo().write({"prefix": self.xero_code_prefix or "",
                                   "padding": max(self.xero_code_padding, 1)})
        tracking = [value.split(TRACKING_SEPARATOR, 1) for value in
                    (self.xero_invoice_tracking_1, self.xero_invoice_tracking_2) if value]
        connection.sudo().write({
            "invoice_account_code": self.xero_invoice_account_code or False,
            "invoice_tracking": tracking,
            "invoice_theme_id": self.xero_invoice_theme_id or False,
        })
        if self.env.user.has_group("base.group_system") and self.xero_webhook_key:
            self.env["ir.config_parameter"].sudo().set_param(
                "crm_xero.webhook_key", self.xero_webhook_key.strip())
            self.xero_webhook_key = False
        if self.xero_client_secret:
            self.env["ir.config_parameter"].sudo().set_param(
                "crm_xero.client_secret", self.xero_client_secret.strip())
            self.xero_client_secret = False

    # -- buttons: save what was typed first (Settings does), then act ------------------
    def _xero_connection(self):
        """This company's connection, created on first use, as the user."""
        return self.env["xero.connection"]._xero_for_company(self.company_id).with_env(self.env)

    def action_xero_connect(self):
        self.execute()
        return self._xero_connection().action_connect()

    def action_xero_reconnect(self):
        self.execute()
        return self._xero_connection().action_reconnect()

    def action_xero_disconnect(self):
        return self._xero_connection().action_xero_remove()

    @xero_action
    def action_xero_choose_organisation(self):
        connection = self._xero_connection()
        connection._xero_check_manager()
        return new_dialog(_("Choose the Xero organisation"), "xero.organisation.wizard",
                          {"default_connection_id": connection.id})

    def action_xero_import(self):
        return self._xero_connection().action_import()

    @xero_action
    def action_xero_reconcile(self):
        """Read everything again from Xero, in the background (paced, and
        within the share of the day left to background work)."""
        self._xero_connection().action_xero_reconcile()
        return notification(_("Odoo reads everything again from Xero in the background: "
                              "unlinked accounts against all of Xero's contacts, then every "
                              "account's figures."), "info")

    def action_xero_import_resume(self):
        self.xero_import_run_id.action_xero_resume()
        return RELOAD_PAGE
