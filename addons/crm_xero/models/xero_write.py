"""The one write path to Xero: every contact and invoice write goes here.

A write is an intent first: what, for which link, with which Idempotency-Key,
committed in a transaction of its own *before* the call.  Then:

* the call is made with that key; a retry of the same intent (a second click,
  Odoo retrying a request after a serialization failure, a dropped
  connection, a restarted worker, the recovery job) sends the same key, and
  Xero replays what it already did instead of doing it twice;
* Xero's answer is stored on the intent and applied to the link in a new
  transaction, committed at once: nothing that fails later in the user's
  request (a chatter note, a constraint, a serialization failure) can roll
  the link back; notes are logged so that a user without an email address
  can always write them;
* if applying fails anyway, the stored answer is applied by the next click
  on that record or by the recovery job: no Xero record stays unknown.

Writes for one link are serialised by a PostgreSQL advisory lock on the link
(workers on any number of servers share it): the second of two identical
clicks waits for the first, then sees its result.  Checks that can refuse run
in the buttons before this is called.
"""
import logging
import time
import uuid
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import compat
from ..xero import deadline as xero_deadline
from ..xero import errors, limits
from .xero_deadline import xero_job

_logger = logging.getLogger(__name__)

OPERATIONS = [
    ("contact_create", "Create contact"), ("contact_update", "Update contact"),
    ("contact_history", "Note in contact history"),
    ("invoice_create", "Create invoice"), ("invoice_update", "Update invoice"),
    ("invoice_delete", "Delete invoice"),
    ("quote_create", "Create quote"), ("quote_update", "Update quote"),
    ("quote_delete", "Delete quote"),
]
# How each intent is sent: gateway method, given (gateway, write).
SENDERS = {
    "contact_create": lambda gw, w: gw.create_contacts(
        [w.payload], idempotency_key=w.idempotency_key)[0],
    "contact_update": lambda gw, w: gw.update_contact(
        w.target_id, w.payload, idempotency_key=w.idempotency_key),
    "contact_history": lambda gw, w: gw.add_contact_history(
        w.target_id, w.payload["Details"], idempotency_key=w.idempotency_key),
    "invoice_create": lambda gw, w: gw.create_invoice(
        w.payload, idempotency_key=w.idempotency_key),
    "invoice_update": lambda gw, w: gw.update_invoice(
        w.target_id, w.payload, idempotency_key=w.idempotency_key),
    "invoice_delete": lambda gw, w: gw.delete_invoice(
        w.target_id, idempotency_key=w.idempotency_key),
    "quote_create": lambda gw, w: gw.create_quote(
        w.payload, idempotency_key=w.idempotency_key),
    "quote_update": lambda gw, w: gw.update_quote(
        w.target_id, w.payload, idempotency_key=w.idempotency_key),
    "quote_delete": lambda gw, w: gw.delete_quote(
        w.target_id, idempotency_key=w.idempotency_key),
}
# Writes that make a record: after an uncertain attempt, looked for before a resend.
CREATES = ("contact_create", "invoice_create", "quote_create")
# Xero's answer is final: nothing was written, nothing to adopt.
REFUSALS = (errors.XeroValidationError, errors.XeroNotFound, errors.XeroConfigError,
            errors.XeroForbidden)
# Odoo retries a request that fails with one of these (odoo.service.model.retrying).
CONCURRENCY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable,
                      psycopg2.errors.DeadlockDetected)
# How long a click waits for another one working on the same link.
LOCK_WAIT = limits.READ_TIMEOUT + 5
# The recovery job leaves intents this recent to the click that made them.
SETTLE_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 10
# Writes whose outcome Odoo has not applied yet: a click settles them first.
UNSETTLED = ("pending", "answered", "failed")


