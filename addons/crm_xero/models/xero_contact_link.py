"""The binding between a company account and a Xero contact, per connection,
and the batch jobs on it: link every account after connecting, and keep the
accounts' Xero figures and invoice lists fresh (many contacts per call).

A partner shared by two companies is linked in two organisations, and one
organisation's ids never leak into another's.
"""
import logging
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .. import compat
from ..xero import limits
from ..xero import where as xero_where
from ..xero.errors import XeroError
from ..xero.matching import ContactIndex
from . import batch_commit
from .xero_deadline import xero_job

_logger = logging.getLogger(__name__)

# What an account's list shows, and which of it counts as sales.
LISTED_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")
CREDIT_STATUSES = ("AUTHORISED", "PAID")
SALES_STATUSES = ("AUTHORISED", "PAID")
SALES_INVOICES = 'Type=="ACCREC"'
SALES_CREDITS = 'Type=="ACCRECCREDIT"'
LINK_BATCH = 200                    # accounts linked per committed transaction
WHERE_MAX = 1800                    # characters of a where filter (accounts looked up a call)
SEARCH_MAX = 300                    # more accounts to look up than this: one scan instead
LINK_MARGIN = timedelta(seconds=60)  # Odoo's and Xero's clocks differ
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
        if not self.stats_refreshed_at:   # its figures are read in the background, now
            self._xero_wake_figures()

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
                if getattr(exc, "reason", None) == "deadline":
                    return   # the job's time is up: the rest waits for the next run
                _logger.warning("Xero account linking for company %s waits for the next run: "
                                "%s", connection.company_id.id, exc)

    @api.model
    def _xero_accounts_to_check(self, connection, states=("pending",)):
        """Company accounts of this company (or shared) whose link check is in
        ``states`` ("pending" includes never checked), the companies' own
        partners left out (a company is not its own customer)."""
        self.flush_model()
        self.env["res.partner"].flush_model(["is_company", "company_id", "active"])
        self.env.cr.execute("""
            SELECT p.id FROM res_partner p
              LEFT JOIN xero_contact_link l ON l.partner_id = p.id AND l.connection_id = %s
             WHERE p.is_company AND p.active
               AND (p.company_id IS NULL OR p.company_id = %s)
               AND NOT EXISTS (SELECT 1 FROM res_company c WHERE c.partner_id = p.id)
               AND coalesce(l.check_state, 'pending') = ANY(%s)
             ORDER BY p.id""", [connection.id, connection.company_id.id, list(states)])
        return self.env["res.partner"].sudo().browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _xero_link_accounts(self, connection, full=False):
        """Link the company accounts Xero has as contacts, without reading
        all of Xero's contacts: accounts never checked are looked up by a
        targeted search (many a call); accounts not found before are matched
        against the contacts changed in Xero since (the hourly sync reads
        them once the company imported; else one If-Modified-Since call).
        ``full`` (the weekly reconcile, a button): every unlinked account
        against every contact, read a thousand a call.  A batch of accounts
        is committed at a time; an account a user is exporting right now is
        left to them.  Returns (linked, not found)."""
        if full:
            partners = self._xero_accounts_to_check(connection, ("pending", "not_found"))
            linked, missing = self._xero_link_by_scan(connection, partners) if partners \
                else (0, 0)
        else:
            started = fields.Datetime.now()
            pending = self._xero_accounts_to_check(connection)
            # Many at once (a company connecting its whole CRM): one scan of
            # Xero's contacts, a thousand a call, takes fewer calls.
            linked, missing = (self._xero_link_by_scan if len(pending) > SEARCH_MAX else
                               self._xero_link_by_search)(connection, pending) \
                if pending else (0, 0)
            linked += self._xero_link_changed_contacts(connection, started)
        if linked:   # their figures next, at once
            self._xero_wake_figures()
        return linked, missing

    def _xero_link_by_scan(self, connection, partners):
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
        return linked, not_found

    def _xero_link_by_search(self, connection, partners):
        """Accounts never checked, looked up in Xero by what identifies them
        (ledger code, our key, the name as Xero compares it, the email), as
        many a call as Xero's where filter takes comfortably."""
        linked = not_found = 0
        batch, clauses = self.env["res.partner"], []
        for partner in list(partners) + [None]:
            mine = partner and lookup_clauses(partner, self._xero_link_of(connection, partner))
            if batch and (partner is None or len(" OR ".join(clauses + mine)) > WHERE_MAX):
                where = xero_where.any_of(*clauses)
                found = connection._xero_call(lambda gw, w=where: gw.get_contacts(
                    where=w, include_archived=True, page=1, page_size=limits.PAGE_SIZE),
                    "background")["Contacts"]
                done, missing = self._xero_link_batch(connection, batch, ContactIndex(found))
                linked, not_found = linked + done, not_found + missing
                batch_commit.commit(self.env.cr)
                batch, clauses = self.env["res.partner"], []
            if partner:
                batch, clauses = batch | partner, clauses + mine
        return linked, not_found

    def _xero_link_of(self, connection, partner):
        return self.sudo().search([("connection_id", "=", connection.id),
                                   ("partner_id", "=", partner.id)], limit=1)

    def _xero_link_changed_contacts(self, connection, started):
        """Accounts not found in Xero before this run, matched against the
        contacts added or changed in Xero since the last look.  Once the
        company imported, the hourly sync (and the contacts' webhooks) read
        those contacts and link the accounts they match: no call here."""
        state = connection._xero_sync_state()
        row = state._xero_read()
        now = fields.Datetime.now()
        if connection.xero_import_watermark:
            return 0
        since = row.get("link_watermark")
        if not since:
            # From the first account found missing before this run: each was
            # checked against every contact Xero had then.
            self.env.cr.execute("SELECT min(checked_at) FROM xero_contact_link "
                                "WHERE connection_id = %s AND check_state = 'not_found' "
                                "AND checked_at < %s", [connection.id, started])
            since = self.env.cr.fetchone()[0]
            if not since:
                state._xero_state_write(link_watermark=started)
                return 0
        elif not connection._xero_poll_due(since, now):
            return 0
        self.env.cr.execute("SELECT 1 FROM xero_contact_link WHERE connection_id = %s "
                            "AND check_state = 'not_found' LIMIT 1", [connection.id])
        if not self.env.cr.fetchone():
            state._xero_state_write(link_watermark=started)
            return 0
        changed = []
        for _page, found, _pagination in connection._xero_pages(
                "get_contacts", "Contacts", priority="background", include_archived=True,
                modified_since=since - LINK_MARGIN):
            changed += found
        linked = 0
        candidates = self._xero_missing_candidates(connection, changed)
        for start in range(0, len(candidates), LINK_BATCH):
            done, _missing = self._xero_link_batch(
                connection, candidates[start:start + LINK_BATCH], ContactIndex(changed),
                mark_missing=False)
            linked += done
            batch_commit.commit(self.env.cr)
        state._xero_state_write(link_watermark=started)
        return linked

    def _xero_missing_candidates(self, connection, contacts):
        """The accounts not found in Xero before that one of these contacts
        may be (by name, email, ledger code or our key): a query, however
        many accounts are missing."""
        if not contacts:
            return self.env["res.partner"]
        names = list({form for c in contacts for form in (
            " ".join((c.get("Name") or "").split()).casefold(),
            " ".join((c.get("Name") or "").split()).lower())} - {""})
        emails = list({(c.get("EmailAddress") or "").strip().lower() for c in contacts} - {""})
        numbers = list({(c.get("AccountNumber") or "").strip().lower() for c in contacts} - {""})
        prefix = self.env["res.partner"]._xero_contact_number_prefix().lower()
        keys = [int(number[len(prefix):]) for number in
                ((c.get("ContactNumber") or "").strip().lower() for c in contacts)
                if number.startswith(prefix) and number[len(prefix):].isdigit()]
        self.flush_model()
        self.env["res.partner"].flush_model(["name", "email"])
        self.env.cr.execute(r"""
            SELECT p.id FROM res_partner p
              JOIN xero_contact_link l ON l.partner_id = p.id AND l.connection_id = %s
             WHERE l.check_state = 'not_found' AND p.active
               AND (lower(regexp_replace(btrim(p.name), '\s+', ' ', 'g')) = ANY(%s)
                    OR lower(btrim(p.email)) = ANY(%s)
                    OR lower(l.account_number) = ANY(%s) OR p.id = ANY(%s))""",
                            [connection.id, names, emails, numbers, keys])
        return self.env["res.partner"].sudo().browse([row[0] for row in self.env.cr.fetchall()])

    def _xero_new_batch_link(self, connection, partner):
        """A link for the batch job, or None when a user's first opening of
        the account made one meanwhile (theirs wins; the job moves on)."""
        try:
            with self.env.cr.savepoint():
                return self.sudo().create({"connection_id": connection.id,
                                           "partner_id": partner.id})
        except psycopg2.IntegrityError:
            return None

    def _xero_link_batch(self, connection, partners, index, mark_missing=True):
        """Link each of ``partners`` to the contact of ``index`` it matches
        (unless another account has it); ``mark_missing``: the others are
        "not in Xero" now.  Returns (linked, not found)."""
        links = {link.partner_id.id: link for link in self.sudo().search(
            [("connection_id", "=", connection.id), ("partner_id", "in", partners.ids)])}
        matched = []
        for partner in partners:
            link = links.get(partner.id)
            contact, _how = index.match(account_number=link.account_number if link else None,
                                        contact_number=partner._xero_contact_number(),
                                        name=partner.name, email=partner.email)
            if contact or mark_missing:
                matched.append((partner, link, contact))
        wanted = list({c["ContactID"] for _p, _l, c in matched if c})
        self.flush_model()
        self.env.cr.execute("SELECT contact_id FROM xero_contact_link WHERE connection_id = %s "
                            "AND contact_id = ANY(%s)", [connection.id, wanted])
        taken = {row[0] for row in self.env.cr.fetchall()}
        linked = not_found = 0
        for partner, link, contact in matched:
            link = link or self._xero_new_batch_link(connection, partner)
            if not link or not link._xero_try_lock():
                continue   # a user is sending it to Xero right now
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
        connection, read by contact: 100 contacts a call (the Refresh
        button, the first opening, a few accounts linked since the last
        pass; the scheduled pass reads what changed, models/xero_changes.py)."""
        links = self.filtered("contact_id")
        if not links:
            return
        connection = links.connection_id
        connection.ensure_one()
        for start in range(0, len(links), limits.IDS_PER_CALL):
            batch = links[start:start + limits.IDS_PER_CALL]
            ids = batch.mapped("contact_id")
            invoices = [invoice for _page, page, _p in connection._xero_pages(
                "get_invoices", "Invoices", priority=priority, contact_ids=ids,
                statuses=LISTED_STATUSES, summary_only=True) for invoice in page]
            credit_where = xero_where.all_of(SALES_CREDITS, xero_where.any_of(
                *[xero_where.guid_eq("Contact.ContactID", cid) for cid in ids]))
            notes = [note for _page, page, _p in connection._xero_pages(
                "get_credit_notes", "CreditNotes", priority=priority, where=credit_where)
                for note in page]
            connection._xero_apply_documents(invoices, "invoice", replace_links=batch.ids)
            connection._xero_apply_documents(notes, "credit_note", replace_links=batch.ids)
            connection._xero_sum_figures(batch.ids, include_unread=True)

    @xero_job
    @api.model
    def _xero_cron_refresh_figures(self):
        """Scheduled, hourly: read what changed in Xero (models/xero_changes.py)."""
        self.env["xero.connection"]._xero_read_changes_everywhere()

    @xero_job
    @api.model
    def _xero_cron_first_reads(self):
        """Woken when accounts are linked: their figures and invoice lists,
        read at once (only those: what changed waits for the hourly read)."""
        self.env["xero.connection"]._xero_read_changes_everywhere(first_reads_only=True)

    @api.model
    def _xero_wake_figures(self):
        """Accounts were linked: their figures are read in the background now."""
        cron = self.env.ref("crm_xero.ir_cron_xero_first_reads", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()


def lookup_clauses(partner, link):
    """Xero where clauses that find ``partner``'s contact: the name as Xero
    compares it, our key, its ledger code, its email."""
    clauses = [xero_where.eq_ignore_case("Name", (partner.name or "").strip()),
               xero_where.eq("ContactNumber", partner._xero_contact_number())]
    if link and link.account_number:
        clauses.append(xero_where.eq_ignore_case("AccountNumber", link.account_number))
    if partner.email:
        clauses.append(xero_where.eq("EmailAddress", partner.email))
    return clauses


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
    xero_id = fields.Char(required=True, index=True)
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
    base_due = fields.Float(help="What is due, in the organisation's currency.")
    overdue = fields.Boolean()
    read_at = fields.Datetime(help="When it was last read from Xero.")
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

