"""The binding between a company account and a Xero contact, per connection,
and the batch jobs on it: link every account after connecting, and keep the
accounts' Xero figures and invoice lists fresh (many contacts per call).

A partner shared by two companies is linked in two organisations, and one
organisation's ids never leak into another's.
"""
import logging
from collections import defaultdict
from datetime import date, timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .. import compat
from ..xero import limits
from ..xero import where as xero_where
from ..xero.errors import XeroError, XeroTimedOut
from ..xero.matching import ContactIndex
from ..xero.responses import parse_xero_date
from . import batch_commit
from .xero_deadline import xero_job

_logger = logging.getLogger(__name__)

RECHECK_AFTER = timedelta(days=1)   # accounts not found in Xero are looked up again daily
LINK_BATCH = 200                    # accounts linked per committed transaction
SALES_STATUSES = ("AUTHORISED", "PAID")
LISTED_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")
CHECK_STATES = [("pending", "Not checked yet"), ("linked", "Linked"),
                ("not_found", "Not in Xero")]
#: Xero's ContactStatus values, worded for people.
CONTACT_STATUSES = [("ACTIVE", "Active"), ("ARCHIVED", "Archived"),
                    ("GDPRREQUEST", "GDPR request")]


class XeroContactLink(models.Model):
    _name = "xero.contact.link"
    _inherit = ["xero.link"]
    _description = "Xero contact of an account"
    _rec_name = "partner_id"
    _xero_owner_field = "partner_id"
    _xero_new_row = {"check_state": "pending"}

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    contact_id = fields.Char("Xero contact id", index=True, copy=False,
                             help="Xero's ContactID; empty while the account is not in Xero.")
    account_number = fields.Char("Ledger code", copy=False,
                                 help="Xero's AccountNumber: the customer / ledger code.")
    contact_number = fields.Char("Xero contact code", copy=False,
                                 help="Xero's ContactNumber: a stable Odoo key for this account.")
    contact_status = fields.Selection(CONTACT_STATUSES, copy=False)
    main_person_id = fields.Many2one("res.partner", ondelete="set null", copy=False,
                                     help="The person chosen as the Xero contact's primary "
                                          "person at export.")
    check_state = fields.Selection(CHECK_STATES, default="pending", required=True, index=True)
    checked_at = fields.Datetime(copy=False)
    # Figures read from Xero, in the organisation's base currency.
    currency_id = fields.Many2one("res.currency", copy=False)
    last_invoice_date = fields.Date(copy=False)
    total_sales = fields.Monetary(currency_field="currency_id", copy=False)
    overdue_amount = fields.Monetary(currency_field="currency_id", copy=False)
    outstanding_amount = fields.Monetary(currency_field="currency_id", copy=False)
    stats_refreshed_at = fields.Datetime(copy=False)
    invoice_ids = fields.One2many("xero.contact.invoice", "link_id", readonly=True)
    # The contact as Xero last held it, and the account as Odoo held it, at
    # the last sync: Update pushes only what Odoo changed since.
    synced_values = fields.Json(copy=False)
    odoo_values = fields.Json(copy=False)
    synced_at = fields.Datetime(copy=False)

    _partner_unique = compat.Constraint("unique(connection_id, partner_id)",
                                        "An account links to one Xero contact per organisation.")
    _contact_unique = compat.Constraint("unique(connection_id, contact_id)",
                                        "A Xero contact links to one account only.")

    # -- finding and making links ----------------------------------------------------
    def _xero_try_lock(self):
        """In this transaction, take the link's write lock unless a click holds
        it (the same lock as the write path's)."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s), %s)",
                            [self._table, self.id])
        return self.env.cr.fetchone()[0]

    @api.model
    def _xero_link_values(self, contact):
        """Link values taken from a Xero contact dict."""
        return {
            "contact_id": contact["ContactID"],
            "account_number": contact.get("AccountNumber") or False,
            "contact_number": contact.get("ContactNumber") or False,
            "contact_status": contact.get("ContactStatus") or False,
            "check_state": "linked",
            "checked_at": fields.Datetime.now(),
        }

    def _xero_contact_taken(self, contact_id):
        """Whether another account of this organisation links to ``contact_id``."""
        self.ensure_one()
        return bool(self.search_count([("connection_id", "=", self.connection_id.id),
                                       ("contact_id", "=", contact_id), ("id", "!=", self.id)]))

    def _xero_code_in_xero(self):
        """Whether Xero's contact carries this link's ledger code."""
        self.ensure_one()
        return bool(self.account_number) and \
            self.account_number == (self.synced_values or {}).get("AccountNumber")

    def _xero_link_to(self, contact):
        """Link to ``contact`` as Xero holds it; the account as it is now
        becomes the baseline of the next Update to Xero."""
        self.ensure_one()
        self.write({**self._xero_link_values(contact), "synced_values": contact,
                    "synced_at": fields.Datetime.now()})
        # Taken once the link holds Xero's ledger code: it is part of the baseline.
        self.odoo_values = self.partner_id._xero_baseline(self.connection_id, contact)

    def _xero_find_made(self, payload):
        """The contact a create sent as ``payload`` made, if Xero has it:
        found by its ContactNumber (this account's key, given to no other
        contact), archived ones included, and linked to no other account."""
        self.ensure_one()
        number = payload.get("ContactNumber")
        if not number:
            return None
        found = self.connection_id._xero_call(lambda gw: gw.get_contacts(
            where=xero_where.eq("ContactNumber", number), include_archived=True,
            page=1))["Contacts"]
        return self._xero_own_contact(found, number)

    def _xero_own_contact(self, contacts, number):
        """Of Xero's ``contacts``, the one this account's key ``number``
        (ContactNumber) marks as its own, unless another account links to it."""
        return next((c for c in contacts if c.get("ContactNumber") == number
                     and not self._xero_contact_taken(c["ContactID"])), None)

    # -- the write path's answers (see xero_write.py) -------------------------------
    def _xero_apply_write(self, write):
        if write.operation not in ("contact_create", "contact_update"):
            return
        contact = write.response
        values = {**self._xero_link_values(contact), "synced_values": contact,
                  "odoo_values": write.context_values.get("snapshot"),
                  "synced_at": fields.Datetime.now()}
        if write.context_values.get("main_person_id"):
            values["main_person_id"] = write.context_values["main_person_id"]
        if write.operation == "contact_create":
            # A brand-new contact has no invoices: no call needed for its figures.
            values.update(last_invoice_date=False, total_sales=0, overdue_amount=0,
                          outstanding_amount=0, stats_refreshed_at=fields.Datetime.now(),
                          currency_id=self.connection_id._xero_currency().id)
        self.write(values)

    def _xero_note_write(self, write):
        if write.operation not in ("contact_create", "contact_update"):
            return
        details = write.context_values.get("details")
        if details:
            self.partner_id._message_log(body=_("Xero: %s", details),
                                         author_id=write.user_id.partner_id.id)

    def _xero_summary(self):
        self.ensure_one()
        return {"contact_id": self.contact_id, "account_number": self.account_number,
                "name": (self.synced_values or {}).get("Name") or self.partner_id.name,
                "partner": self.partner_id.display_name}

    # -- credit control ----------------------------------------------------------------
    @api.model
    def _xero_overdue_warnings(self, pairs):
        """{(company id, partner id): warning} for the (company, customer)
        pairs whose overdue amount in Xero is above the company's threshold
        (Settings > CRM > Xero).  Two queries, however many pairs."""
        connections = {c.company_id.id: c for c in self.env["xero.connection"].sudo().search(
            [("state", "=", "connected"), ("credit_warning_enabled", "=", True),
             ("company_id", "in", list({company.id for company, _p in pairs}))])}
        partners = list({partner.id for _c, partner in pairs if partner})
        if not connections or not partners:
            return {}
        warnings = {}
        domain = [("connection_id", "in", [c.id for c in connections.values()]),
                  ("partner_id", "in", partners), ("overdue_amount", ">", 0)]
        for link in self.sudo().search(domain):
            if link.overdue_amount > link.connection_id.credit_warning_amount:
                amount = format_amount(self.env, link.overdue_amount, link.currency_id) \
                    if link.currency_id else "%.2f" % link.overdue_amount
                warnings[(link.company_id.id, link.partner_id.id)] = _(
                    "%(customer)s has %(amount)s overdue in Xero.",
                    customer=link.partner_id.display_name, amount=amount)
        return warnings

    # -- link every account (after connecting, then hourly) ---------------------------
    @xero_job
    @api.model
    def _xero_cron_link_accounts(self):
        for connection in self.env["xero.connection"].sudo().search([("state", "=", "connected")]):
            try:
                linked, missing = self._xero_link_accounts(connection)
                _logger.info("Xero: %s accounts linked, %s not in Xero (company %s)",
                             linked, missing, connection.company_id.id)
            except (XeroError, UserError) as exc:
                batch_commit.rollback(self.env.cr)
                _logger.warning("Xero account linking for company %s failed, retried next run: %s",
                                connection.company_id.id, exc)

    @api.model
    def _xero_accounts_to_check(self, connection):
        """Company accounts of this company never checked against Xero, or not
        found there more than a day ago (the contact may have been added since)."""
        recheck_before = fields.Datetime.now() - RECHECK_AFTER
        settled = self.sudo().search(
            [("connection_id", "=", connection.id), ("check_state", "!=", "pending"),
             "!", "&", ("check_state", "=", "not_found"), ("checked_at", "<", recheck_before)]
        ).partner_id
        return self.env["res.partner"].sudo().search([
            ("is_company", "=", True), ("id", "not in", settled.ids),
            ("company_id", "in", [False, connection.company_id.id])])

    @api.model
    def _xero_link_accounts(self, connection):
        """Check every unchecked account against all of the organisation's
        contacts, read a thousand a call, and link those found.  A batch of
        accounts is committed at a time; an account a user is exporting right
        now is left to them.  Returns (linked, not found)."""
        partners = self._xero_accounts_to_check(connection)
        if not partners:
            return 0, 0
        index = ContactIndex()
        for _page, found, _pagination in connection._xero_pages(
                "get_contacts", "Contacts", priority="background", summary_only=True,
                include_archived=True):
            for contact in found:
                index.add(contact)
        linked = not_found = 0
        for start in range(0, len(partners), LINK_BATCH):
            batch = partners[start:start + LINK_BATCH]
            done, missing = self._xero_link_batch(connection, batch, index)
            linked, not_found = linked + done, not_found + missing
            batch_commit.commit(self.env.cr)
        if linked:   # their figures next, without waiting for the 6-hourly run
            self.env.ref("crm_xero.ir_cron_refresh_figures")._trigger()
        return linked, not_found

    def _xero_new_batch_link(self, connection, partner):
        """A link for the batch job, or None when a user's first opening of
        the account made one meanwhile (theirs wins; the job moves on)."""
        try:
            with self.env.cr.savepoint():
                return self.sudo().create({"connection_id": connection.id,
                                           "partner_id": partner.id})
        except psycopg2.IntegrityError:
            return None

    def _xero_link_batch(self, connection, partners, index):
        links = {link.partner_id.id: link for link in self.sudo().search(
            [("connection_id", "=", connection.id), ("partner_id", "in", partners.ids)])}
        taken = set(self.sudo().search([("connection_id", "=", connection.id),
                                        ("contact_id", "!=", False)]).mapped("contact_id"))
        linked = not_found = 0
        for partner in partners:
            link = links.get(partner.id) or self._xero_new_batch_link(connection, partner)
            if not link or not link._xero_try_lock():
                continue   # a user is sending it to Xero right now
            contact, _how = index.match(account_number=link.account_number,
                                        contact_number=partner._xero_contact_number(),
                                        name=partner.name, email=partner.email)
            try:
                with self.env.cr.savepoint():
                    if contact and contact["ContactID"] not in taken:
                        taken.add(contact["ContactID"])
                        link._xero_link_to(contact)
                        linked += 1
                    else:
                        link.write({"check_state": "not_found",
                                    "checked_at": fields.Datetime.now()})
                        not_found += 1
            except psycopg2.Error as exc:
                # A user linked or exported it meanwhile: theirs wins.
                _logger.info("Xero link of partner %s left to a concurrent change: %s",
                             partner.id, exc.pgerror)
        return linked, not_found

    # -- figures and invoice lists ---------------------------------------------------
    def _xero_refresh_figures(self, priority="interactive"):
        """Last invoice date, total sales (authorised and paid sales invoices,
        less credit notes), outstanding and overdue amounts, and the list of
        the contact's invoices and credit notes, for these links of one
        connection: 100 contacts a call."""
        links = self.filtered("contact_id")
        if not links:
            return
        connection = links.connection_id
        connection.ensure_one()
        currency = connection._xero_currency()
        today = date.today()
        for start in range(0, len(links), limits.IDS_PER_CALL):
            batch = links[start:start + limits.IDS_PER_CALL]
            ids = batch.mapped("contact_id")
            rows = defaultdict(list)
            for _page, invoices, _p in connection._xero_pages(
                    "get_invoices", "Invoices", priority=priority, contact_ids=ids,
                    statuses=LISTED_STATUSES, summary_only=True):
                for invoice in invoices:
                    if invoice.get("Type") == "ACCREC":
                        rows[invoice["Contact"]["ContactID"].lower()].append(
                            _row(invoice, "invoice", today))
            credit_where = xero_where.all_of('Type=="ACCRECCREDIT"', xero_where.any_of(
                *[xero_where.guid_eq("Contact.ContactID", cid) for cid in ids]))
            for _page, notes, _p in connection._xero_pages(
                    "get_credit_notes", "CreditNotes", priority=priority, where=credit_where):
                for note in notes:
                    if note.get("Status") in ("AUTHORISED", "PAID"):
                        rows[note["Contact"]["ContactID"].lower()].append(
                            _row(note, "credit_note", today))
            now = fields.Datetime.now()
            for link in batch:
                mine = rows[link.contact_id.lower()]
                sales = [r for r in mine if r["status"] in SALES_STATUSES]
                dates = [r["date"] for r in sales if r["kind"] == "invoice" and r["date"]]
                link.invoice_ids.unlink()
                link.write({
                    "currency_id": currency.id,
                    "last_invoice_date": max(dates) if dates else False,
                    "total_sales": sum(r["base_total"] for r in sales),
                    "outstanding_amount": sum(r["base_due"] for r in mine
                                              if r["status"] == "AUTHORISED"),
                    "overdue_amount": sum(r["base_due"] for r in mine
                                          if r["status"] == "AUTHORISED" and r["overdue"]),
                    "stats_refreshed_at": now,
                    "invoice_ids": [(0, 0, link._xero_invoice_row(r)) for r in mine],
                })

    def _xero_invoice_row(self, row):
        return {"kind": row["kind"], "xero_id": row["id"], "number": row["number"],
                "date": row["date"], "due_date": row["due_date"], "status": row["status"],
                "reference": row["reference"],
                "currency_id": self.connection_id._xero_currency(row["currency"]).id,
                "total": row["total"], "amount_due": row["due"], "overdue": row["overdue"],
                "base_total": row["base_total"]}

    @xero_job
    @api.model
    def _xero_cron_refresh_figures(self, batch_size=500):
        """Scheduled: refresh the figures of every linked account, the stalest
        first, committing after each batch."""
        links = self.sudo().search(
            [("connection_id.state", "=", "connected"), ("contact_id", "!=", False)],
            order="stats_refreshed_at asc nulls first, id")
        total, done = len(links), 0
        compat.job_progress(self.env, done=0, remaining=total)
        for connection, group in links.grouped("connection_id").items():
            for start in range(0, len(group), batch_size):
                batch = group[start:start + batch_size]
                try:
                    batch._xero_refresh_figures(priority="background")
                    batch_commit.commit(self.env.cr)
                except XeroTimedOut:
                    # The job's time is up, not this company's Xero: the rest waits.
                    batch_commit.rollback(self.env.cr)
                    _logger.info("Xero figures: the job's time is up; %s account(s) wait for "
                                 "the next run", total - done)
                    compat.job_progress(self.env, done=done, remaining=0)
                    return
                except (XeroError, UserError) as exc:
                    # This company's accounts wait for the next run; not counted
                    # as left for this one (Odoo would re-run it for everyone).
                    batch_commit.rollback(self.env.cr)
                    _logger.warning("Xero figures for company %s: batch skipped, retried next "
                                    "run: %s", connection.company_id.id, exc)
                    total -= len(group) - start
                    compat.job_progress(self.env, done=done, remaining=max(total - done, 0))
                    break
                done += len(batch)
                compat.job_progress(self.env, done=done, remaining=max(total - done, 0))


def _row(document, kind, today):
    """One line of an account's Xero list: an invoice, or a credit note
    (negative), its amounts also in the organisation's currency."""
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


