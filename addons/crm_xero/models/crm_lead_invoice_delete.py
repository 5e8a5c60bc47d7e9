"""Deleting an opportunity deletes its Xero draft (after the web client's own
prompt, see static/src/delete_prompt/delete_prompt.js), and merging keeps it.

The draft is deleted only when the Odoo delete will go through: access is
checked, then the delete is tried in a savepoint and undone, then every
invoice's status is read from Xero (100 a call); if one cannot be deleted,
or Xero cannot be reached, nothing is deleted anywhere.  Only then are the
drafts deleted (the write path), and the opportunities.
"""
import logging

from odoo import _, models
from odoo.exceptions import UserError

from ..xero import invoices as xero_invoices
from ..xero import limits
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
        # A create whose answer was lost: Xero may hold a draft the link
        # does not know yet.  It is settled (same key) before deciding.
        unsettled = links and self.env["xero.write"].sudo().search_count([
            ("link_model", "=", links._name), ("link_id", "in", links.ids),
            ("state", "in", UNSETTLED)])
        if unsettled or links.filtered("open"):
            self.check_access("unlink")
            self._xero_try_unlink()
            with request_deadline(self.env):
                if unsettled:
                    self._xero_settle_writes(links)
                links = links.exists().filtered("open")
                if links:
                    self._xero_delete_drafts(links)
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
        # A quote of a merged opportunity stays known, where this one has none.
        for lead in opportunities - self:
            for quote in lead.sudo().xero_quote_link_ids.filtered("quote_id"):
                if not self.sudo().xero_quote_link_ids.filtered(
                        lambda q, c=quote.connection_id: q.connection_id == c):
                    quote.lead_id = self
        return super()._merge_dependences(opportunities)
