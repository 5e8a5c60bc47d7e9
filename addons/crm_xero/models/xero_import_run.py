"""One import or scheduled sync of Xero contacts: its options, where it got to,
and what it did. The scheduled action works through queued runs page by page,
committing after each page, so a crash or restart resumes at the page that was
not committed yet (contacts already linked are found by their link: no duplicates).
Runs take turns, a page each, and Xero reads the next page while Odoo writes
this one (ImportReads).
"""
import logging
import time
from collections import Counter
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import compat
from ..xero import limits
from ..xero.errors import (
    XeroAuthError,
    XeroError,
    XeroForbidden,
    XeroRateLimited,
    XeroTimedOut,
)
from ..xero.gateway import ReadAhead
from . import batch_commit
from .xero_actions import new_dialog
from .xero_deadline import odoo_time_limit, xero_job

_logger = logging.getLogger(__name__)

PAGE_SIZE = limits.PAGE_SIZE
# The next sync asks for changes since the start of this run, less this margin
# for clock differences between Odoo and Xero (re-read contacts that did not
# change are recognised and left alone).
WATERMARK_MARGIN = timedelta(seconds=60)
MAX_ATTEMPTS = 5            # failed passes in a row before a run gives up
PASS_SECONDS = 40           # one pass works this long at most when Odoo sets no time limit
LOG_LIMIT = 500             # skipped records kept with their reason
RETRY_BATCH = limits.IDS_PER_CALL   # skipped contacts re-read per call (IDs=...)
ARCHIVED = "archived in Xero"
# Reads started before they are needed, in all and per organisation, whose
# reads reach Xero one after the other: with the pass's own, at most 2 calls
# in flight for an organisation (Xero allows 5).
READ_AHEAD = 2


