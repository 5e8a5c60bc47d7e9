"""What every worker shares about one connection's organisation, in the
database rather than one process's memory: its day of Xero calls (what Xero
last said is left, when the day frees up, the calls made per hour by people
and in the background), where the reads of what changed in Xero got to, and
the invoice wizard's lists (accounts, taxes, tracking, themes).

One row per connection, whose id is the connection's (so two workers making
it at once make one: the primary key says so).  It is written only in short
transactions of its own, READ COMMITTED, never by a request's or a job's
transaction: every Xero call updates it, and a longer transaction writing
the same row would fail to serialize.
"""
import datetime
import json
import logging
import uuid
from contextlib import contextmanager

import psycopg2

from odoo import api, fields, models
from odoo.sql_db import Cursor

from ..xero import day_budget

_logger = logging.getLogger(__name__)

DAY_LIMIT_PARAM = "crm_xero.day_limit"
RESERVE_PARAM = "crm_xero.day_reserve_percent"
DEFAULT_RESERVE_PERCENT = 20
# The columns of the state a job or a click may set (see _xero_state_write).
WRITABLE = ("figures_watermark", "figures_polled_at", "figures_item_counts",
            "reconcile_requested_at", "reconciled_at", "link_watermark", "contacts_polled_at",
            "webhooks_handled_at", "invoice_settings", "invoice_settings_at",
            "quotes_watermark", "quotes_polled_at")


@contextmanager
def _own_transaction(env):
    """A cursor of its own, READ COMMITTED (two workers updating the row at
    once wait for each other instead of failing), committed on success.  In
    tests, the test's savepoint-backed cursor."""
    with env.registry.cursor() as cr:
        if isinstance(cr, Cursor):   # not a test's cursor (a savepoint in its transaction)
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        yield cr


def _read_only_test(env):
    """Whether ``env`` is a read-only request of Odoo's tests (a Settings
    onchange...): no cursor of our own may be opened from it there (the
    test cursor refuses a writable one inside a read-only one), so the row
    is read through the caller's cursor and nothing is written.  In
    production a read-only request's own transactions work as any other."""
    return getattr(env.registry, "test_cr", None) is not None \
        and getattr(env.cr, "readonly", False)


@contextmanager
def _reading(env):
    """A cursor to read the row with (the caller's, in a read-only test)."""
    if _read_only_test(env):
        yield env.cr
        return
    with _own_transaction(env) as cr:
        yield cr