class XeroWrite(models.Model):
    _name = "xero.write"
    _description = "Write to Xero"
    _order = "id desc"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade",
                                    index=True, readonly=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    link_model = fields.Char(required=True, readonly=True)
    link_id = fields.Integer(required=True, index=True, readonly=True)
    target_id = fields.Char("Xero id", readonly=True,
                            help="The Xero contact or invoice the write changes (or made).")
    xero_name = fields.Char("In Xero", readonly=True,
                              help="The Xero contact's name or the invoice's number (the sync "
                                   "journal's words for the target, creates included).")
    idempotency_key = fields.Char(required=True, readonly=True, copy=False)
    payload = fields.Json(readonly=True, help="What is sent to Xero.")
    context_values = fields.Json(readonly=True, help="What the answer is applied with.")
    state = fields.Selection([
        ("pending", "Not confirmed by Xero"),
        ("answered", "In Xero, not yet in Odoo"),
        ("done", "Done"),
        ("refused", "Refused by Xero"),
        ("failed", "Failed"),
    ], default="pending", required=True, index=True, readonly=True)
    response = fields.Json(readonly=True)
    error = fields.Text(readonly=True)
    attempts = fields.Integer("Tries", readonly=True,
                              help="How many times Odoo tried this write: each sending to Xero "
                                   "(always with the same Idempotency-Key) or applying of Xero's "
                                   "answer in Odoo.")
    user_id = fields.Many2one("res.users", readonly=True, default=lambda self: self.env.user)
    answered_at = fields.Datetime(readonly=True)

    _key_unique = compat.Constraint("unique(idempotency_key)",
                                    "An Idempotency-Key is used by one write only.")

    @staticmethod
    def _xero_label(operation, record):
        """How a Xero contact, invoice or quote is named: its name or number."""
        if not isinstance(record, dict):
            return None
        if operation.startswith("quote"):
            return record.get("QuoteNumber")
        return record.get("InvoiceNumber") if operation.startswith("invoice") \
            else record.get("Name")

    # -- the entry point ----------------------------------------------------------------
    @api.model
    def _xero_run(self, link, build, then=None):
        """Write to Xero for ``link`` (a xero.contact.link or xero.invoice.link,
        committed), exactly once.

        ``build(link)`` runs under the link's lock, in a fresh transaction,
        after every earlier write of this link is settled (the ids of those
        this call finished are in the link's context, ``xero_settled_ids``:
        an earlier click's lost answer, applied now); it returns a dict
        ``{operation, payload, target_id, context}`` or None when nothing
        needs sending any more (e.g. a concurrent click already did it).
        ``then(link, write_id)`` may add follow-up writes (a history note)
        under the same lock; they never fail the button.
        Returns ``(sent, summary)``: whether this call sent a write, and
        ``link._xero_summary()`` as committed.

        Writes are records of the integration, not of the user: the buttons
        checked the user's rights on the account or opportunity already."""
        self = self.sudo()
        with self._xero_link_lock(link):
            settled = self._xero_settle_open(link)
            with self.env["xero.connection"]._xero_fresh_env() as env:
                fresh = link.with_env(env).with_context(xero_settled_ids=settled)
                planned = build(fresh)
                if planned is not None:
                    write = self.with_env(env)._xero_new_intent(
                        fresh, planned["operation"], planned["payload"],
                        planned.get("target_id"), planned.get("context"))
            if planned is None:
                return False, self._xero_summary(link)
            # The intent is committed: from here on, whatever happens, it is
            # either done or found again by the next click or the job.
            self.browse(write.id)._xero_send()
            if then:
                try:
                    then(link, write.id)
                except Exception:  # noqa: BLE001 - a follow-up never fails the button
                    _logger.exception("Follow-up of Xero write %s failed; the recovery job "
                                      "retries it", write.id)
            return True, self._xero_summary(link)

    @api.model
    def _xero_follow_up(self, link, operation, payload, target_id, context_values=None):
        """A further write under the lock already held by ``_xero_run``
        (a history note after a create): sent now; if Xero is busy, the
        recovery job sends it later with the same key."""
        self = self.sudo()
        with self.env["xero.connection"]._xero_fresh_env() as env:
            write = self.with_env(env)._xero_new_intent(link.with_env(env), operation, payload,
                                                        target_id, context_values)
        try:
            self.browse(write.id)._xero_send()
            return True
        except errors.XeroError as exc:
            _logger.warning("Xero %s for %s %s not sent yet (%s); retried by the recovery job",
                            operation, link._name, link.id, exc.detail or exc)
            return False

    def _xero_new_intent(self, link, operation, payload, target_id=None, context_values=None):
        """The intent, in this (fresh) transaction, with its one key."""
        return self.create({
            "connection_id": link.connection_id.id, "operation": operation,
            "link_model": link._name, "link_id": link.id, "target_id": target_id,
            "idempotency_key": self._xero_new_key(operation, link),
            "payload": payload, "context_values": context_values or {},
            "user_id": self.env.uid,
            "xero_name": self._xero_label(operation, payload) or link._xero_summary().get(
                "name" if operation.startswith("contact") else "number") or False,
        })

    @staticmethod
    def _xero_new_key(operation, link):
        return "odoo-%s-%s-%s-%s" % (operation.replace("_", "-"), link._table.replace("_", "-"),
                                     link.id, uuid.uuid4().hex)

    # -- the lock ------------------------------------------------------------------------
    def _xero_link_lock(self, link, wait=None):
        """A transaction-level advisory lock on ``link``, held in a cursor of
        its own until the block ends (a lock, not a row lock: the fresh
        transactions inside may update the link's row)."""
        return _LinkLock(self.env, link, LOCK_WAIT if wait is None else wait)

    # -- settling ------------------------------------------------------------------------
    @api.model
    def _xero_settle_open(self, link):
        """Finish the link's earlier writes: apply stored answers, resend
        pending intents with their own key (Xero replays or does them).
        Writes the recovery job gave up on ("failed") are finished here too:
        Xero may hold them, and a new intent would make a second record.
        Returns the ids of the writes it found unfinished."""
        self = self.sudo()
        with self.env["xero.connection"]._xero_fresh_env() as env:
            open_ids = self.with_env(env).search([
                ("link_model", "=", link._name), ("link_id", "=", link.id),
                ("state", "in", UNSETTLED)], order="id").ids
        for write in self.browse(open_ids):
            _logger.info("Xero write %s found unfinished: settling it", write.id)
            try:
                write._xero_send(uncertain=True)
            except REFUSALS as exc:
                # Final, and recorded on the write: the new write goes on.
                _logger.warning("Unfinished Xero write %s refused by Xero: %s", write.id, exc)
        return open_ids

    def _xero_send(self, uncertain=False):
        """Send (or resend) this intent, store Xero's answer, apply it.

        ``uncertain``: an earlier attempt may have reached Xero (its answer
        lost, its worker killed).  A create is then looked for first (the
        link knows what points back to Odoo: the contact's ContactNumber, the
        invoice's Url) and adopted if Xero has it: Xero forgets
        Idempotency-Keys after a while, and a resend after that would make
        a second record."""
        self.ensure_one()
        with self.env["xero.connection"]._xero_fresh_env() as env:
            write = self.with_env(env)
            state, connection = write.state, write.connection_id
            if state == "failed":   # given up in the background; a click goes on with it
                state = "answered" if write.answered_at else "pending"
                write.state = state
            if state in ("pending", "answered"):
                write.attempts += 1   # one more try, committed before it is made
            operation, label = write.operation, write.xero_name
            if state == "pending":
                sender = SENDERS[write.operation]
                values = {"payload": write.payload, "target_id": write.target_id,
                          "idempotency_key": write.idempotency_key}
                look_first = uncertain and write.operation in CREATES
                link_key = (write.link_model, write.link_id)
        if state == "answered":
            return self._xero_apply_answer()
        if state != "pending":
            return None
        try:
            answer = look_first and self._xero_find_made(link_key, values["payload"])
            if answer:
                _logger.info("Xero write %s: Xero has what it made already; adopting it",
                             self.id)
            else:
                answer = connection.with_env(self.env)._xero_call(
                    lambda gateway: sender(gateway, _Intent(**values)))
        except REFUSALS as exc:
            self._xero_record(state="refused", error=exc.detail or str(exc))
            raise
        except errors.XeroError as exc:
            # Unknown or transient: the intent stays pending with its key.
            self._xero_record(error=exc.detail or str(exc))
            self._xero_wake_recovery()
            raise
        made = {}
        if isinstance(answer, dict):
            # What Xero made or changed, named in the journal (a create's id too).
            made = {"target_id": answer.get("InvoiceID") or answer.get("QuoteID")
                    or answer.get("ContactID") or values["target_id"],
                    "xero_name": self._xero_label(operation, answer) or label}
        self._xero_record(state="answered", response=answer, answered_at=fields.Datetime.now(),
                          **made)
        return self._xero_apply_answer()

    @api.model
    def _xero_find_made(self, link_key, payload):
        """What Xero holds of a create sent as ``payload`` for the link, or
        None (read as committed: the link may be newer than the caller's
        snapshot)."""
        with self.env["xero.connection"]._xero_fresh_env() as env:
            link = env[link_key[0]].browse(link_key[1]).exists()
            try:
                return link._xero_find_made(payload) if link else None
            except REFUSALS as exc:
                # Xero refused the search, not the write: it stays pending.
                raise errors.XeroError(exc.message, detail="looking for what it made: %s"
                                       % exc.detail, **exc.params) from exc

    def _xero_record(self, **values):
        with self.env["xero.connection"]._xero_fresh_env() as env:
            self.with_env(env).write(values)

    def _xero_apply_answer(self):
        """Apply the stored answer to the link (its own transaction).  A
        failure leaves the answer stored for the next click or the job: a
        concurrency error goes up so that Odoo retries the whole request
        (which then applies it); any other says Xero has the change."""
        self.ensure_one()
        failure = None
        with self.env["xero.connection"]._xero_fresh_env() as env:
            write = self.with_env(env)
            link = env[write.link_model].browse(write.link_id).exists()
            try:
                with env.cr.savepoint():
                    if link:
                        link._xero_apply_write(write)
                    write.write({"state": "done", "error": False})
            except Exception as exc:  # noqa: BLE001 - the answer is kept; applied again later
                _logger.warning("Applying Xero's answer to write %s failed; kept for later: %r",
                                write.id, exc)
                write.write({"error": "applying: %r" % exc})
                failure = exc
            if link and failure is None:
                try:
                    with env.cr.savepoint():
                        link._xero_note_write(write)
                except Exception:  # noqa: BLE001 - a note never undoes the link
                    _logger.warning("Chatter note for Xero write %s failed", write.id,
                                    exc_info=True)
        if failure is not None:
            self._xero_wake_recovery()
            if isinstance(failure, CONCURRENCY_ERRORS):
                raise failure
            raise errors.XeroError(errors._lt(
                "Xero has the change, and Odoo will show it within a few minutes (it could not "
                "record it right away)."), detail="apply failed: %r" % failure,
                reason="apply_pending")
        return True

    @api.model
    def _xero_summary(self, link):
        with self.env["xero.connection"]._xero_fresh_env() as env:
            return link.with_env(env)._xero_summary()

    def _xero_wake_recovery(self):
        cron = self.env.ref("crm_xero.ir_cron_xero_settle_writes", raise_if_not_found=False)
        if cron:
            with self.env["xero.connection"]._xero_fresh_env() as env:
                cron.with_env(env)._trigger(fields.Datetime.now() + SETTLE_AFTER)

    # -- the recovery job ----------------------------------------------------------------
    @xero_job
    @api.model
    def _xero_cron_settle(self):
        """Scheduled: finish writes a click left unfinished (a killed worker,
        a lost answer, an apply that failed), oldest first, each under its
        link's lock (skipped while a click holds it)."""
        before = fields.Datetime.now() - SETTLE_AFTER
        writes = self.sudo().search([("state", "in", ("pending", "answered")),
                                     ("create_date", "<", before)], order="id")
        done = 0
        for link_key in dict.fromkeys((w.link_model, w.link_id) for w in writes):
            link = self.env[link_key[0]].sudo().browse(link_key[1]).exists()
            if not link:
                continue
            try:
                with self._xero_link_lock(link, wait=0):
                    self._xero_settle_open(link)
                    done += 1
            except errors.XeroBusy:
                continue
            except CONCURRENCY_ERRORS:   # applied in its own transaction, clashed: next run
                _logger.info("Xero writes of %s %s: a concurrent update, next run", *link_key)
            except (errors.XeroError, UserError) as exc:
                _logger.info("Xero writes of %s %s still unfinished: %s", *link_key, exc)
        # In a transaction of its own: the attempts above were counted in theirs.
        # "Failed" only stops this job; the next click still finishes the write.
        with self.env["xero.connection"]._xero_fresh_env() as env:
            for write in self.with_env(env).search([("state", "in", ("pending", "answered")),
                                                    ("attempts", ">=", MAX_ATTEMPTS)]):
                write.state = "failed"
                _logger.error("Xero write %s (%s) left to the next click after %s attempts: "
                              "%s", write.id, write.operation, write.attempts, write.error)
        return done


