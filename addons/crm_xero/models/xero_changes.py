"""Reading what changed in Xero, organisation-wide, instead of re-reading
every account: the calls grow with what changed, not with the size of the
books.

One scheduled pass per organisation (``_xero_read_changes``):

1. accounts linked since the last pass (an import, the batch link, "Link to
   the existing contact") have their figures and invoice list read at once:
   100 contacts a call, or, when that would take more calls, by reading the
   organisation's whole list of sales invoices and credit notes (1,000 a
   call); so does a full reconcile (a button in Settings, and weekly);
2. then what changed since the last pass: ``GET /Invoices`` and
   ``GET /CreditNotes`` with If-Modified-Since, summaryOnly, pages of 1,000;
   each changed document updates the list row of its account (if linked)
   and the invoice of its opportunity (if any), and only the accounts
   touched are summed again.  Payments and credit allocations change the
   invoice itself, so no call to Payments is needed;
3. what a date changes, without a call: invoices past due become overdue,
   their accounts' overdue amounts follow, and the salesperson's "chase
   payment" activity is scheduled.

Step 2 runs hourly, or daily while Xero's webhooks are arriving (they bring
the changes; the pass is then a safety net).  A figure never read is never
shown: an account's figures stay "not read yet" until step 1 read them.
"""
import datetime
import logging
import math

from odoo import api, fields, models

from ..xero import limits
from ..xero.errors import XeroError, XeroRateLimited
from ..xero.responses import parse_xero_date
from . import batch_commit
from .xero_contact_link import (
    CREDIT_STATUSES,
    LISTED_STATUSES,
    SALES_CREDITS,
    SALES_INVOICES,
)
from .xero_deadline import xero_job

_logger = logging.getLogger(__name__)

# Re-read a minute before the last pass began: Odoo's and Xero's clocks differ.
WATERMARK_MARGIN = datetime.timedelta(seconds=60)
# While webhooks arrive, the pass only runs as a daily safety net.
SAFETY_NET_EVERY = datetime.timedelta(hours=23)
# Webhooks are "arriving" when one came within this long.
WEBHOOKS_QUIET = datetime.timedelta(hours=3)
ALL_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
ROW_COLUMNS = ("link_id", "company_id", "kind", "xero_id", "number", "date", "due_date",
               "status", "reference", "currency_id", "total", "amount_due", "base_total",
               "base_due", "overdue", "read_at")
INSERT_ROWS = ("INSERT INTO xero_contact_invoice (%s, create_uid, write_uid, create_date, "
               "write_date) VALUES %%s" % ", ".join(ROW_COLUMNS))
ROW_TEMPLATE = "(%s)" % ", ".join(["%s"] * (len(ROW_COLUMNS) + 2)
                                  + ["now() at time zone 'UTC'"] * 2)


def document_row(document, kind, today):
    """One line of an account's Xero list, from a Xero invoice or credit note
    (a credit note's amounts negative), its amounts also in the
    organisation's currency (``base_*``)."""
    sign = -1 if kind == "credit_note" else 1
    rate = float(document.get("CurrencyRate") or 1.0) or 1.0
    total = float(document.get("Total") or 0) * sign
    due = float(document.get("AmountDue") if kind == "invoice" else
                document.get("RemainingCredit") or 0) * sign
    due_date = parse_xero_date(document.get("DueDate"))
    return {"kind": kind, "id": document.get("InvoiceID") or document.get("CreditNoteID"),
            "number": document.get("InvoiceNumber") or document.get("CreditNoteNumber") or "",
            "date": parse_xero_date(document.get("Date")), "due_date": due_date,
            "status": document.get("Status"), "reference": document.get("Reference") or "",
            "currency": document.get("CurrencyCode"), "total": total, "due": due,
            "base_total": total / rate, "base_due": due / rate if kind == "invoice" else 0.0,
            "overdue": bool(kind == "invoice" and due_date and due_date < today and due > 0
                            and document.get("Status") == "AUTHORISED")}