class XeroSyncState(models.Model):
    _name = "xero.sync.state"
    _description = "Xero organisation's shared state (day of calls, reads of changes)"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade",
                                    index=True, readonly=True)
    # The day of calls (xero/day_budget.py).
    day_remaining = fields.Integer(readonly=True, help="X-DayLimit-Remaining, as Xero last said.")
    day_seen_at = fields.Datetime(readonly=True)
    day_exhausted_until = fields.Datetime(readonly=True,
                                          help="Xero refused calls for the day until then.")
    day_calls = fields.Json(readonly=True, help="Calls made per hour: {hour: [people, "
                                                "background]}.")
    day_in_flight = fields.Json(readonly=True, help="Background calls admitted and not "
                                                    "answered yet: {token: since}.")
    # Reads of what changed in Xero (models/xero_changes.py).
    figures_watermark = fields.Datetime(readonly=True, help="Invoices and credit notes read up "
                                                            "to here (If-Modified-Since).")
    figures_polled_at = fields.Datetime(readonly=True, help="The last scheduled read.")
    figures_item_counts = fields.Json(readonly=True, help="Invoices and credit notes Xero had "
                                                          "at the last full read.")
    reconcile_requested_at = fields.Datetime(readonly=True)
    reconciled_at = fields.Datetime(readonly=True)
    link_watermark = fields.Datetime(readonly=True, help="Contacts checked against unlinked "
                                                         "accounts up to here.")
    contacts_polled_at = fields.Datetime(readonly=True)
    webhooks_handled_at = fields.Datetime(readonly=True)
    # Reads of changed quotes (models/xero_quote_link.py: Xero has no webhooks for them).
    quotes_watermark = fields.Datetime(readonly=True, help="Quotes read up to here "
                                                           "(If-Modified-Since).")
    quotes_polled_at = fields.Datetime(readonly=True, help="The last scheduled read of quotes.")
    # The invoice wizard's lists, per organisation.
    invoice_settings = fields.Json(readonly=True)
    invoice_settings_at = fields.Datetime(readonly=True)

    @api.model
    def _xero_for(self, connection):
        """The state of ``connection`` (sudo), made on first use; empty while
        the connection itself is not committed yet (made in this very
        transaction: nothing to share with other workers then)."""
        connection.ensure_one()
        state = self.sudo().browse(connection.id)
        if not state.exists():
            if _read_only_test(self.env):
                return self.sudo().browse()
            try:
                with _own_transaction(self.env) as cr:
                    cr.execute("""INSERT INTO xero_sync_state (id, connection_id, create_uid,
                                      write_uid, create_date, write_date)
                                  VALUES (%s, %s, %s, %s, now() at time zone 'UTC',
                                          now() at time zone 'UTC')
                                  ON CONFLICT (id) DO NOTHING""",
                               [connection.id, connection.id, self.env.uid, self.env.uid],
                               log_exceptions=False)
            except psycopg2.errors.ForeignKeyViolation:
                return self.sudo().browse()
            state.invalidate_recordset()
        return state

    def _xero_read(self):
        """The row as committed now (another worker may have moved it on)."""
        if not self:
            return {}
        self.ensure_one()
        with _reading(self.env) as cr:
            cr.execute("SELECT * FROM xero_sync_state WHERE id = %s", [self.id])
            return cr.dictfetchone() or {}

    def _xero_state_write(self, **values):
        """Set state columns in a transaction of their own."""
        if not self:
            return
        self.ensure_one()
        unknown = set(values) - set(WRITABLE)
        if unknown:
            raise ValueError("not a writable state column: %s" % ", ".join(sorted(unknown)))
        if not values or _read_only_test(self.env):
            return
        with _own_transaction(self.env) as cr:
            assignments = ", ".join('"%s" = %%s' % column for column in values)
            cr.execute("UPDATE xero_sync_state SET %s, write_date = now() at time zone 'UTC' "
                       "WHERE id = %%s" % assignments,  # noqa: S608 - fixed column names
                       [json.dumps(value) if isinstance(value, (dict, list)) else value
                        for value in values.values()] + [self.id])
        self.invalidate_recordset()

    # -- the day of calls -----------------------------------------------------------
    @api.model
    def _xero_day_settings(self):
        """(Xero's calls a day, share kept for people) from Settings."""
        params = self.env["ir.config_parameter"].sudo()
        try:
            limit = int(params.get_param(DAY_LIMIT_PARAM) or day_budget.DAY_LIMIT)
        except ValueError:
            limit = day_budget.DAY_LIMIT
        try:
            percent = float(params.get_param(RESERVE_PARAM) or DEFAULT_RESERVE_PERCENT)
        except ValueError:
            percent = DEFAULT_RESERVE_PERCENT
        return max(limit, 1), min(max(percent, 0.0), 100.0) / 100.0

    def _xero_day_budget(self):
        """The gateway's DayBudget for this organisation: its store reads and
        writes this row, from any thread (None without a row)."""
        if not self or _read_only_test(self.env):
            return None
        self.ensure_one()
        limit, share = self._xero_day_settings()
        return day_budget.DayBudget(_DayStore(self.env.registry, self.id), limit, share)

    def _xero_day_state(self):
        if not self:
            return day_budget.DayState()
        with _reading(self.env) as cr:
            return _DayStore.load_from(cr, self.id)

    def _xero_day_summary(self, now=None):
        """What Settings shows of today: {limit, reserve, left, used, people,
        background, exhausted_until, frees_at, paused}."""
        now = now or fields.Datetime.now()
        limit, share = self._xero_day_settings()
        budget = day_budget.DayBudget(None, limit, share)
        state = self._xero_day_state()
        left = state.left(now, limit)
        return {"limit": limit, "reserve": budget.reserve,
                "left": left, "used": None if left is None else max(limit - left, 0),
                "people": state.made(now, day_budget.PEOPLE),
                "background": state.made(now, day_budget.BACKGROUND),
                "exhausted_until": state.exhausted_until if state.exhausted_for(now) else False,
                "frees_at": state.next_free(now) or False,
                "paused": left is not None and left <= budget.reserve}


