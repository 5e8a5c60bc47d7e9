"""Xero's webhook events, received (controllers/webhook.py) and handled in the
background: what changed is read again from Xero, in batches (100 ids a
call), and applied as the scheduled jobs would: opportunities' invoices,
accounts (by the sync's rules), their invoice lists and figures (summed from
the lists, no further call).  Replays and duplicates are stored once; events
of organisations no company is linked to are dropped.

Webhooks first, polling as the net: an opportunity's invoice is read at once;
the other events of an organisation are read together, at most every
WEBHOOK_BATCH, so a busy organisation's stream of events costs a few calls
an hour.  While events arrive, the hourly reads of what changed drop to a
daily safety net (models/xero_changes.py); when they stop arriving (Xero
gives up on a failing webhook after 24 hours), hourly polling resumes.
"""
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import compat
from ..xero import limits
from ..xero import where as xero_where
from ..xero.errors import XeroError, XeroRateLimited
from . import batch_commit
from .xero_deadline import xero_job

_logger = logging.getLogger(__name__)

EVENTS_PER_PASS = 2000
MAX_ATTEMPTS = 5
KEEP_DONE = timedelta(days=30)
# An organisation's events other than its opportunities' invoices are read
# together, at most this often.
WEBHOOK_BATCH = timedelta(minutes=30)


