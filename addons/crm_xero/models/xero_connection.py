"""One Xero connection per Odoo company: which organisation, its tokens, and
the way every other model calls Xero for that company.

Setup, Reconnect and Remove Integration (the OAuth round trip) are in
xero_connection_setup.py; writes to Xero go through xero_write.py.
"""
import itertools
import logging
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import compat
from ..xero import deadline as xero_deadline
from ..xero import errors, limits, oauth
from ..xero.endpoints import XeroEndpoints
from ..xero.gateway import XeroGateway
from .xero_deadline import float_param

_logger = logging.getLogger(__name__)

DEFAULT_SCOPES = " ".join(oauth.DEFAULT_SCOPES)
# Refresh this long before Xero's expiry, so a call never leaves with a token
# that dies on the way.
TOKEN_MARGIN = timedelta(seconds=120)
# How long a call waits for another worker's token refresh before giving up:
# as long as that refresh may take (its call's timeout), and never beyond the
# request's deadline.
REFRESH_WAIT = limits.CONNECT_TIMEOUT + limits.READ_TIMEOUT
# (dbname, connection id, tenant, grant) -> (access token, expiry): this
# process's freshest token, which the caller's transaction may not see yet
# (Odoo's transactions are REPEATABLE READ).  Memory only.
_TOKEN_CACHE = {}
STATES = [("not_connected", "Not connected"), ("connected", "Connected"),
          ("needs_reconnect", "Needs reconnect")]