def _pass_seconds():
    """How long one scheduled-action pass may work: a third of the time Odoo
    gives a cron job (limit_time_real_cron, else limit_time_real), so a pass
    always commits and reports well before Odoo would kill it."""
    limit = odoo_time_limit(cron=True)
    return max(limit // 3, 1) if limit else PASS_SECONDS


class ImportReads:
    """The reads of one scheduled pass (or one preview), started before they
    are needed, so that Xero answers the next page while Odoo writes this one.

    Runs take turns, a page each (round robin: every organisation moves on in
    the same pass), and reads start in the order the turns take them,
    READ_AHEAD at a time: with one organisation, pages N+1 then N+2 are read
    while page N is written; with many, the next organisations' pages.  The
    token and the gateway are made here, on the pass's thread; the worker
    thread only calls Xero (xero.gateway.ReadAhead).  A run only ever uses a
    read that matches its committed state (the page it is at), so a failed
    page, a crash or another worker never makes it skip or repeat a page; a
    read's error is raised when its page is taken, as if read then.
    """

    def __init__(self, runs, deadline=None):
        self.runs = list(runs)      # whose turn comes, in order; a run leaves when done
        self.deadline = deadline
        self.reader = ReadAhead(workers=READ_AHEAD)
        self._tenants = {}          # read key -> organisation

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.reader.close()

    def draining(self):
        """Past the deadline: no new reads; what was read is still written."""
        return self.deadline is not None and time.monotonic() >= self.deadline

    @staticmethod
    def _key(run):
        # ``_ids``, not ``id``: a preview's run is a new record, and a NewId
        # equals nothing, itself included (a tuple compares it by identity)
        return run._ids

    def has_next(self, run):
        return (self._key(run), run._xero_next_read()) in self.reader

    def take(self, run, read):
        """The answer to ``read`` if it was read ahead (its error raised
        here), else None: the caller reads it now."""
        try:
            found, answer = self.reader.take((self._key(run), read))
        except (XeroAuthError, XeroForbidden):
            # Read again the usual way (_xero_call): it refreshes the token
            # once, or marks the connection as needing a reconnect.
            found = False
        if not found:
            # What was read ahead for this run no longer fits: dropped, and
            # its calls over before the caller's own (2 in flight at most).
            self.forget(run, wait=True)
            return None
        return answer

    def ahead(self, after=None, values=None):
        """Start the next reads in the order turns take them: the runs after
        ``after`` (all of them from the first, if None), then ``after``
        itself, whose state is the one its current page leads to (``values``)."""
        if self.draining() or not self.runs:
            return
        key = self._key(after) if after else None
        index = next((i for i, run in enumerate(self.runs) if self._key(run) == key), -1)
        order = self.runs[index + 1:] + self.runs[:index + 1]
        upcoming = [run._xero_upcoming_reads(values if self._key(run) == key else None,
                                             limit=READ_AHEAD) for run in order]
        wanted = [(run, reads[rank]) for rank in range(READ_AHEAD)
                  for run, reads in zip(order, upcoming) if rank < len(reads)]
        for run, read in wanted[:READ_AHEAD]:
            self._start(run, read)

    def _start(self, run, read):
        """Start ``read`` for ``run``; after the organisation's read still
        pending, if any: its reads reach Xero one at a time and in order."""
        key = (self._key(run), read)
        tenant = run.connection_id.tenant_id
        same = [k for k in self.reader.pending() if self._tenants.get(k) == tenant]
        if key in self.reader or len(same) >= READ_AHEAD:
            return
        try:
            gateway = run.connection_id._xero_gateway("background")
        except Exception as exc:  # noqa: BLE001 - no read ahead; the read itself reports it
            _logger.debug("Xero import %s: no read ahead (%s)", run.id, exc)
            return
        self._tenants[key] = tenant
        self.reader.start(key, gateway, run._xero_read_operation(read),
                          after=same[-1] if same else None)

    def forget(self, run, wait=False):
        self.reader.discard([key for key in self.reader.pending() if key[0] == self._key(run)],
                            wait=wait)

    def leave(self, run):
        """``run`` is done for this pass: it leaves the turns, its reads are dropped."""
        self.runs = [r for r in self.runs if self._key(r) != self._key(run)]
        self.forget(run)


class XeroImportRun(models.Model):
    _name = "xero.import.run"
    _description = "Xero contact import"
    _order = "id desc"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade",
                                    index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    kind = fields.Selection([("import", "Import"), ("sync", "Scheduled sync")],
                            default="import", required=True, readonly=True)
    state = fields.Selection([("queued", "Queued"), ("running", "Running"), ("done", "Done"),
                              ("failed", "Failed")], default="queued", required=True, index=True)
    archived_mode = fields.Selection([("skip", "Skip archived contacts"),
                                      ("archive", "Import them as archived accounts")],
                                     default="skip", required=True)
    page_size = fields.Integer(default=PAGE_SIZE, required=True)
    modified_since = fields.Datetime(help="Only contacts changed after this (If-Modified-Since); "
                                          "empty for a full import.")
    watermark = fields.Datetime(help="Where the next sync starts once this run is done.")
    started_at = fields.Datetime(default=fields.Datetime.now)
    finished_at = fields.Datetime()
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    next_page = fields.Integer(default=1)
    page_count = fields.Integer()
    item_count = fields.Integer("Contacts to read")
    processed = fields.Integer("Contacts read")
    created = fields.Integer()
    linked = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    skipped = fields.Integer()
    skip_reasons = fields.Json(help="Skipped contacts by reason: {reason: count}.")
    skip_log = fields.Json(help="The first skipped contacts: [{contact_id, name, reason}].")
    skipped_contact_ids = fields.Json(help="Every skipped contact: {ContactID: reason}; the next "
                                           "run reads them again.")
    retry_contact_ids = fields.Json(help="Contacts an earlier run skipped, still to be read again "
                                         "by this one (by ContactID, before the changed ones).")
    retry_count = fields.Integer(help="Contacts this run was asked to read again.")
    kept_odoo = fields.Integer("Fields kept (changed in Odoo)")
    attempts = fields.Integer(help="Passes in a row that failed (reset by progress).")
    last_error = fields.Char(readonly=True)
    progress = fields.Integer(compute="_compute_summary")
    summary = fields.Char(compute="_compute_summary")
    skip_details = fields.Text(compute="_compute_summary")

    @api.depends("processed", "item_count", "created", "linked", "updated", "skipped", "state",
                 "skip_reasons", "skip_log", "skipped_contact_ids", "archived_mode")
    def _compute_summary(self):
        for run in self:
            run.progress = (100 if run.state == "done" else
                            int(100 * run.processed / run.item_count) if run.item_count else 0)
            run.summary = _("%(created)s created, %(linked)s linked, %(updated)s updated, "
                            "%(unchanged)s unchanged, %(skipped)s skipped",
                            created=run.created, linked=run.linked, updated=run.updated,
                            unchanged=run.unchanged, skipped=run.skipped)
            again = len(run._xero_retry_split(run.skipped_contact_ids, run.archived_mode)[0])
            if again:
                run.summary += _(" (%s will be read again at the next sync)", again)
            reasons = [f"{count} × {reason}" for reason, count in
                       sorted((run.skip_reasons or {}).items(), key=lambda item: -item[1])]
            examples = [f"{entry['name']}: {entry['reason']}"
                        for entry in (run.skip_log or [])[:50]]
            gap = [""] if reasons and examples else []
            run.skip_details = "\n".join(reasons + gap + examples)

    # -- starting -------------------------------------------------------------------------
    @api.model
    def _xero_queue(self, connection, kind="import", archived_mode="skip", full=False,
                    page_size=PAGE_SIZE):
        """Queue a run for `connection` and wake the scheduled action. A run already
        queued or running for it is returned instead of a second one."""
        active = self.sudo().search([("connection_id", "=", connection.id),
                                     ("state", "in", ("queued", "running"))], limit=1)
        if active:
            return active
        now = fields.Datetime.now()
        retry, carried = self._xero_retry_ids(connection, archived_mode, full)
        run = self.sudo().create({
            "connection_id": connection.id, "kind": kind, "archived_mode": archived_mode,
            "page_size": page_size, "started_at": now, "watermark": now - WATERMARK_MARGIN,
            "modified_since": False if full else connection.xero_import_watermark,
            "retry_contact_ids": retry, "retry_count": len(retry), "item_count": len(retry),
            "skipped_contact_ids": carried,
        })
        cron = self.env.ref("crm_xero.ir_cron_xero_import", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()
        return run

    @api.model
    def _xero_retry_ids(self, connection, archived_mode, full):
        """([ContactID] the connection's last run skipped, to read again,
        {ContactID: reason} skipped but not read again, carried on)."""
        if full:
            return [], {}   # a full import reads every contact anyway
        last = self.sudo().search([("connection_id", "=", connection.id),
                                   ("state", "in", ("done", "failed"))], limit=1)
        skipped = dict(last.skipped_contact_ids or {})
        skipped.update({cid: "retry" for cid in last.retry_contact_ids or [] if cid not in skipped})
        return self._xero_retry_split(skipped, archived_mode)

    @staticmethod
    def _xero_retry_split(skipped, archived_mode):
        # Contacts skipped as archived stay skipped while archived ones are
        # skipped (unarchiving one in Xero changes it: the changed read finds it).
        retry = [cid for cid, why in (skipped or {}).items()
                 if why != ARCHIVED or archived_mode != "skip"]
        return retry, {cid: why for cid, why in (skipped or {}).items() if why == ARCHIVED
                       and archived_mode == "skip"}

    # -- the scheduled action -------------------------------------------------------------
    @xero_job
    @api.model
    def _xero_cron_import(self, seconds=None):
        """Work through queued and interrupted runs, one committed page at a time,
        for about `seconds` (well under Odoo's cron time limit); Odoo's cron
        progress says, after each page, how much is left.  Runs take turns,
        a page each, so every organisation moves on in the same pass; the
        pages read ahead when time is up are still written (two at most)."""
        deadline = time.monotonic() + (seconds or _pass_seconds())
        done = turn = 0
        # A run whose connection cannot be used now (reconnect needed) waits
        # for it instead of spending its attempts.
        runs = self.sudo().search([("state", "in", ("queued", "running")),
                                   ("connection_id.state", "=", "connected")], order="id")
        with ImportReads(runs, deadline) as reads:
            reads.ahead()
            while reads.runs:
                turn %= len(reads.runs)
                run = reads.runs[turn]
                if reads.draining() and not reads.has_next(run):
                    reads.leave(run)
                    continue
                before = run.processed
                more = run._xero_import_pass_step(reads)
                done += max(run.processed - before, 0)
                self._xero_notify_progress(done)
                if more:
                    turn += 1
                else:
                    reads.leave(run)   # the next run takes its place in the turns
        self._xero_notify_progress(done)
        return done

    @api.model
    def _xero_notify_progress(self, done):
        remaining = sum(max(r.item_count - r.processed, 1) for r in self.sudo().search(
            [("state", "in", ("queued", "running")), ("attempts", "<", MAX_ATTEMPTS),
             ("connection_id.state", "=", "connected")]))
        compat.job_progress(self.env, done=done, remaining=remaining)

    def _xero_import_pass_step(self, reads=None):
        """One page under a row lock; True when this run has more to do now.
        ``reads`` (ImportReads): the pass's reads, started ahead."""
        self.ensure_one()
        self.env.cr.execute("SELECT id FROM xero_import_run WHERE id = %s "
                            "FOR NO KEY UPDATE SKIP LOCKED", [self.id])
        if not self.env.cr.fetchone():
            return False   # another worker is on it
        try:
            with self.env.cr.savepoint():
                more = self._xero_import_step(reads)
        except Exception as exc:  # noqa: BLE001 - recorded on the run, retried next pass
            # Xero busy or unreachable, the connection needs reconnecting, or a bug:
            # what this page did is undone, the run resumes at this page next pass,
            # and the scheduled action itself keeps running for the other runs.
            # The organisation's day spent (or kept for people) is no failure.
            waits = isinstance(exc, XeroRateLimited) and exc.problem in ("day", "reserve")
            attempts = self.attempts + (0 if waits else 1)
            known = isinstance(exc, (UserError, XeroError))
            message = (str(exc) if isinstance(exc, XeroError) else str(exc.args[0])) if known \
                else repr(exc)
            self.write({"attempts": attempts, "last_error": message[:500],
                        "state": "failed" if attempts >= MAX_ATTEMPTS else "running"})
            log = _logger.warning if known else _logger.exception
            log("Xero import %s stopped at page %s (attempt %s): %s",
                self.id, self.next_page, attempts, message)
            batch_commit.commit(self.env.cr)
            return False
        batch_commit.commit(self.env.cr)
        # Free the page's records: memory stays flat however many pages there are.
        self.env.invalidate_all()
        return more

    # -- buttons ---------------------------------------------------------------------------
    def action_xero_resume(self):
        """Try a failed run again from where it stopped (a Xero manager of its company)."""
        self.env["xero.connection"]._xero_check_manager()
        self.check_access("read")   # the company rule: only runs of the user's companies
        self.sudo().filtered(lambda r: r.state == "failed").write({"state": "running",
                                                                    "attempts": 0})
        self.env.ref("crm_xero.ir_cron_xero_import").sudo()._trigger()
        return True


PREVIEW_NAMES = 200   # accounts named per action in the preview


class XeroConnection(models.Model):
    """Import Xero Data, from Settings: the entry points on the connection."""

    _inherit = "xero.connection"

    def action_import(self):
        """Settings > Import Xero Data: the wizard (preview first, then Import)."""
        self.ensure_one()
        self._xero_check_manager()
        self._xero_check_usable()
        return new_dialog(_("Import Xero Data"), "xero.import.wizard", {
            "default_connection_id": self.id,
            "default_archived_mode": self.xero_import_archived_mode or "skip"})

    def _xero_import_preview(self, archived_mode="skip", full=False, page_size=PAGE_SIZE):
        """Dry run: what an import would do, read the same way, nothing
        written.  Returns (counts by action, {action: [(Xero name, Odoo
        account or reason)]}) naming up to PREVIEW_NAMES accounts per action,
        and None, or, when the request's deadline came first (a large
        organisation, a slow Xero), how far it read: {"pages", "page_count",
        "contacts"}; the counts are then those of the pages read."""
        self.ensure_one()
        self._xero_check_usable()
        Run = self.env["xero.import.run"].sudo()
        retry, _carried = Run._xero_retry_ids(self, archived_mode, full)
        run = Run.new({
            "connection_id": self.id, "archived_mode": archived_mode, "page_size": page_size,
            "modified_since": False if full else self.xero_import_watermark,
            "retry_contact_ids": retry, "retry_count": len(retry),
        })
        counts, named, claimed, more = Counter(), {}, set(), True
        steps = read = 0
        partial = None
        with ImportReads(run) as reads:
            while more:   # the same reads as the import: contacts to read again, then pages
                try:
                    contacts, values, more = run._xero_read_step(reads)
                except (XeroTimedOut, XeroRateLimited):   # the deadline, or a long wait
                    if not steps:
                        raise   # nothing to show: "Xero is not answering"
                    partial = {"pages": run.next_page - 1 if run.next_page else 0,
                               "page_count": run.page_count or 0, "contacts": read}
                    break
                steps += 1
                read += len(contacts)
                run.update({k: v for k, v in values.items()
                            if k in ("retry_contact_ids", "next_page", "page_count")})
                for action, contact, entry, reason in run._xero_plan(contacts, claimed):
                    counts[action] += 1
                    names = named.setdefault(action, [])
                    if len(names) < PREVIEW_NAMES:
                        names.append((contact.get("Name") or "",
                                      reason if action == "skip" else (entry or {}).get("label")))
        return counts, named, partial

    @xero_job
    @api.model
    def _xero_cron_sync_contacts(self):
        """Scheduled: for each connected company that imported once, queue a
        sync of the contacts changed since the last successful run: hourly,
        or daily while Xero's webhooks bring the changes."""
        queued = self.env["xero.import.run"]
        for connection in self.sudo().search([("state", "=", "connected"),
                                              ("xero_import_watermark", "!=", False)]):
            state = connection._xero_sync_state()
            if not connection._xero_poll_due(state._xero_read().get("contacts_polled_at")):
                continue
            queued |= self.env["xero.import.run"]._xero_queue(
                connection, kind="sync",
                archived_mode=connection.xero_import_archived_mode or "skip")
            state._xero_state_write(contacts_polled_at=fields.Datetime.now())
        return queued