class XeroContactInvoice(models.Model):
    """One of an account's Xero sales invoices or credit notes, as last read
    with its figures (replaced on each refresh)."""

    _name = "xero.contact.invoice"
    _description = "Xero invoice of an account"
    _order = "date desc, id desc"

    link_id = fields.Many2one("xero.contact.link", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="link_id.company_id", store=True)
    kind = fields.Selection([("invoice", "Invoice"), ("credit_note", "Credit note")],
                            required=True)
    xero_id = fields.Char(required=True)
    number = fields.Char()
    date = fields.Date()
    due_date = fields.Date()
    status = fields.Selection([
        ("DRAFT", "Draft"), ("SUBMITTED", "Awaiting approval"),
        ("AUTHORISED", "Awaiting payment"), ("PAID", "Paid"), ("VOIDED", "Voided"),
        ("DELETED", "Deleted")])
    reference = fields.Char()
    currency_id = fields.Many2one("res.currency")
    total = fields.Monetary(currency_field="currency_id")
    amount_due = fields.Monetary(currency_field="currency_id")
    base_total = fields.Float(help="The total in the organisation's currency.")
    overdue = fields.Boolean()
    url = fields.Char(compute="_compute_url")

    @api.depends("xero_id", "kind")
    def _compute_url(self):
        for row in self:
            connection = row.link_id.connection_id.sudo()
            endpoints = connection._xero_endpoints()
            row.url = (endpoints.invoice_link if row.kind == "invoice"
                       else endpoints.credit_note_link)(connection.short_code, row.xero_id)

    def action_xero_open(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.url, "target": "new"}

