"""Deleting an opportunity deletes its Xero draft invoices and its quote
still in the making (draft or sent), after the web client's own prompt (see
static/src/delete_prompt/delete_prompt.js); merging keeps them.

They are deleted only when the Odoo delete will go through: access is
checked, then the delete is tried in a savepoint and undone, then every
invoice's status is read from Xero (100 a call) and each quote's; if one
cannot be deleted (an invoice approved or paid, a quote the customer
accepted), or Xero cannot be reached, nothing is deleted anywhere.  Only then
are the drafts and quotes deleted (the write path), and the opportunities.
A declined quote stays in Xero, as Xero's record of the customer's answer.
"""
import logging

from odoo import _, models
from odoo.exceptions import UserError

from ..xero import invoices as xero_invoices
from ..xero import limits
from ..xero import quotes as xero_quotes
from ..xero.errors import XeroError
from .xero_deadline import request_deadline
from .xero_errors import xero_message
from .xero_write import UNSETTLED

_logger = logging.getLogger(__name__)


class _DryRun(Exception):
    """Undoes the trial delete."""


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def unlink(self):
        if self.env.context.get("xero_skip_invoice_delete"):
            return super().unlink()
        links = self.sudo().xero_invoice_link_ids
        quotes = self.sudo().xero_quote_link_ids
        # A create whose answer was lost: Xero may hold a draft (or a quote)
        # the link does not know yet.  It is settled (same key) before deciding.
        unsettled = [group for group in (links, quotes) if group and self.env[
            "xero.write"].sudo().search_count([
                ("link_model", "=", group._name), ("link_id", "in", group.ids),
                ("state", "in", UNSETTLED)])]
        if unsettled or links.filtered("open") or self._xero_quotes_to_delete(quotes):
            self.check_access("unlink")
            self._xero_try_unlink()
            with request_deadline(self.env):
                for group in unsettled:
                    self._xero_settle_writes(group)
                links = links.exists().filtered("open")
                quotes = self._xero_quotes_to_delete(quotes.exists())
                # Every check before any delete: all or nothing.
                found_quotes = self._xero_check_quotes(quotes) if quotes else {}
                if links:
                    self._xero_delete_drafts(links)
                if quotes:
                    self._xero_delete_quotes(quotes, found_quotes)
        return super().unlink()

    def _xero_settle_writes(self, links):
        """Settle the links' unfinished writes, each under its link's lock, as
        a click or the recovery job would.  What settling commits is newer
        than this request's snapshot: Odoo's retry of the request (the
        cascade delete of a link row changed since) then sees it, as it does
        after any draft deleted here."""
        Write = self.env["xero.write"]
        for link in links:
            try:
                with Write._xero_link_lock(link):
                    Write._xero_settle_open(link)
            except XeroError as exc:
                raise UserError(_("The opportunity was not deleted: %s",
                                  xero_message(self.env, exc))) from None
        links.invalidate_recordset()

    def _xero_try_unlink(self):  # pylint: disable=missing-return  # a dry run returns nothing
        """Raise what the Odoo delete would raise, changing nothing."""
        try:
            with self.env.cr.savepoint():
                super(CrmLead, self.with_context(xero_skip_invoice_delete=True)).unlink()
                raise _DryRun()
        except _DryRun:  # pylint: disable=except-pass  # the delete would go through
            pass
        finally:
            self.env.invalidate_all()

    def _xero_delete_drafts(self, links):
        """Delete these links' drafts in Xero, all or nothing as far as the
        checks go; raises a UserError saying why when one can't be."""
        refused = []
        for connection, group in links.grouped("connection_id").items():
            if connection.state != "connected":
                raise UserError(_(
                    "%(lead)s has the Xero invoice %(number)s, and Xero is not connected. "
                    "Reconnect Xero in Settings. Nothing was deleted.",
                    lead=group[0].lead_id.name, number=group[0].number))
            found = {}
            try:
                for start in range(0, len(group), limits.IDS_PER_CALL):
                    ids = group[start:start + limits.IDS_PER_CALL].mapped("invoice_id")
                    found.update({(i.get("InvoiceID") or "").lower(): i for i in
                                  connection._xero_call(lambda gw: gw.get_invoices(
                                      ids=ids, page=1, page_size=limits.IDS_PER_CALL))["Invoices"]})
            except XeroError as exc:
                raise UserError(_("The opportunity was not deleted: %s",
                                  xero_message(self.env, exc))) from None
            for link in group:
                status = (found.get(link.invoice_id.lower()) or {}).get("Status", "DELETED")
                if status not in xero_invoices.DELETABLE and status not in xero_invoices.GONE:
                    refused.append("%s (%s, %s)" % (link.lead_id.name, link.number,
                                                    link._xero_status_label(status)))
        if refused:
            raise UserError(_(
                "Nothing was deleted: Xero no longer treats these invoices as drafts, and "
                "deleting the opportunity would leave them behind: %s. Void the invoice in Xero "
                "first (a paid one needs its payment removed), or archive the opportunity "
                "instead.", "; ".join(refused)))
        done = []
        for link in links:
            try:
                self.env["xero.write"]._xero_run(link, self._xero_delete_build)
            except XeroError as exc:
                already = _(" %s draft(s) were deleted in Xero already; their opportunities "
                            "show it.", len(done)) if done else ""
                raise UserError(_("The opportunities were not deleted: %(error)s%(already)s",
                                  error=xero_message(self.env, exc), already=already)) from None
            done.append(link)
        _logger.info("Deleted %s Xero draft invoice(s) with their opportunities", len(done))

    # -- the quote ------------------------------------------------------------------------
    @staticmethod
    def _xero_quotes_to_delete(quotes):
        """Quotes deleted with their opportunity: those Xero still has and the
        customer did not answer "no" to (a declined one stays, as Xero's record)."""
        return quotes.filtered(lambda q: q.quote_id and q.status not in
                               (*xero_quotes.GONE, "DECLINED"))

    def _xero_check_quotes(self, quotes):
        """Each quote as Xero holds it now, by quote id; a UserError, before
        anything is deleted, when one was accepted (or invoiced) meanwhile."""
        found, refused = {}, []
        for quote in quotes:
            if quote.connection_id.state != "connected":
                raise UserError(_(
                    "%(lead)s has the Xero quote %(number)s, and Xero is not connected. "
                    "Reconnect Xero in Settings. Nothing was deleted.",
                    lead=quote.lead_id.name, number=quote.number))
            try:
                current = quote.connection_id._xero_call(lambda gw, q=quote: gw.get_quote(
                    q.quote_id))
            except XeroError as exc:
                raise UserError(_("The opportunity was not deleted: %s",
                                  xero_message(self.env, exc))) from None
            status = (current.get("Status") or "").upper()
            if status in xero_quotes.AGREED:
                refused.append("%s (%s, %s)" % (quote.lead_id.name, quote.number,
                                                quote._xero_status_label(status)))
            found[quote.quote_id] = current
        if refused:
            raise UserError(_(
                "Nothing was deleted: the customer accepted these Xero quotes, and deleting the "
                "opportunity would leave them behind: %s. Archive the opportunity instead, or "
                "delete the quote in Xero first.", "; ".join(refused)))
        return found

    def _xero_delete_quotes(self, quotes, found):
        """Delete these quotes in Xero (the write path: exactly once)."""
        def build(link):
            status = (found.get(link.quote_id) or {}).get("Status", "").upper()
            if status in xero_quotes.GONE or status == "DECLINED":
                return None   # gone or declined meanwhile: nothing to delete
            return {"operation": "quote_delete", "payload": {"Status": "DELETED"},
                    "target_id": link.quote_id}

        for quote in quotes:
            try:
                self.env["xero.write"]._xero_run(quote, build)
            except XeroError as exc:
                raise UserError(_("The opportunities were not deleted: %s",
                                  xero_message(self.env, exc))) from None
        _logger.info("Deleted %s Xero quote(s) with their opportunities", len(quotes))

    @staticmethod
    def _xero_delete_build(link):
        current = link.connection_id._xero_call(lambda gw: gw.get_invoice(link.invoice_id))
        if (current.get("Status") or "").upper() in xero_invoices.GONE:
            link._xero_apply_refresh(current)
            return None
        return {"operation": "invoice_delete", "payload": {"Status": "DELETED"},
                "target_id": link.invoice_id}

    # -- merging --------------------------------------------------------------------------
    def _merge_dependences(self, opportunities):
        """The merged opportunity keeps the invoices (and the quote) of the
        one that had them; two invoiced opportunities are not merged."""
        invoiced = (self | opportunities).filtered(lambda lead: lead.sudo().xero_invoice_open)
        if len(invoiced) > 1:
            raise UserError(_(
                "These opportunities each have a Xero invoice (%s): merging them would leave "
                "one invoice without its opportunity. Delete or void one of the invoices first, "
                "or keep the opportunities apart.",
                ", ".join(invoiced.mapped("xero_invoice_number"))))
        if invoiced and invoiced != self:
            moved = invoiced.sudo().xero_invoice_link_ids
            self.sudo().xero_invoice_link_ids.filtered(
                lambda l: l.connection_id in moved.connection_id).unlink()
            moved.write({"lead_id": self.id})
            self._message_log(body=_("Xero invoice %(number)s moved here from the merged "
                                     "opportunity %(lead)s.", number=", ".join(
                                         moved.filtered("open").mapped("number")),
                                     lead=invoiced.name))
        self._xero_merge_quotes(opportunities)
        return super()._merge_dependences(opportunities)

    def _xero_merge_quotes(self, opportunities):
        """One quote per organisation stays with the merged opportunity: the
        one the customer accepted, else one still in the making (draft or
        sent), else the latest.  The others are deleted in Xero as when their
        opportunity is deleted (a declined one stays; see unlink, which the
        merge runs on the other opportunities); two accepted quotes are not
        merged."""
        quotes = (self | opportunities).sudo().xero_quote_link_ids
        for _connection, group in quotes.grouped("connection_id").items():
            known = group.filtered("quote_id")
            agreed = known.filtered(lambda q: q.status in xero_quotes.AGREED)
            if len(agreed) > 1:
                raise UserError(_(
                    "The customer accepted a Xero quote on each of these opportunities (%s): "
                    "merging them would leave one quote without its opportunity. Keep the "
                    "opportunities apart.", ", ".join(agreed.mapped("number"))))
            keep = agreed or known.filtered(lambda q: q.status in xero_quotes.UPDATABLE) \
                or known
            keep = keep.sorted("id")[-1:]
            if not keep or keep.lead_id == self:
                continue
            dropped = group.filtered(lambda q: q.lead_id == self)
            if dropped.quote_id:
                self._message_log(body=_(
                    "Xero quote %(number)s of the merged opportunity %(lead)s is kept here, in "
                    "place of %(dropped)s.", number=keep.number, lead=keep.lead_id.name,
                    dropped=dropped.number))
                to_delete = self._xero_quotes_to_delete(dropped)
                if to_delete:
                    with request_deadline(self.env):
                        self._xero_delete_quotes(to_delete, self._xero_check_quotes(to_delete))
            dropped.unlink()
            keep.lead_id = self