class XeroWebhookEvent(models.Model):
    _name = "xero.webhook.event"
    _description = "Xero webhook event"
    _order = "id"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade",
                                    index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    tenant_id = fields.Char(required=True)
    category = fields.Selection([("CONTACT", "Contact"), ("INVOICE", "Invoice"),
                                 ("CREDITNOTE", "Credit note")], required=True)
    event_type = fields.Char()
    resource_id = fields.Char(required=True)
    event_date = fields.Datetime()
    received_at = fields.Datetime(default=fields.Datetime.now, required=True)
    state = fields.Selection([("new", "New"), ("done", "Done"), ("failed", "Failed")],
                             default="new", required=True, index=True)
    attempts = fields.Integer()
    error = fields.Char()

    _event_unique = compat.Constraint(
        "unique(connection_id, category, resource_id, event_type, event_date)",
        "Xero sent this event already.")

    # -- receiving (within Xero's 5 seconds) -----------------------------------------
    @api.model
    def _xero_receive(self, events):
        """Store ``events`` (dicts from xero/webhooks.py) and wake the job.
        Returns how many were new."""
        tenants = {e["tenant_id"] for e in events}
        connections = {c.tenant_id.lower(): c for c in self.env["xero.connection"].sudo().search(
            [("tenant_id", "in", list(tenants)), ("state", "=", "connected")])} if tenants else {}
        stored, now = 0, fields.Datetime.now()
        for event in events:
            connection = connections.get(event["tenant_id"])
            if not connection:
                continue   # an organisation no company here is linked to
            # ON CONFLICT: replays and Xero's retries are one event.
            self.env.cr.execute("""
                INSERT INTO xero_webhook_event (connection_id, company_id, tenant_id, category,
                       event_type, resource_id, event_date, received_at, state, attempts,
                       create_uid, write_uid, create_date, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'new', 0,
                        %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
                ON CONFLICT (connection_id, category, resource_id, event_type, event_date)
                DO NOTHING
            """, [connection.id, connection.company_id.id, event["tenant_id"], event["category"],
                  event["event_type"], event["resource_id"], event["event_date"], now,
                  self.env.uid, self.env.uid])
            stored += self.env.cr.rowcount
        if stored:
            self.env.ref("crm_xero.ir_cron_xero_webhooks").sudo()._trigger()
        return stored

    @api.model
    def _xero_last_received(self, connection):
        self.env.cr.execute("SELECT max(received_at) FROM xero_webhook_event "
                            "WHERE connection_id = %s", [connection.id])
        return self.env.cr.fetchone()[0]

    # -- handling (the scheduled action, woken by each delivery) -------------------------
    @xero_job
    @api.model
    def _xero_cron_handle(self):
        # Events of a company whose connection cannot be used now (reconnect
        # needed, removed) wait for it, without holding up the others.
        events = self.sudo().search([("state", "=", "new"),
                                     ("connection_id.state", "=", "connected")],
                                    limit=EVENTS_PER_PASS)
        cron = self.env.ref("crm_xero.ir_cron_xero_webhooks").sudo()
        for connection, group in events.grouped("connection_id").items():
            state = connection._xero_sync_state()
            handled_at = state._xero_read().get("webhooks_handled_at")
            now = fields.Datetime.now()
            batch_due = not handled_at or now - handled_at >= WEBHOOK_BATCH
            todo = group if batch_due else group._xero_opportunity_events(connection)
            if group - todo:   # the rest waits for the organisation's next batch
                cron._trigger(handled_at + WEBHOOK_BATCH)
            if not todo:
                continue
            try:
                todo._xero_handle(connection)
                todo.write({"state": "done", "error": False})
                if batch_due:
                    state._xero_state_write(webhooks_handled_at=now)
                batch_commit.commit(self.env.cr)
            except XeroRateLimited as exc:
                # Xero's limits, not these events: they wait, no attempt spent.
                batch_commit.rollback(self.env.cr)
                _logger.info("Xero webhook events of company %s wait: %s",
                             connection.company_id.id, exc)
            except (XeroError, UserError) as exc:   # UserError: it stopped being usable
                batch_commit.rollback(self.env.cr)
                todo = todo.exists()
                todo.write({"attempts": todo[:1].attempts + 1, "error": str(exc)[:250]})
                todo.filtered(lambda e: e.attempts >= MAX_ATTEMPTS).write({"state": "failed"})
                batch_commit.commit(self.env.cr)
                _logger.warning("Xero webhook events of company %s left for the next run: %s",
                                connection.company_id.id, exc)
        if len(events) == EVENTS_PER_PASS:
            cron._trigger()
        self.sudo().search([("state", "=", "done"),
                            ("received_at", "<", fields.Datetime.now() - KEEP_DONE)]).unlink()

    def _xero_opportunity_events(self, connection):
        """Those of these events that are about an opportunity's invoice."""
        invoices = self.filtered(lambda e: e.category == "INVOICE")
        if not invoices:
            return invoices
        ids = {form for e in invoices for form in (e.resource_id, e.resource_id.lower())}
        known = {i.lower() for i in self.env["xero.invoice.link"].sudo().search(
            [("connection_id", "=", connection.id), ("invoice_id", "in", list(ids))]
        ).mapped("invoice_id")}
        return invoices.filtered(lambda e: e.resource_id.lower() in known)

    def _xero_handle(self, connection):
        """Read again what these events say changed and apply it: invoices
        (opportunities' and accounts' lists), credit notes, contacts; the
        figures of the accounts whose lists changed are summed again."""
        ids = {category: sorted(set(self.filtered(lambda e: e.category == category)
                                    .mapped("resource_id")))
               for category in ("CONTACT", "INVOICE", "CREDITNOTE")}
        touched = self._xero_handle_invoices(connection, ids["INVOICE"])
        touched |= self._xero_handle_credit_notes(connection, ids["CREDITNOTE"])
        self._xero_handle_contacts(connection, ids["CONTACT"])
        connection._xero_sum_figures(touched)
        # An account these events are about whose figures were never read:
        # all of them, now (100 a call), rather than a sum of what came.
        Link = self.env["xero.contact.link"].sudo()
        contacts = {form for cid in ids["CONTACT"] for form in (cid, cid.lower())}
        unread = (Link.browse(touched) | Link.search([("connection_id", "=", connection.id),
                                                      ("contact_id", "in", list(contacts))])
                  ).filtered(lambda link: link.contact_id and not link.stats_refreshed_at)
        unread._xero_refresh_figures(priority="background")

    def _xero_handle_invoices(self, connection, invoice_ids):
        """Invoices as Xero holds them now; returns the links whose lists changed."""
        touched = set()
        for start in range(0, len(invoice_ids), limits.IDS_PER_CALL):
            batch = invoice_ids[start:start + limits.IDS_PER_CALL]
            invoices = connection._xero_call(lambda gw, b=batch: gw.get_invoices(
                ids=b, page=1, page_size=limits.IDS_PER_CALL, summary_only=True),
                "background")["Invoices"]
            touched |= connection._xero_apply_documents(invoices, "invoice")
        return touched

    def _xero_handle_credit_notes(self, connection, note_ids):
        touched = set()
        for start in range(0, len(note_ids), limits.IDS_PER_CALL):
            where = xero_where.any_of(*[xero_where.guid_eq("CreditNoteID", note_id) for note_id in
                                        note_ids[start:start + limits.IDS_PER_CALL]])
            notes = connection._xero_call(lambda gw, w=where: gw.get_credit_notes(
                where=w, page=1), "background")["CreditNotes"]
            touched |= connection._xero_apply_documents(notes, "credit_note")
        return touched

    def _xero_handle_contacts(self, connection, contact_ids):
        """Contacts as Xero holds them now, applied by the scheduled sync's
        rules once the company imported; else only to accounts linked
        already."""
        Run = self.env["xero.import.run"].sudo()
        for start in range(0, len(contact_ids), limits.IDS_PER_CALL):
            contacts = connection._xero_call(lambda gw: gw.get_contacts(
                ids=contact_ids[start:start + limits.IDS_PER_CALL], include_archived=True),
                "background")["Contacts"]
            if connection.xero_import_watermark:
                run = Run.new({"connection_id": connection.id, "kind": "sync",
                               "archived_mode": connection.xero_import_archived_mode or "skip"})
                run._xero_apply(contacts)
                continue
            links = {l.contact_id.lower(): l for l in self.env["xero.contact.link"].sudo().search(
                [("connection_id", "=", connection.id),
                 ("contact_id", "in", [c["ContactID"] for c in contacts])])}
            for contact in contacts:
                link = links.get(contact["ContactID"].lower())
                if link and link._xero_try_lock():
                    link.write({**link._xero_link_values(contact), "synced_values": contact,
                                "synced_at": fields.Datetime.now()})