def listed(document, kind):
    """Whether an account's list shows this document (sales ones only)."""
    if kind == "invoice":
        return document.get("Type") == "ACCREC" and document.get("Status") in LISTED_STATUSES
    return document.get("Type") == "ACCRECCREDIT" and document.get("Status") in CREDIT_STATUSES


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    # -- when -------------------------------------------------------------------------
    def _xero_webhooks_live(self, now=None):
        """Whether Xero's webhooks are arriving for this organisation."""
        self.ensure_one()
        last = self.env["xero.webhook.event"].sudo()._xero_last_received(self)
        return bool(last) and (now or fields.Datetime.now()) - last < WEBHOOKS_QUIET

    def _xero_poll_due(self, polled_at, now=None):
        """Whether a scheduled read of what changed is due: at every run of
        its (hourly) job, or once a day while webhooks arrive."""
        now = now or fields.Datetime.now()
        if not polled_at or not self._xero_webhooks_live(now):
            return True
        return now - polled_at >= SAFETY_NET_EVERY

    def _xero_has_bindings(self):
        """Whether any account or opportunity is linked in this organisation."""
        self.ensure_one()
        self.env.cr.execute("""SELECT EXISTS (SELECT 1 FROM xero_contact_link
                                               WHERE connection_id = %s
                                                 AND contact_id IS NOT NULL)
                                   OR EXISTS (SELECT 1 FROM xero_invoice_link
                                               WHERE connection_id = %s AND open)""",
                            [self.id, self.id])
        return self.env.cr.fetchone()[0]

    # -- one pass ----------------------------------------------------------------------
    def _xero_read_changes(self, priority="background", first_reads_only=False):
        """Step 1, 2 and 3 (see the module's docstring) for this organisation;
        ``first_reads_only``: step 1 (woken when accounts were linked).
        Returns what it did: {"first_read", "full_read", "changed", "touched"}."""
        self.ensure_one()
        state = self._xero_sync_state()
        row = state._xero_read()
        now = fields.Datetime.now()
        done = {"first_read": 0, "full_read": False, "changed": 0, "touched": 0}
        Link = self.env["xero.contact.link"].sudo()
        if (row.get("reconcile_requested_at") and not first_reads_only) \
                or not row.get("figures_watermark"):
            self._xero_read_everything(state, now, priority)
            done["full_read"] = True
            row = state._xero_read()
        else:
            unread = Link.search([("connection_id", "=", self.id), ("contact_id", "!=", False),
                                  ("stats_refreshed_at", "=", False)])
            if unread:
                if self._xero_cheaper_to_read_everything(len(unread), row):
                    self._xero_read_everything(state, now, priority)
                    done["full_read"] = True
                    row = state._xero_read()
                else:
                    for start in range(0, len(unread), limits.IDS_PER_CALL):
                        unread[start:start + limits.IDS_PER_CALL]._xero_refresh_figures(priority)
                        batch_commit.commit(self.env.cr)
                done["first_read"] = len(unread)
        done["first_read"] += self._xero_read_unread_invoices(priority)
        if first_reads_only:
            return done
        if not done["full_read"] and self._xero_poll_due(row.get("figures_polled_at"), now):
            changed, touched = self._xero_read_changed_since(row["figures_watermark"], priority)
            state._xero_state_write(figures_watermark=now - WATERMARK_MARGIN,
                                    figures_polled_at=now)
            done.update(changed=changed, touched=touched)
        self._xero_overdue_by_date()
        return done

    def _xero_read_unread_invoices(self, priority):
        """Opportunities' invoices whose lines were never read (kept by an
        upgrade from 2.1): read by id, 100 a call, once.  Returns how many."""
        unread = self.env["xero.invoice.link"].sudo().search([
            ("connection_id", "=", self.id), ("invoice_id", "!=", False),
            ("lines_read", "=", False)])
        # A batch at a time, each kept: a job stopped by its time limit or
        # Xero's day goes on where it stopped.
        for start in range(0, len(unread), limits.IDS_PER_CALL):
            _refreshed, failed = unread[start:start + limits.IDS_PER_CALL]._xero_refresh(
                priority)
            # Xero no longer has it (said on its opportunity): its subtotal
            # stands, and it is not asked for again every pass.
            for link in failed:
                link.write({"lines_amount": link.subtotal, "lines_read": True})
            batch_commit.commit(self.env.cr)
        return len(unread)

    def _xero_cheaper_to_read_everything(self, unread, row):
        """Reading these accounts by contact (2 calls per 100) would take more
        calls than reading the organisation's whole lists (1,000 a call)."""
        counts = row.get("figures_item_counts") or {}
        if not counts:
            return False
        whole = math.ceil((counts.get("invoices") or 1) / limits.PAGE_SIZE) + \
            math.ceil((counts.get("credit_notes") or 1) / limits.PAGE_SIZE)
        return 2 * math.ceil(unread / limits.IDS_PER_CALL) > whole

    def _xero_read_changed_since(self, since, priority):
        """Step 2: the documents changed since ``since`` applied; returns
        (documents read, accounts touched)."""
        read = touched = 0
        for kind, method, key, where in (
                ("invoice", "get_invoices", "Invoices", SALES_INVOICES),
                ("credit_note", "get_credit_notes", "CreditNotes", SALES_CREDITS)):
            extra = {"statuses": list(ALL_STATUSES), "summary_only": True} \
                if kind == "invoice" else {}
            for _page, documents, _p in self._xero_pages(
                    method, key, priority=priority, where=where, modified_since=since,
                    order="UpdatedDateUTC ASC", **extra):
                links = self._xero_apply_documents(documents, kind)
                touched += self._xero_sum_figures(links)
                read += len(documents)
                batch_commit.commit(self.env.cr)
        return read, touched

    def _xero_read_everything(self, state, now, priority):
        """Every sales invoice and credit note of the organisation, 1,000 a
        call: each account's list rebuilt, rows Xero no longer has gone, and
        every linked account's figures summed (read, even when zero)."""
        counts = {}
        for kind, method, key, where in (
                ("invoice", "get_invoices", "Invoices", SALES_INVOICES),
                ("credit_note", "get_credit_notes", "CreditNotes", SALES_CREDITS)):
            extra = {"statuses": list(LISTED_STATUSES), "summary_only": True} \
                if kind == "invoice" else {}
            for _page, documents, pagination in self._xero_pages(
                    method, key, priority=priority, where=where, order="UpdatedDateUTC ASC",
                    **extra):
                self._xero_apply_documents(documents, kind, read_at=now)
                counts[key] = (pagination or {}).get("itemCount") or \
                    counts.get(key, 0) + len(documents)
                batch_commit.commit(self.env.cr)
        cr = self.env.cr
        cr.execute("""DELETE FROM xero_contact_invoice r USING xero_contact_link l
                       WHERE r.link_id = l.id AND l.connection_id = %s
                         AND (r.read_at IS NULL OR r.read_at < %s)""", [self.id, now])
        cr.execute("SELECT id FROM xero_contact_link WHERE connection_id = %s "
                   "AND contact_id IS NOT NULL", [self.id])
        self._xero_sum_figures([r[0] for r in cr.fetchall()], include_unread=True)
        batch_commit.commit(cr)
        state._xero_state_write(
            figures_watermark=now - WATERMARK_MARGIN, figures_polled_at=now,
            figures_item_counts={"invoices": counts.get("Invoices", 0),
                                 "credit_notes": counts.get("CreditNotes", 0)},
            reconcile_requested_at=None, reconciled_at=now)

    # -- applying what was read ------------------------------------------------------
    def _xero_apply_documents(self, documents, kind, read_at=None, replace_links=None):
        """Documents (one kind) as Xero holds them now: the list rows of
        linked accounts replaced, and, for invoices, opportunities'
        invoices refreshed.  ``replace_links``: link ids whose every row is
        replaced by these documents (a read by contact).  Returns the link
        ids whose rows changed."""
        cr, today = self.env.cr, fields.Date.today()
        read_at = read_at or fields.Datetime.now()
        ids = [d.get("InvoiceID") or d.get("CreditNoteID") for d in documents]
        ids = [i for i in ids if i]
        forms = list({form for i in ids for form in (i, i.lower())})
        contact_ids = {((d.get("Contact") or {}).get("ContactID") or "") for d in documents}
        contact_forms = list({form for c in contact_ids if c for form in (c, c.lower())})
        self.env["xero.contact.link"].flush_model()
        self.env["xero.contact.invoice"].flush_model()
        cr.execute("""SELECT lower(contact_id), id FROM xero_contact_link
                       WHERE connection_id = %s AND contact_id = ANY(%s)""",
                   [self.id, contact_forms])
        links = dict(cr.fetchall())
        touched = set()
        if replace_links:
            cr.execute("DELETE FROM xero_contact_invoice WHERE link_id = ANY(%s) AND kind = %s "
                       "RETURNING link_id", [list(replace_links), kind])
            touched |= {r[0] for r in cr.fetchall()}
        if forms:
            cr.execute("""DELETE FROM xero_contact_invoice
                           WHERE company_id = %s AND kind = %s AND xero_id = ANY(%s)
                       RETURNING link_id""", [self.company_id.id, kind, forms])
            touched |= {r[0] for r in cr.fetchall()}
        rows = []
        for document in documents:
            link_id = links.get(((document.get("Contact") or {}).get("ContactID") or "").lower())
            if not link_id or not listed(document, kind):
                continue
            row = document_row(document, kind, today)
            touched.add(link_id)
            rows.append((link_id, self.company_id.id, kind, row["id"], row["number"],
                         row["date"], row["due_date"], row["status"], row["reference"],
                         self._xero_currency(row["currency"]).id or None, row["total"],
                         row["due"], row["base_total"], row["base_due"], row["overdue"],
                         read_at, self.env.uid, self.env.uid))
        if rows:
            cr.execute_values(INSERT_ROWS, rows, template=ROW_TEMPLATE, page_size=1000)
        self.env["xero.contact.invoice"].invalidate_model()
        if kind == "invoice":
            self._xero_refresh_opportunities(documents)
        return touched

    def _xero_refresh_opportunities(self, invoices):
        """Opportunities whose invoice is among these: as Xero holds it now."""
        by_id = {(i.get("InvoiceID") or "").lower(): i for i in invoices}
        found = self.env["xero.invoice.link"].sudo().search([
            ("connection_id", "=", self.id),
            ("invoice_id", "in", list({form for i in by_id for form in (i, i.upper())}))])
        for link in found:
            invoice = by_id.get(link.invoice_id.lower())
            if not invoice:
                continue
            try:
                with self.env.cr.savepoint():
                    link._xero_apply_refresh(invoice)
            except Exception as exc:  # noqa: BLE001 - one record, logged on it and skipped
                _logger.warning("Could not refresh the Xero invoice of lead %s: %s",
                                link.lead_id.id, exc)

    def _xero_sum_figures(self, link_ids, include_unread=False):
        """The figures of these accounts, summed from their list rows (no
        call).  An account whose figures were never read stays unread
        (``include_unread``: they were, all of them, just now).  Returns
        how many were summed."""
        link_ids = list(link_ids)
        if not link_ids:
            return 0
        cr = self.env.cr
        self.env["xero.contact.link"].flush_model()
        cr.execute("""
            UPDATE xero_contact_link l
               SET total_sales = s.sales, outstanding_amount = s.outstanding,
                   overdue_amount = s.overdue, last_invoice_date = s.last_date,
                   currency_id = %(currency)s, stats_refreshed_at = %(now)s,
                   write_date = %(now)s
              FROM (SELECT l2.id,
                           coalesce(sum(r.base_total) FILTER (
                               WHERE r.status IN ('AUTHORISED', 'PAID')), 0) AS sales,
                           coalesce(sum(coalesce(r.base_due, 0)) FILTER (
                               WHERE r.kind = 'invoice' AND r.status = 'AUTHORISED'), 0)
                               AS outstanding,
                           coalesce(sum(coalesce(r.base_due, 0)) FILTER (
                               WHERE r.kind = 'invoice' AND r.status = 'AUTHORISED'
                                 AND r.overdue), 0) AS overdue,
                           max(r.date) FILTER (WHERE r.kind = 'invoice'
                                                 AND r.status IN ('AUTHORISED', 'PAID'))
                               AS last_date
                      FROM xero_contact_link l2
                      LEFT JOIN xero_contact_invoice r ON r.link_id = l2.id
                     WHERE l2.id = ANY(%(ids)s)
                       AND (%(all)s OR l2.stats_refreshed_at IS NOT NULL)
                     GROUP BY l2.id) s
             WHERE l.id = s.id""", {"currency": self._xero_currency().id or None,
                                    "now": fields.Datetime.now(), "ids": link_ids,
                                    "all": include_unread})
        summed = cr.rowcount
        self.env["xero.contact.link"].invalidate_model()
        return summed

    def _xero_overdue_by_date(self):
        """Step 3: what today's date changes (no call): invoices now past due
        become overdue, their accounts' overdue amounts follow, and open
        opportunity invoices get their "chase payment" activity."""
        cr, today = self.env.cr, fields.Date.today()
        self.env["xero.contact.invoice"].flush_model()
        cr.execute("""
            UPDATE xero_contact_invoice r SET overdue = NOT r.overdue
              FROM xero_contact_link l
             WHERE r.link_id = l.id AND l.connection_id = %(id)s
               AND r.overdue IS DISTINCT FROM (r.kind = 'invoice' AND r.status = 'AUTHORISED'
                                              AND r.amount_due > 0 AND r.due_date < %(today)s)
         RETURNING r.link_id""", {"id": self.id, "today": today})
        links = {row[0] for row in cr.fetchall()}
        self.env["xero.contact.invoice"].invalidate_model()
        self._xero_sum_figures(links)
        self.env["xero.invoice.link"].sudo()._xero_chase_overdue(self)
        batch_commit.commit(cr)

    # -- the scheduled actions and the button -------------------------------------------
    @api.model
    def _xero_read_changes_everywhere(self, priority="background", first_reads_only=False):
        """Every connected organisation's pass; one that fails waits for the
        next run, one stopped by its day of calls too, and the job stops
        when its own time is up."""
        for connection in self.sudo().search([("state", "=", "connected")]):
            if not connection._xero_has_bindings():
                continue   # nothing of this organisation in Odoo: nothing to read
            try:
                connection._xero_read_changes(priority, first_reads_only)
                batch_commit.commit(self.env.cr)
            except XeroRateLimited as exc:
                batch_commit.rollback(self.env.cr)
                _logger.info("Xero changes of company %s wait: %s", connection.company_id.id,
                             exc)
            except XeroError as exc:
                batch_commit.rollback(self.env.cr)
                if exc.reason == "deadline":
                    _logger.info("Xero changes: the job's time is up; the rest waits")
                    return
                _logger.warning("Xero changes of company %s left for the next run: %s",
                                connection.company_id.id, exc)

    def action_xero_reconcile(self):
        """Settings: read everything again from Xero (links and figures), in
        the background, paced like any scheduled work."""
        self._xero_check_manager()
        for connection in self:
            connection._xero_check_usable()
            connection._xero_sync_state()._xero_state_write(
                reconcile_requested_at=fields.Datetime.now())
        self.env.ref("crm_xero.ir_cron_xero_reconcile").sudo()._trigger()
        return True

    @xero_job
    @api.model
    def _xero_cron_reconcile(self):
        """Weekly, and on request: every unlinked account matched against all
        of Xero's contacts, then every account's figures read again."""
        Link = self.env["xero.contact.link"].sudo()
        for connection in self.sudo().search([("state", "=", "connected")]):
            state = connection._xero_sync_state()
            if not state._xero_read().get("reconcile_requested_at"):
                state._xero_state_write(reconcile_requested_at=fields.Datetime.now())
            try:
                Link._xero_link_accounts(connection, full=True)
            except XeroError as exc:
                batch_commit.rollback(self.env.cr)
                _logger.info("Xero reconcile of company %s waits: %s",
                             connection.company_id.id, exc)
                continue
        self._xero_read_changes_everywhere()


class XeroImportRun(models.Model):
    _inherit = "xero.import.run"

    def _xero_import_finish(self):
        """The accounts an import linked have their figures read at once."""
        result = super()._xero_import_finish()
        if self.created or self.linked:
            self.env["xero.contact.link"]._xero_wake_figures()
        return result
