"""Setup, Reconnect and Remove Integration: the buttons in Settings > CRM >
Xero and the OAuth round trip behind them.

The OAuth state sent to Xero is "<connection>.<user>.<nonce>.<hmac>": signed
with the database secret (odoo.tools.misc.hmac), bound to the connection and
the user who started, single-use through the nonce kept on the connection,
and valid 15 minutes.  Every action checks first that the user may manage
*this* connection's company, before anything is sent to Xero.
"""
import json
import logging
import secrets
from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac as odoo_hmac

from ..xero import errors, oauth
from .xero_actions import new_dialog
from .xero_errors import xero_action, xero_message

_logger = logging.getLogger(__name__)

STATE_SCOPE = "crm_xero.oauth_state"
STATE_LIFETIME = timedelta(minutes=15)


class XeroOAuthRefused(Exception):
    """A callback that must change nothing; carries (message, level)."""

    def __init__(self, message, level="danger"):
        super().__init__(message)
        self.level = level


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    # -- Setup / Reconnect -----------------------------------------------------------
    @xero_action
    def action_connect(self):
        """Send the admin's browser to Xero's consent page."""
        self.ensure_one()
        self._xero_check_manager()
        client_id, _secret, scopes = self._xero_app()
        nonce = secrets.token_urlsafe(24)
        verifier = oauth.new_pkce_verifier()
        self.sudo().write({
            "oauth_nonce": nonce, "oauth_verifier": verifier,
            "oauth_user_id": self.env.user.id, "oauth_started_at": fields.Datetime.now(),
            # The last outcome is stale once a new round trip starts (and a
            # browser Back from Xero's page must not show it again).
            "status_message": False, "status_level": "info",
        })
        url = oauth.authorization_url(self._xero_endpoints(), client_id, self._xero_redirect_uri(),
                                      scopes, self._xero_sign_state(nonce), verifier)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def action_reconnect(self):
        """The same consent round trip; the organisation's links survive when
        the admin picks the same organisation again."""
        return self.action_connect()

    def _xero_redirect_uri(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        return f"{base.rstrip('/')}/crm_xero/oauth/callback"

    def _xero_sign_state(self, nonce):
        payload = f"{self.id}.{self.env.user.id}.{nonce}"
        return f"{payload}.{odoo_hmac(self.env(su=True), STATE_SCOPE, payload)}"

    # -- the callback ---------------------------------------------------------------------
    def _xero_oauth_callback(self, state, code=None, error=None):
        """Handle Xero's redirect for the current user.  Returns (connection,
        message, level); a refused callback changes nothing on any connection."""
        try:
            connection = self._xero_check_state(state)
        except XeroOAuthRefused as refused:
            _logger.warning("Xero callback refused for user %s: %s", self.env.uid, refused)
            return self.browse(), str(refused), refused.level
        verifier = connection.sudo().oauth_verifier
        # The state is spent whatever happens next: a replay finds no nonce.
        connection.sudo().write({"oauth_nonce": False, "oauth_verifier": False,
                                 "oauth_user_id": False, "oauth_started_at": False})
        if error or not code:
            message = (_("Xero access was not granted (Cancel was pressed on Xero's page). "
                         "Nothing changed.") if error in (None, "access_denied")
                       else _("Xero refused the connection (%s). Nothing changed.", error))
            return connection, message + connection._xero_still_connected(), "warning"
        try:
            return connection, *connection._xero_finish_connect(code, verifier)
        except errors.XeroError as exc:
            return connection, _("Connecting Xero failed: %s Nothing changed.",
                                 xero_message(self.env, exc)) \
                + connection._xero_still_connected(), "danger"
        except UserError as exc:
            return connection, _("Connecting Xero failed: %s Nothing changed.", exc.args[0]) \
                + connection._xero_still_connected(), "danger"

    def _xero_still_connected(self):
        """What the admin should know next to a failed round trip."""
        if self.state == "connected":
            return " " + _("The connection to %s is unchanged and working.", self.tenant_name)
        return ""

    def _xero_check_state(self, state):
        try:
            connection_id, user_id, nonce, signature = (state or "").split(".")
            connection_id, user_id = int(connection_id), int(user_id)
        except ValueError:
            raise XeroOAuthRefused(_("The answer from Xero was not valid. Click Setup again.")) \
                from None
        payload = f"{connection_id}.{user_id}.{nonce}"
        if not consteq(signature, odoo_hmac(self.env(su=True), STATE_SCOPE, payload)):
            raise XeroOAuthRefused(_("The answer from Xero was not valid. Click Setup again."))
        if user_id != self.env.uid:
            raise XeroOAuthRefused(_("This Xero authorisation was started by another user; "
                                     "only they can finish it. Nothing changed."))
        connection = self.sudo().browse(connection_id).exists()
        if not connection or connection.company_id not in self.env.user.company_ids:
            raise XeroOAuthRefused(_("The answer from Xero was not valid. Click Setup again."))
        connection = connection.with_env(self.env).with_company(connection.company_id)
        connection._xero_check_manager()
        pending = connection.sudo()
        if not pending.oauth_nonce or not consteq(nonce, pending.oauth_nonce):
            if pending.state == "connected":
                raise XeroOAuthRefused(
                    _("This Xero authorisation was already used. %(company)s is connected to "
                      "%(organisation)s; nothing changed.", company=connection.company_id.name,
                      organisation=pending.tenant_name),
                    "info")
            raise XeroOAuthRefused(_("This Xero authorisation was already used or replaced by a "
                                     "newer one. Click Setup again if needed."), "warning")
        if fields.Datetime.now() - pending.oauth_started_at > STATE_LIFETIME:
            raise XeroOAuthRefused(_("This Xero authorisation took too long and expired. "
                                     "Click Setup again."), "warning")
        return connection

    def _xero_finish_connect(self, code, verifier):
        client_id, client_secret, _scopes = self._xero_app()
        endpoints = self._xero_endpoints()
        token = oauth.exchange_code(endpoints, client_id, client_secret, self._xero_redirect_uri(),
                                    code, verifier)
        granted = oauth.list_connections(endpoints, token["access_token"])
        event = oauth.auth_event_id(token["access_token"])
        if event:
            granted = [c for c in granted if c.get("authEventId") == event] or granted
        granted = [c for c in granted if c.get("tenantType", "ORGANISATION") == "ORGANISATION"]
        if not granted:
            raise UserError(_("No Xero organisation was shared with Odoo."))
        # Kept aside until an organisation is linked: until then nothing changes.
        self.sudo().pending_token = json.dumps(token)
        self.choice_ids.sudo().unlink()
        self.env["xero.tenant.choice"].sudo().create([{
            "connection_id": self.id, "tenant_id": c["tenantId"],
            "tenant_name": c.get("tenantName") or c["tenantId"],
            "xero_connection_uuid": c["id"],
        } for c in granted])
        choices = self.choice_ids
        if len(choices) == 1 and not choices._xero_needs_switch_confirmation():
            return choices._xero_link()
        return (_("Choose which Xero organisation %s links to.", self.company_id.name)
                if len(choices) > 1 else choices._xero_switch_warning()), "warning"

    # -- Remove Integration ----------------------------------------------------------------
    def action_xero_remove(self):
        """Remove Integration: a confirmation first (no call to Xero yet)."""
        self.ensure_one()
        self._xero_check_manager()
        return new_dialog(_("Remove the Xero integration"), "xero.disconnect.wizard",
                          {"default_connection_id": self.id})

    @xero_action
    def action_disconnect(self):
        """Revoke Odoo's access at Xero and forget the tokens.  Links on
        accounts and opportunities stay, so reconnecting the same
        organisation carries on."""
        self.ensure_one()
        self._xero_check_manager()
        sudo = self.sudo()
        client_id, client_secret, _scopes = self._xero_app()
        endpoints = self._xero_endpoints()
        problems = []
        if sudo.refresh_token:
            try:
                if sudo.xero_connection_uuid and sudo.state == "connected":
                    oauth.delete_connection(endpoints, self._xero_access_token(),
                                            sudo.xero_connection_uuid)
            except (errors.XeroAuthError, errors.XeroNotFound, UserError):
                _logger.info("Xero connection of company %s was already gone at Xero's end",
                             self.company_id.id)
            except errors.XeroError as exc:
                problems.append(xero_message(self.env, exc))
            try:
                oauth.revoke(endpoints, client_id, client_secret, self._xero_latest_refresh_token())
            except errors.XeroAuthError:
                _logger.info("Xero refresh token of company %s was already revoked",
                             self.company_id.id)
            except errors.XeroError as exc:
                problems.append(xero_message(self.env, exc))
        message = _("Xero was disconnected from %(company)s. Reconnect to %(org)s at any time: "
                    "accounts and opportunities keep their links.",
                    company=self.company_id.name, org=self.tenant_name)
        if problems:
            message = _("Odoo forgot its Xero access, but Xero could not be told (%s). Remove "
                        "the app in Xero under Settings > Connected Apps.", problems[0])
        sudo.write({
            "state": "not_connected",
            "access_token": False, "refresh_token": False, "token_expires_at": False,
            "token_scopes": False, "refresh_token_issued_at": False,
            "xero_connection_uuid": False, "connected_by_id": False, "connected_at": False,
            "pending_token": False,
            "status_message": message, "status_level": "warning" if problems else "info",
        })
        sudo.choice_ids.unlink()
        return message

    def _xero_latest_refresh_token(self):
        """The refresh token as last committed: a refresh just above (in its
        own transaction) rotated it, which this transaction cannot see."""
        with self.env.registry.cursor() as cr:
            return self.with_env(self.env(cr=cr, su=True)).refresh_token