class _DayStore:
    """The DayBudget's store: this row of xero_sync_state, through cursors
    of its own (safe from the import's read-ahead threads)."""

    def __init__(self, registry, state_id):
        self.registry, self.state_id = registry, state_id

    @contextmanager
    def _cursor(self):
        with self.registry.cursor() as cr:
            if isinstance(cr, Cursor):
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            yield cr

    def load(self):
        with self._cursor() as cr:
            return self.load_from(cr, self.state_id)

    @staticmethod
    def load_from(cr, state_id):
        cr.execute("""SELECT day_remaining, day_seen_at, day_exhausted_until, day_calls
                        FROM xero_sync_state WHERE id = %s""", [state_id])
        row = cr.fetchone()
        return day_budget.DayState(*row) if row else day_budget.DayState()

    def hold(self, decide, now):
        """``decide(state, in flight)`` under the row's lock; unless it raises,
        one more background call is in flight.  Returns its token."""
        token = uuid.uuid4().hex[:16]
        with self._cursor() as cr:
            cr.execute("""SELECT day_remaining, day_seen_at, day_exhausted_until, day_calls,
                                 day_in_flight
                            FROM xero_sync_state WHERE id = %s FOR UPDATE""", [self.state_id])
            row = cr.fetchone() or (None,) * 5
            since = (now - day_budget.IN_FLIGHT_FOR).isoformat()
            flying = {key: at for key, at in (row[4] or {}).items() if at > since}
            decide(day_budget.DayState(*row[:4]), len(flying))
            flying[token] = now.isoformat()
            cr.execute("UPDATE xero_sync_state SET day_in_flight = %s WHERE id = %s",
                       [json.dumps(flying), self.state_id])
        return token

    def record(self, priority, remaining, exhausted_until, counted, now, token=None):
        key = day_budget.hour_key(now)
        keep = exhausted_until == day_budget.KEEP
        oldest = day_budget.hour_key(now - datetime.timedelta(hours=day_budget.KEEP_HOURS))
        people, background = (0, 1) if priority == "background" else (1, 0)
        if not counted:
            people = background = 0
        with self._cursor() as cr:
            cr.execute("""
                UPDATE xero_sync_state
                   SET day_remaining = coalesce(%(remaining)s, day_remaining),
                       day_seen_at = CASE WHEN %(remaining)s IS NULL THEN day_seen_at
                                          ELSE %(now)s END,
                       day_exhausted_until = CASE WHEN %(keep)s THEN day_exhausted_until
                                                  ELSE %(until)s END,
                       day_in_flight = CASE WHEN %(token)s IS NULL THEN day_in_flight
                                            ELSE coalesce(day_in_flight, '{}'::jsonb)
                                                 - %(token)s END,
                       day_calls = (
                           SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb)
                             FROM jsonb_each(jsonb_set(
                                      coalesce(day_calls, '{}'::jsonb), ARRAY[%(hour)s],
                                      jsonb_build_array(
                                          coalesce((day_calls->%(hour)s->>0)::int, 0) + %(people)s,
                                          coalesce((day_calls->%(hour)s->>1)::int, 0)
                                              + %(background)s)))
                            WHERE key >= %(oldest)s)
                 WHERE id = %(id)s""", {"remaining": remaining, "now": now, "keep": keep,
                                        "until": None if keep else exhausted_until,
                                        "token": token, "hour": key,
                                        "people": people, "background": background,
                                        "oldest": oldest, "id": self.state_id})


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def _xero_sync_state(self):
        return self.env["xero.sync.state"]._xero_for(self)

    def _xero_day_budget(self):
        return self._xero_sync_state()._xero_day_budget()
