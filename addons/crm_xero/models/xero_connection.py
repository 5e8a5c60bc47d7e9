"""One Xero connection per Odoo company: which organisation, and the tokens.

The OAuth dance (authorise, callback, choose organisation) lives in
xero_connection_oauth.py; this file keeps the record, its tokens and the way
every other model gets a ready-to-use gateway.
"""
import itertools
import logging
import time
from datetime import datetime, timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..xero import errors, oauth
from ..xero.gateway import XeroGateway

_logger = logging.getLogger(__name__)

DEFAULT_SCOPES = "openid profile email offline_access accounting.contacts " \
                 "accounting.settings.read accounting.invoices"
# Refresh this long before Xero's expiry, so a call never leaves with a token
# that dies on the way.
TOKEN_MARGIN = timedelta(seconds=120)
# How long a call waits for another worker's token refresh before giving up.
REFRESH_WAIT = 10
RECONNECT_MESSAGE = "Reconnect Xero in Settings."
# (dbname, connection id) -> (access token, expiry): this process's freshest
# token, which the caller's transaction may not see yet. Memory only.
_TOKEN_CACHE = {}


class XeroUserError(UserError):
    """A Xero failure told to the user; `xero_error` keeps the typed error
    (e.g. XeroValidationError.messages, XeroUnavailable.maybe_committed)."""

    def __init__(self, message, xero_error=None):
        super().__init__(message)
        self.xero_error = xero_error