class XeroConnection(models.Model):
    _name = "xero.connection"
    _description = "Xero connection"
    _rec_name = "company_id"

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True,
                                 default=lambda self: self.env.company)
    state = fields.Selection(STATES, default="not_connected", required=True, readonly=True)
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
    xero_import_watermark = fields.Datetime(
        "Contacts synced up to", readonly=True, copy=False,
        help="The next sync asks Xero only for contacts changed after this (If-Modified-Since).")
    xero_import_archived_mode = fields.Selection(
        [("skip", "Skip archived contacts"), ("archive", "Import them as archived accounts")],
        default="skip", readonly=True, copy=False)

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

    # What Create Draft Invoice proposes (Settings > CRM > Xero), and the way to cash.
    invoice_account_code = fields.Char("Default revenue account", copy=False)
    invoice_tracking = fields.Json(copy=False, help="Default tracking: [[category, option]].")
    invoice_theme_id = fields.Char("Default branding theme", copy=False)
    credit_warning_amount = fields.Float(
        "Warn above this overdue amount", copy=False,
        help="Opportunities (and quotations) of customers whose overdue amount in Xero is "
             "above this show a warning. 0: any overdue amount.")
    credit_warning_enabled = fields.Boolean("Credit warning", default=True, copy=False)
    paid_activity_enabled = fields.Boolean("Tell the salesperson when paid", default=True,
                                           copy=False)
    chase_activity_enabled = fields.Boolean("Chase overdue invoices", default=True, copy=False)
    chase_after_days = fields.Integer("Chase this many days after the due date", default=1,
                                      copy=False)
    choice_ids = fields.One2many("xero.tenant.choice", "connection_id", readonly=True,
                                 string="Organisations to choose from")
    contact_link_ids = fields.One2many("xero.contact.link", "connection_id")

    _company_unique = compat.Constraint("unique(company_id)",
                                        "A company links to one Xero organisation only.")

    # What only the addon's own code writes (the OAuth round trip, token
    # refreshes, imports), as sudo: never a person over RPC, not even a Xero
    # manager or an administrator, since a hand-set state or tenant would
    # send the company's data to an organisation nobody connected.
    _XERO_TECHNICAL_FIELDS = frozenset({
        "state", "tenant_id", "tenant_name", "short_code", "base_currency",
        "xero_connection_uuid", "connected_by_id", "connected_at", "refresh_token_issued_at",
        "status_message", "status_level", "xero_import_watermark", "xero_import_archived_mode",
        "access_token", "refresh_token", "token_expires_at", "token_scopes", "oauth_nonce",
        "oauth_verifier", "oauth_user_id", "oauth_started_at", "pending_token"})

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._xero_check_technical_write(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._xero_check_technical_write(vals)
        return super().write(vals)

    def _xero_check_technical_write(self, vals):
        # The superuser environment is the code's own (odoo-bin shell, tests):
        # no RPC session runs as it (OdooBot is archived and has no password).
        touched = self._XERO_TECHNICAL_FIELDS.intersection(vals)
        if touched and not (self.env.su or self.env.uid == SUPERUSER_ID):
            raise AccessError(_("The Xero connection's %s are set by connecting Xero in "
                                "Settings, never by hand.", ", ".join(sorted(touched))))

    # -- finding and configuring ------------------------------------------------------
    @api.model
    def _xero_for_company(self, company=None, create=True):
        """The connection of ``company`` (default: the current one), as sudo."""
        company = company or self.env.company
        connection = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not connection and create:
            connection = self.sudo().create({"company_id": company.id})
        return connection

    @api.model
    def _xero_params(self):
        return self.env["ir.config_parameter"].sudo()

    @api.model
    def _xero_endpoints(self):
        """Real Xero unless the system parameters say otherwise; for a local
        Xero (the sandbox), crm_xero.ca_file names the CA to trust for its
        identity and API addresses, and for nothing else."""
        params = self._xero_params()
        defaults = XeroEndpoints()
        values = {key: params.get_param("crm_xero.%s" % key) or getattr(defaults, key)
                  for key in ("login_url", "identity_url", "api_url", "go_url")}
        return XeroEndpoints(ca_file=params.get_param("crm_xero.ca_file") or None, **values)

    @api.model
    def _xero_timeout(self):
        """Seconds to wait for Xero's answer (system parameter crm_xero.timeout)."""
        return float_param(self.env, "crm_xero.timeout", limits.READ_TIMEOUT)

    @api.model
    def _xero_app(self):
        """(client_id, client_secret, scopes) of the Xero app, or a clear error."""
        params = self._xero_params()
        client_id = params.get_param("crm_xero.client_id")
        client_secret = params.get_param("crm_xero.client_secret")
        if not client_id or not client_secret:
            raise UserError(_("Enter the Xero app's client id and client secret in "
                              "Settings > CRM > Xero first."))
        scopes = (params.get_param("crm_xero.scopes") or DEFAULT_SCOPES).split()
        return client_id, client_secret, scopes

    def _xero_check_manager(self):
        """Connect, disconnect and import are for Xero managers of *this*
        connection's company: the group, and the company's record rule,
        checked before anything is sent anywhere."""
        if not self.env.user.has_group("crm_xero.group_xero_manager"):
            raise AccessError(_("Only Xero managers can connect, disconnect or import Xero."))
        if self:
            self.sudo(False).check_access("write")

    def _xero_ensure_code_sequence(self):
        """The company's own customer-code sequence (prefix and digits are a
        per-company setting), made from the module's template on first use."""
        self.ensure_one()
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search([("code", "=", "crm_xero.customer_code"),
                                    ("company_id", "=", self.company_id.id)], limit=1)
        if not sequence:
            template = self.env.ref("crm_xero.seq_customer_code", raise_if_not_found=False)
            values = {"name": _("Xero customer code (%s)", self.company_id.name),
                      "code": "crm_xero.customer_code", "company_id": self.company_id.id,
                      "prefix": template.prefix if template else "ODOO-",
                      "padding": template.padding if template else 5}
            sequence = Sequence.create(values)
        return sequence

    # -- fresh transactions ------------------------------------------------------------
    @contextmanager
    def _xero_fresh_env(self):
        """An environment on a new transaction, committed on success.  It
        sees what other workers committed (the caller's REPEATABLE READ
        snapshot does not), and outlives the caller's rollback."""
        with self.env.registry.cursor() as cr:
            yield api.Environment(cr, self.env.uid, self.env.context, su=True)

    # -- tokens -----------------------------------------------------------------------
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

    def _xero_cache_key(self, sudo):
        # Keyed by organisation and grant too: after a reconnect or a switch of
        # organisation, no worker reuses the old grant's token.
        return (self.env.cr.dbname, self.id, sudo.tenant_id, sudo.connected_at)

    def _xero_access_token(self, rejected_token=None):
        """A valid access token, refreshed first when it is (about to be)
        expired, or when Xero just rejected ``rejected_token``."""
        return self._xero_token(rejected_token)[0]

    def _xero_token(self, rejected_token=None):
        """(access token, refreshed here): see ``_xero_access_token``.

        Xero's refresh tokens are single-use: the refresh runs under a row
        lock in a transaction of its own, committed at once, so concurrent
        workers never spend the same refresh token nor lose the rotated one.
        A worker that finds another one refreshing waits for it (within the
        request's deadline) and takes the token it stored: one refresh, and
        every click served.  After a rejection the stored token is read again
        from a fresh transaction first: another worker may have rotated it.
        """
        self.ensure_one()
        self._xero_check_usable()
        sudo = self.sudo()
        cache_key = self._xero_cache_key(sudo)
        soon = datetime.utcnow() + TOKEN_MARGIN
        cached = _TOKEN_CACHE.get(cache_key)
        if cached and cached[0] != rejected_token and cached[1] > soon:
            return cached[0], False
        if rejected_token is None and sudo.access_token and sudo.token_expires_at \
                and sudo.token_expires_at > soon:
            return sudo.access_token, False
        # As long as another worker's refresh may take (its own call's
        # timeout), cut to what is left of this request's deadline.
        wait_until = time.monotonic() + xero_deadline.cap(REFRESH_WAIT)
        try:
            while True:
                try:
                    token, expires_at, refreshed = self._xero_refresh_locked(
                        rejected_token, wait=max(wait_until - time.monotonic(), 0.05))
                    break
                except psycopg2.errors.SerializationFailure:
                    # The worker we waited for rotated the token and
                    # committed: a new transaction sees its token.
                    continue
                except psycopg2.errors.LockNotAvailable:
                    raise errors.XeroUnavailable(errors._lt(
                        "Xero's connection is busy being refreshed; try again in a "
                        "moment."), detail="token refresh lock busy") from None
        finally:
            # Written by the other transaction: drop what this one had cached.
            self.invalidate_recordset()
        _TOKEN_CACHE[cache_key] = (token, expires_at)
        return token, refreshed

    def _xero_refresh_locked(self, rejected_token=None, wait=REFRESH_WAIT):
        """Under ``SELECT ... FOR NO KEY UPDATE`` in a new transaction,
        waiting at most ``wait`` seconds for a refresh in flight elsewhere:
        the stored token if it is fresh and not the rejected one, else a
        refresh.  Returns (access_token, expires_at, refreshed here).

        After waiting, the row was updated by the worker we waited for:
        PostgreSQL ends this REPEATABLE READ transaction with a serialization
        failure, and the caller looks again in a new one.

        NO KEY: every click's transaction references this row (the foreign
        keys of its intents, wizards, links).  PostgreSQL checks those with
        ``FOR KEY SHARE``, which a ``FOR UPDATE`` lock blocks, and which, in
        REPEATABLE READ, fails with a serialization error on a row that lock
        then updated: Odoo would retry the user's whole request.  A no-key
        lock and update (the id never changes) leave those checks alone."""
        with self.env.registry.cursor() as cr:
            # Busy lock and a rotation meanwhile: expected under concurrency,
            # handled by the caller, not logged.
            cr.execute("SET LOCAL lock_timeout = %s", ["%dms" % max(int(wait * 1000), 1)])
            cr.execute("SELECT id FROM xero_connection WHERE id = %s FOR NO KEY UPDATE",
                       [self.id], log_exceptions=False)
            locked = self.with_env(self.env(cr=cr, su=True))
            locked._xero_check_usable()
            if (locked.access_token and locked.access_token != rejected_token
                    and locked.token_expires_at
                    and locked.token_expires_at > datetime.utcnow() + TOKEN_MARGIN):
                return locked.access_token, locked.token_expires_at, False  # rotated meanwhile
            client_id, client_secret, _scopes = self._xero_app()
            try:
                token = oauth.refresh(self._xero_endpoints(), client_id, client_secret,
                                      locked.refresh_token)
            except errors.XeroAuthError as exc:
                # Only a refused refresh means the grant is gone: say so in
                # Settings, in this committed transaction, as the user is told.
                locked._xero_mark_needs_reconnect(exc)
                cr.commit()  # pylint: disable=invalid-commit  # a cursor of its own (see above)
                raise
            locked._xero_store_tokens(token)
            # Xero has already spent the old refresh token: the new one must
            # outlive whatever happens to the request that asked for it.
            cr.commit()  # pylint: disable=invalid-commit  # a cursor of its own
            _logger.info("Xero tokens refreshed for company %s", locked.company_id.id)
            return token["access_token"], locked.token_expires_at, True

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

    def _xero_check_usable(self):
        """Raise the message every Xero button shows when Xero cannot be used."""
        self.ensure_one()
        if self.state == "needs_reconnect":
            raise UserError(_("Xero needs to be reconnected for %s. Reconnect Xero in Settings.",
                              self.company_id.name))
        if self.state != "connected":
            raise UserError(_("%s is not connected to Xero yet. An administrator can connect "
                              "it in Settings > CRM > Xero.", self.company_id.name))

    def _xero_gateway(self, priority="interactive", access_token=None):
        """The gateway for this company's organisation, with a fresh token and
        the organisation's day of calls (shared by every worker)."""
        self.ensure_one()
        return XeroGateway(self._xero_endpoints(), access_token or self._xero_access_token(),
                           self.tenant_id, priority=priority, timeout=self._xero_timeout(),
                           budget=self._xero_day_budget())

    def _xero_call(self, operation, priority="interactive"):
        """Run ``operation(gateway)`` for this company's organisation.

        A 401 (Xero rejected the access token early, or another worker
        rotated it): the token is read again, refreshed once under the lock
        if still needed (or taken from the worker refreshing it), and the
        call tried again; once more if that token was another worker's and
        was rejected too, never after a token this call refreshed itself was
        rejected (a new token would not help).  Only a refused refresh marks
        the connection "needs reconnect"; so does a 403 (the organisation was
        disconnected in Xero).  Typed errors travel up to the button
        (models/xero_errors.py)."""
        self.ensure_one()
        token, refreshed = self._xero_token()
        try:
            for attempt in itertools.count():
                try:
                    return operation(self._xero_gateway(priority, token))
                except errors.XeroAuthError as exc:
                    if exc.reason != "token_rejected" or refreshed or attempt >= 2:
                        raise   # a refused refresh, a missing permission: a new token won't help
                    _logger.info("Xero rejected the access token of company %s; retrying with a "
                                 "fresh one", self.company_id.id)
                    token, refreshed = self._xero_token(rejected_token=token)
        except errors.XeroForbidden as exc:
            self._xero_mark_needs_reconnect_now(exc)
            raise

    def _xero_pages(self, method, key, priority="interactive", **filters):
        """Every page of one of the gateway's paged lists (``method``, e.g.
        "get_contacts"), read with Xero's largest pages: yields
        (page, items, pagination)."""
        return XeroGateway.iter_pages(
            lambda **kw: self._xero_call(lambda gw: getattr(gw, method)(**kw), priority),
            key, **filters)

    def _xero_currency(self, code=None):
        """The Odoo currency of a Xero currency code (default: the
        organisation's base currency), archived ones included."""
        code = code or self.base_currency
        if not code:
            return self.env["res.currency"]
        # Asked once per invoice row while refreshing hundreds: one search a
        # code per transaction.
        found = self.env.cr.cache.setdefault("xero_currency_ids", {})
        if code not in found:
            found[code] = self.env["res.currency"].with_context(active_test=False).search(
                [("name", "=", code)], limit=1).id
        return self.env["res.currency"].browse(found[code])

    def _xero_mark_needs_reconnect_now(self, exc):
        """Mark it in a transaction of its own, which outlives the caller's
        rollback, so Settings and the user's message agree."""
        with self._xero_fresh_env() as env:
            connection = self.with_env(env)
            if connection.state == "connected":
                connection._xero_mark_needs_reconnect(exc)

    # -- switching organisation: what the old one's ids were ----------------------------
    def _xero_count_links(self):
        """How many Odoo records carry ids of this connection's organisation."""
        self.ensure_one()
        return (self.env["xero.contact.link"].sudo().search_count(
            [("connection_id", "=", self.id), ("contact_id", "!=", False)])
            + self.env["xero.invoice.link"].sudo().search_count(
                [("connection_id", "=", self.id), ("invoice_id", "!=", False)]))

    def _xero_forget_organisation(self):
        """Everything that belongs to the organisation this company leaves
        (before it links another): contact and invoice links (their ids and
        ledger codes), writes not yet finished, the import's watermark and
        runs, webhook events."""
        self.ensure_one()
        domain = [("connection_id", "=", self.id)]
        for model in ("xero.contact.link", "xero.invoice.link", "xero.write", "xero.import.run",
                      "xero.webhook.event"):
            if model in self.env:
                self.env[model].sudo().search(domain).unlink()
        self.sudo().write({"xero_import_watermark": False})
