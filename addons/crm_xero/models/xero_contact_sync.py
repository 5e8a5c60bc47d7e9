"""Batch work on account links: link all accounts after connecting, and keep
their Xero figures fresh. Many contacts per Xero call, never one per partner."""
import logging
from collections import defaultdict
from datetime import date, timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from ..xero.matching import ContactIndex
from . import batch_commit
from ..xero.responses import parse_xero_date

_logger = logging.getLogger(__name__)

PAGE_SIZE = 1000          # Xero's largest page
CONTACTS_PER_CALL = 100   # ContactIDs per invoice query: keeps the URL short
SALES_STATUSES = ["AUTHORISED", "PAID"]
RECHECK_AFTER_DAYS = 1     # accounts not found in Xero are looked up again daily


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    # -- link all accounts -----------------------------------------------------------
    def _xero_accounts_to_check(self):
        """Company accounts of this company never checked against Xero, or not
        found there more than a day ago (the contact may have been added since)."""
        self.ensure_one()
        recheck_before = fields.Datetime.now() - timedelta(days=RECHECK_AFTER_DAYS)
        linked = self.env["xero.contact.link"].sudo().search(
            [("connection_id", "=", self.id), ("check_state", "!=", "pending"),
             "!", "&", ("check_state", "=", "not_found"), ("checked_at", "<", recheck_before)]
        ).partner_id
        return self.env["res.partner"].sudo().search([
            ("is_company", "=", True), ("id", "not in", linked.ids),
            ("company_id", "in", [False, self.company_id.id])])

    def _xero_link_accounts(self):
        """Check every unchecked account against all Xero contacts, read with the
        largest pages (1,000 contacts a call). Returns (linked, not found)."""
        self.ensure_one()
        partners = self._xero_accounts_to_check()
        if not partners:
            return 0, 0
        index, page = ContactIndex(), 1
        while True:
            answer = self._xero_call(lambda gw: gw.get_contacts(
                page=page, page_size=PAGE_SIZE, summary_only=True, include_archived=True),
                priority="background")
            for contact in answer["Contacts"]:
                index.add(contact)
            pagination = answer.get("pagination") or {}
            if page >= (pagination.get("pageCount") or 1):
                break
            page += 1
        Link = self.env["xero.contact.link"].sudo()
        links = {link.partner_id.id: link for link in Link.search(
            [("connection_id", "=", self.id), ("partner_id", "in", partners.ids)])}
        taken = set(Link.search([("connection_id", "=", self.id),
                                 ("contact_id", "!=", False)]).mapped("contact_id"))
        linked = not_found = 0
        for partner in partners:
            link = links.get(partner.id) or Link.create({"connection_id": self.id, "partner_id": partner.id})
            contact, _how = index.match(account_number=link.account_number,
                                        contact_number=partner._xero_contact_number(),
                                        name=partner.name, email=partner.email)
            if contact and contact["ContactID"] not in taken:
                taken.add(contact["ContactID"])
                link.write({**link._xero_link_values(contact), "synced_values": contact})
                linked += 1
            else:
                link.write({"check_state": "not_found", "checked_at": fields.Datetime.now()})
                not_found += 1
        return linked, not_found

    def _xero_cron_link_accounts(self):
        for connection in self.sudo().search([("state", "=", "connected")]):
            try:
                linked, missing = connection._xero_link_accounts()
                batch_commit.commit(self.env.cr)
                if linked:   # their figures next, without waiting for the 6-hourly run
                    self.env.ref("crm_xero.ir_cron_refresh_stats")._trigger()
                _logger.info("Xero: %s accounts linked, %s not in Xero (company %s)",
                             linked, missing, connection.company_id.id)
            except UserError as exc:
                batch_commit.rollback(self.env.cr)
                _logger.warning("Xero account linking for company %s failed, retried next run: %s",
                                connection.company_id.id, exc)

    # -- figures -------------------------------------------------------------------------
    def _xero_refresh_contact_stats(self, links, priority="interactive"):
        """Last invoice date, total sales (authorised + paid sales invoices),
        outstanding and overdue amounts, for `links`, 100 contacts a call."""
        self.ensure_one()
        links = links.filtered("contact_id")
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", self.base_currency)], limit=1)
        today = date.today()
        for start in range(0, len(links), CONTACTS_PER_CALL):
            batch = links[start:start + CONTACTS_PER_CALL]
            figures = defaultdict(lambda: {"total": 0.0, "outstanding": 0.0, "overdue": 0.0, "last": None})
            page = 1
            while True:
                answer = self._xero_call(lambda gw: gw.get_invoices(
                    contact_ids=batch.mapped("contact_id"), statuses=SALES_STATUSES,
                    page=page, page_size=PAGE_SIZE, summary_only=True), priority=priority)
                for invoice in answer["Invoices"]:
                    if invoice.get("Type") != "ACCREC":
                        continue
                    rate = float(invoice.get("CurrencyRate") or 1.0) or 1.0
                    mine = figures[invoice["Contact"]["ContactID"]]
                    mine["total"] += float(invoice.get("Total") or 0) / rate
                    invoice_date = parse_xero_date(invoice.get("Date"))
                    if invoice_date and (not mine["last"] or invoice_date > mine["last"]):
                        mine["last"] = invoice_date
                    if invoice.get("Status") == "AUTHORISED":
                        due = float(invoice.get("AmountDue") or 0) / rate
                        mine["outstanding"] += due
                        due_date = parse_xero_date(invoice.get("DueDate"))
                        if due_date and due_date < today:
                            mine["overdue"] += due
                pagination = answer.get("pagination") or {}
                if page >= (pagination.get("pageCount") or 1):
                    break
                page += 1
            now = fields.Datetime.now()
            for link in batch:
                mine = figures[link.contact_id]
                link.write({
                    "currency_id": currency.id, "last_invoice_date": mine["last"],
                    "total_sales": mine["total"], "outstanding_amount": mine["outstanding"],
                    "overdue_amount": mine["overdue"], "stats_refreshed_at": now,
                })

    def _xero_cron_refresh_stats(self, batch_size=500):
        """Scheduled: refresh the figures of every linked account, the stalest
        first, committing after each batch."""
        cron = self.env["ir.cron"]
        for connection in self.sudo().search([("state", "=", "connected")]):
            links = self.env["xero.contact.link"].sudo().search(
                [("connection_id", "=", connection.id), ("contact_id", "!=", False)],
                order="stats_refreshed_at asc nulls first, id")
            done = 0
            for start in range(0, len(links), batch_size):
                batch = links[start:start + batch_size]
                try:
                    connection._xero_refresh_contact_stats(batch, priority="background")
                    batch_commit.commit(self.env.cr)
                except UserError as exc:
                    batch_commit.rollback(self.env.cr)
                    _logger.warning("Xero figures for company %s: batch skipped, retried next run: %s",
                                    connection.company_id.id, exc)
                    break
                done += len(batch)
                cron._notify_progress(done=done, remaining=len(links) - done)