class _Intent:
    """What a sender needs of a write, read in its transaction."""

    def __init__(self, payload, target_id, idempotency_key):
        self.payload, self.target_id, self.idempotency_key = payload, target_id, idempotency_key


class _LinkLock:
    """``pg_advisory_xact_lock`` on (link table, id) in a cursor of its own,
    waited for up to ``wait`` seconds (polling: no lock_timeout to reset)."""

    def __init__(self, env, link, wait):
        self.env, self.link, self.wait = env, link, wait
        self.cr = None

    def __enter__(self):
        # Never past the request's deadline: the click says "busy" in time.
        deadline = time.monotonic() + xero_deadline.cap(self.wait)
        self.cr = self.env.registry.cursor()
        delay = 0.05
        while True:
            self.cr.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s), %s)",
                            [self.link._table, self.link.id])
            if self.cr.fetchone()[0]:
                return self
            if time.monotonic() >= deadline:
                self.cr.close()
                raise errors.XeroBusy(detail="%s %s locked" % (self.link._name, self.link.id))
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def __exit__(self, *exc):
        # Nothing was written in this transaction: ending it releases the lock.
        # (A commit, not a rollback: under Odoo's tests, transactions of their
        # own are savepoints nested in this one, which a rollback would undo.)
        self.cr.commit()  # pylint: disable=invalid-commit  # the lock's own cursor, never the request's
        self.cr.close()
        return False