class XeroConnection(models.Model):
    _name = "xero.connection"
    _description = "Xero connection"
    _rec_name = "company_id"

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True,
                                 default=lambda self: self.env.company)
    state = fields.Selection([
        ("not_connected", "Not connected"),
        ("connected", "Connected"),
        ("needs_reconnect", "Needs reconnect"),
    ], default="not_connected", required=True, readonly=True)
    tenant_id = fields.Char("Xero organisation id", readonly=True, copy=False)
    tenant_name = fields.Char("Xero organisation", readonly=True, copy=False)
    short_code = fields.Char(readonly=True, copy=False,
                             help="Xero's short code for the organisation, used in links to Xero.")
    base_currency = fields.Char(readonly=True, copy=False)
    xero_connection_uuid = fields.Char("Xero connection id", readonly=True, copy=False,
                                       help="The id of this link in Xero's /connections.")
    connected_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    connected_at = fields.Datetime(readonly=True, copy=False)
    refresh_token_issued_at = fields.Datetime(readonly=True, copy=False)
    status_message = fields.Char(readonly=True, copy=False,
                                 help="The outcome of the last connect, reconnect or disconnect.")
    status_level = fields.Selection([("info", "Info"), ("warning", "Warning"), ("danger", "Error")],
                                    default="info", readonly=True, copy=False)

    # Secrets: system administrators only, never copied, blanked by neutralize.sql.
    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    token_expires_at = fields.Datetime(groups="base.group_system", copy=False)
    token_scopes = fields.Char(groups="base.group_system", copy=False)
    # The OAuth round trip in flight (nonce bound into the signed state).
    oauth_nonce = fields.Char(groups="base.group_system", copy=False)
    oauth_verifier = fields.Char(groups="base.group_system", copy=False)
    oauth_user_id = fields.Many2one("res.users", groups="base.group_system", copy=False)
    oauth_started_at = fields.Datetime(groups="base.group_system", copy=False)
    # Tokens of a consent whose organisation is still to be chosen (JSON).
    pending_token = fields.Char(groups="base.group_system", copy=False)

    choice_ids = fields.One2many("xero.tenant.choice", "connection_id", readonly=True,
                                 string="Organisations to choose from")

    _sql_constraints = [
        ("company_unique", "unique(company_id)", "A company links to one Xero organisation only."),
    ]

    # -- finding and configuring ---------------------------------------------
    @api.model
    def _xero_for_company(self, company=None, create=True):
        """The connection of `company` (default: the current one), as sudo."""
        company = company or self.env.company
        connection = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not connection and create:
            connection = self.sudo().create({"company_id": company.id})
        return connection

    @api.model
    def _xero_endpoints(self):
        params = self.env["ir.config_parameter"].sudo()
        defaults = oauth.XeroEndpoints()
        return oauth.XeroEndpoints(
            login_url=params.get_param("crm_xero.login_url") or defaults.login_url,
            identity_url=params.get_param("crm_xero.identity_url") or defaults.identity_url,
            api_url=params.get_param("crm_xero.api_url") or defaults.api_url,
            go_url=params.get_param("crm_xero.go_url") or defaults.go_url,
        )

    @api.model
    def _xero_app(self):
        """(client_id, client_secret, scopes) of the Xero app, or a clear error."""
        params = self.env["ir.config_parameter"].sudo()
        client_id = params.get_param("crm_xero.client_id")
        client_secret = params.get_param("crm_xero.client_secret")
        if not client_id or not client_secret:
            raise UserError(_("Enter the Xero app's client id and client secret in "
                              "Settings > CRM > Xero first."))
        scopes = (params.get_param("crm_xero.scopes") or DEFAULT_SCOPES).split()
        return client_id, client_secret, scopes

    def _xero_check_manager(self):
        if not self.env.user.has_group("crm_xero.group_xero_manager"):
            raise AccessError(_("Only Xero managers can connect, disconnect or import Xero."))

    # -- tokens ----------------------------------------------------------------
    def _xero_store_tokens(self, token):
        """Write a token response on self (sudo); the caller commits."""
        for key in [k for k in _TOKEN_CACHE if k[:2] == (self.env.cr.dbname, self.id)]:
            _TOKEN_CACHE.pop(key, None)
        self.sudo().write({
            "access_token": token["access_token"],
            "refresh_token": token["refresh_token"],
            "token_expires_at": datetime.utcfromtimestamp(token["expires_at"]),
            "token_scopes": " ".join(token.get("scope") or []),
            "refresh_token_issued_at": fields.Datetime.now(),
        })

    def _xero_access_token(self, rejected_token=None):
        """A valid access token, refreshed first when it is (about to be) expired,
        or when Xero just rejected `rejected_token`.

        Xero's refresh tokens are single-use: the refresh runs under a row lock in
        a transaction of its own, committed at once, so concurrent workers never
        spend the same refresh token nor lose the rotated one. The fresh token is
        also kept in this process's memory: the caller's own transaction may not
        see the other transaction's commit yet.
        """
        self.ensure_one()
        self._xero_check_usable()
        sudo = self.sudo()
        # Keyed by organisation and grant too: after a reconnect or a switch of
        # organisation, no worker reuses the old grant's token.
        cache_key = (self.env.cr.dbname, self.id, self.tenant_id, sudo.connected_at)
        cached = _TOKEN_CACHE.get(cache_key)
        if cached and cached[0] != rejected_token and cached[1] > datetime.utcnow() + TOKEN_MARGIN:
            return cached[0]
        if (sudo.access_token != rejected_token and sudo.token_expires_at
                and sudo.token_expires_at > datetime.utcnow() + TOKEN_MARGIN):
            return sudo.access_token
        deadline = time.monotonic() + REFRESH_WAIT
        try:
            for attempt in itertools.count():
                try:
                    token, expires_at = self._xero_refresh_locked(rejected_token)
                    break
                except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
                    # Another worker holds the lock, or just rotated: look again.
                    if time.monotonic() > deadline:
                        raise UserError(_("Xero's connection is busy being refreshed; try again "
                                          "in a moment.")) from None
                    time.sleep(min(0.05 * (attempt + 1), 0.5))
        finally:
            # Written by the other transaction: drop what this one had cached.
            self.invalidate_recordset()
        _TOKEN_CACHE[cache_key] = (token, expires_at)
        return token

    def _xero_refresh_locked(self, rejected_token=None):
        """Refresh under `SELECT ... FOR UPDATE NOWAIT` in a new transaction.
        Returns (access_token, expires_at)."""
        with self.env.registry.cursor() as cr:
            # Busy lock: expected under concurrency, retried by the caller, not logged.
            cr.execute("SELECT id FROM xero_connection WHERE id = %s FOR UPDATE NOWAIT", [self.id],
                       log_exceptions=False)
            locked = self.with_env(self.env(cr=cr, su=True))
            if locked.state != "connected":
                raise UserError(_("Xero is not connected for %s. %s",
                                  locked.company_id.name, RECONNECT_MESSAGE))
            if (locked.access_token != rejected_token and locked.token_expires_at
                    and locked.token_expires_at > datetime.utcnow() + TOKEN_MARGIN):
                return locked.access_token, locked.token_expires_at   # refreshed meanwhile
            client_id, client_secret, _scopes = self._xero_app()
            try:
                token = oauth.refresh(self._xero_endpoints(), client_id, client_secret,
                                      locked.refresh_token)
            except errors.XeroAuthError as exc:
                locked._xero_mark_needs_reconnect(exc)
                cr.commit()
                raise UserError(_("Xero no longer accepts this company's connection. %s",
                                  RECONNECT_MESSAGE)) from None
            except errors.XeroError as exc:
                raise UserError(exc.user_message) from None
            locked._xero_store_tokens(token)
            cr.commit()
            _logger.info("Xero tokens refreshed for company %s", locked.company_id.id)
            return token["access_token"], locked.token_expires_at

    def _xero_mark_needs_reconnect(self, exc=None):
        _logger.warning("Xero connection of company %s needs reconnecting: %s",
                        self.company_id.id, exc and exc.detail)
        self.sudo().write({
            "state": "needs_reconnect",
            "status_level": "danger",
            "status_message": _("Xero no longer accepts this connection (it was revoked in Xero "
                                "or has expired). Click Reconnect to authorise Odoo again; "
                                "no data was lost."),
        })

    def _xero_mark_needs_reconnect_now(self, exc):
        """Mark it in a transaction of its own, which outlives the caller's
        rollback. Should this very transaction hold the row, mark it here
        instead (after a short lock wait) rather than wait on ourselves."""
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '2s'")
                self.with_env(self.env(cr=cr, su=True))._xero_mark_needs_reconnect(exc)
        except psycopg2.errors.LockNotAvailable:
            self._xero_mark_needs_reconnect(exc)

    def _xero_check_usable(self):
        """Raise the message every Xero button shows when Xero cannot be used."""
        self.ensure_one()
        if self.state == "needs_reconnect":
            raise UserError(_("Xero needs to be reconnected for %s. %s",
                              self.company_id.name, RECONNECT_MESSAGE))
        if self.state != "connected":
            raise UserError(_("%s is not connected to Xero yet. An administrator can connect "
                              "it in Settings > CRM > Xero.", self.company_id.name))

    def _xero_gateway(self, priority="interactive", access_token=None):
        """The gateway for this company's organisation, with a fresh token."""
        self.ensure_one()
        return XeroGateway(self._xero_endpoints(), access_token or self._xero_access_token(),
                           self.tenant_id, priority=priority)

    def _xero_call(self, operation, priority="interactive"):
        """Run `operation(gateway)`; a 401 (token revoked or expired early) gets one
        forced refresh and retry; any Xero error becomes a UserError."""
        self.ensure_one()
        try:
            token = self._xero_access_token()
            try:
                return operation(self._xero_gateway(priority, token))
            except errors.XeroAuthError as exc:
                if exc.reason not in ("token_expired", "invalid_token"):
                    raise
                fresh = self._xero_access_token(rejected_token=token)
                return operation(self._xero_gateway(priority, fresh))
        except errors.XeroAuthError as exc:
            self._xero_mark_needs_reconnect_now(exc)
            raise UserError(_("Xero no longer accepts this company's connection. %s",
                              RECONNECT_MESSAGE)) from None
        except errors.XeroError as exc:
            raise XeroUserError(exc.user_message, exc) from None

    # -- links other models keep (extended by partners and opportunities) -----
    def _xero_count_links(self):
        """How many Odoo records carry ids of this connection's organisation."""
        return 0

    def _xero_clear_links(self):
        """Forget those ids (before linking another organisation)."""
        return True
