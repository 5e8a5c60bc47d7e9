"""Xero's webhook events, received (controllers/webhook.py) and handled in the
background: what changed is read again from Xero, in batches (100 ids a
call), and applied as the scheduled jobs would: opportunities' invoices,
accounts (by the sync's rules) and their figures.  Replays and duplicates are
stored once; events of organisations no company is linked to are dropped.
The hourly and daily jobs stay as the safety net (Xero gives up on a
failing webhook after 24 hours).
"""
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import compat
from ..xero import limits
from ..xero import where as xero_where
from ..xero.errors import XeroError
from . import batch_commit
from .xero_deadline import xero_job

_logger = logging.getLogger(__name__)

EVENTS_PER_PASS = 2000
MAX_ATTEMPTS = 5
KEEP_DONE = timedelta(days=30)


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
        stored = 0
        for event in events:
            connection = connections.get(event["tenant_id"])
            if not connection:
                continue   # an organisation no company here is linked to
            # ON CONFLICT: replays and Xero's retries are one event.
            self.env.cr.execute("""
                INSERT INTO xero_webhook_event (connection_id, company_id, tenant_id, category,
                       event_type, resource_id, event_date, received_at, state, attempts,
                       create_uid, write_uid, create_date, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', 'new', 0,
                        %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
                ON CONFLICT (connection_id, category, resource_id, event_type, event_date)
                DO NOTHING
            """, [connection.id, connection.company_id.id, event["tenant_id"], event["category"],
                  event["event_type"], event["resource_id"], event["event_date"],
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
        for connection, group in events.grouped("connection_id").items():
            try:
                group._xero_handle(connection)
                group.write({"state": "done", "error": False})
                batch_commit.commit(self.env.cr)
            except (XeroError, UserError) as exc:   # UserError: it stopped being usable
                batch_commit.rollback(self.env.cr)
                group = group.exists()
                group.write({"attempts": group[:1].attempts + 1, "error": str(exc)[:250]})
                group.filtered(lambda e: e.attempts >= MAX_ATTEMPTS).write({"state": "failed"})
                batch_commit.commit(self.env.cr)
                _logger.warning("Xero webhook events of company %s left for the next run: %s",
                                connection.company_id.id, exc)
        if len(events) == EVENTS_PER_PASS:
            self.env.ref("crm_xero.ir_cron_xero_webhooks").sudo()._trigger()
        self.sudo().search([("state", "=", "done"),
                            ("received_at", "<", fields.Datetime.now() - KEEP_DONE)]).unlink()

    def _xero_handle(self, connection):
        """Read again what these events say changed, apply it, refresh the
        figures of the accounts concerned."""
        ids = {category: sorted(set(self.filtered(lambda e: e.category == category)
                                    .mapped("resource_id")))
               for category in ("CONTACT", "INVOICE", "CREDITNOTE")}
        touched = set(ids["CONTACT"])
        touched |= self._xero_handle_invoices(connection, ids["INVOICE"])
        touched |= self._xero_handle_credit_notes(connection, ids["CREDITNOTE"])
        self._xero_handle_contacts(connection, ids["CONTACT"])
        links = self.env["xero.contact.link"].sudo().search(
            [("connection_id", "=", connection.id), ("contact_id", "in", list(touched))])
        links._xero_refresh_figures(priority="background")

    def _xero_handle_invoices(self, connection, invoice_ids):
        """Opportunities' invoices as Xero holds them now; returns the
        contacts the invoices belong to."""
        contacts = set()
        Link = self.env["xero.invoice.link"].sudo()
        for start in range(0, len(invoice_ids), limits.IDS_PER_CALL):
            batch = invoice_ids[start:start + limits.IDS_PER_CALL]
            invoices = connection._xero_call(lambda gw: gw.get_invoices(
                ids=batch, page=1, page_size=limits.IDS_PER_CALL), "background")["Invoices"]
            by_id = {(i.get("InvoiceID") or "").lower(): i for i in invoices}
            contacts |= {(i.get("Contact") or {}).get("ContactID", "").lower() for i in invoices}
            for link in Link.search([("connection_id", "=", connection.id),
                                     ("invoice_id", "in", list(by_id))]):
                with self.env.cr.savepoint():
                    link._xero_apply_refresh(by_id[link.invoice_id.lower()])
        return contacts - {""}

    def _xero_handle_credit_notes(self, connection, note_ids):
        contacts = set()
        for start in range(0, len(note_ids), limits.IDS_PER_CALL):
            where = xero_where.any_of(*[xero_where.guid_eq("CreditNoteID", note_id) for note_id in
                                        note_ids[start:start + limits.IDS_PER_CALL]])
            notes = connection._xero_call(lambda gw: gw.get_credit_notes(where=where, page=1),
                                          "background")["CreditNotes"]
            contacts |= {(n.get("Contact") or {}).get("ContactID", "").lower() for n in notes}
        return contacts - {""}

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
