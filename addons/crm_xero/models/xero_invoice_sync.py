"""What the invoice feature needs from a company's Xero connection: the
organisation's invoicing settings (cached briefly), batch status refreshes of
the opportunities' invoices, and its share of the connection's links."""
import logging
import time

from odoo import api, models
from odoo.exceptions import UserError

from ..xero import invoice_mapping as im
from ..xero.errors import XeroValidationError
from ..xero.gateway import invoice_deep_link
from . import batch_commit

_logger = logging.getLogger(__name__)

# (dbname, connection id, tenant id) -> (monotonic expiry, settings dict).
# Memory only: revenue accounts, currencies and tax defaults change rarely, and
# the wizard opening must not cost three calls each time.
_SETTINGS_CACHE = {}
SETTINGS_TTL = 300
BATCH_SIZE = 100


def xero_clear_invoice_settings_cache():
    _SETTINGS_CACHE.clear()


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    # -- organisation settings for invoices ------------------------------------
    def _xero_invoice_settings(self, force=False):
        """{'organisation', 'accounts' (revenue class, archived included),
        'currencies'} read live from Xero, cached SETTINGS_TTL seconds."""
        self.ensure_one()
        self._xero_check_usable()
        key = (self.env.cr.dbname, self.id, self.tenant_id)
        cached = _SETTINGS_CACHE.get(key)
        if cached and not force and cached[0] > time.monotonic():
            return cached[1]

        def read(gateway):
            return {
                "organisation": gateway.get_organisation(),
                "accounts": gateway.get_accounts(where='Class=="%s"' % im.REVENUE_CLASS),
                "currencies": gateway.get_currencies(),
            }
        settings = self._xero_call(read)
        _SETTINGS_CACHE[key] = (time.monotonic() + SETTINGS_TTL, settings)
        return settings

    def _xero_invoice_deep_link(self, invoice_id):
        self.ensure_one()
        if not invoice_id or not self.short_code:
            return False
        return invoice_deep_link(self.short_code, invoice_id, self._xero_endpoints().go_url)

    # -- refreshing invoice status, total and amount due ------------------------
    def _xero_fetch_invoices(self, invoice_ids, priority="interactive"):
        """{invoice id: Xero invoice} for up to BATCH_SIZE ids, in one call."""
        self.ensure_one()
        page = self._xero_call(lambda gateway: gateway.get_invoices(
            ids=invoice_ids, page=1, page_size=BATCH_SIZE), priority)
        return {(inv.get("InvoiceID") or "").lower(): inv for inv in page["Invoices"]}

    def _xero_refresh_lead_invoices(self, leads, priority="interactive"):
        """Refresh leads of this connection in batches of BATCH_SIZE ids per
        call. A batch Xero refuses (400) is retried lead by lead, so one bad
        record is logged on its chatter and skipped; Xero down or disconnected
        raises. Returns (refreshed, failed) leads."""
        self.ensure_one()
        refreshed = failed = self.env["crm.lead"]
        for batch in im.batches(leads, BATCH_SIZE):
            batch = self.env["crm.lead"].browse([lead.id for lead in batch])
            try:
                found = self._xero_fetch_invoices([l.xero_invoice_id for l in batch], priority)
            except UserError as exc:
                if not isinstance(getattr(exc, "xero_error", None), XeroValidationError):
                    raise   # Xero down, busy or disconnected: the whole run waits
                if len(batch) == 1:
                    batch._xero_log_refresh_failure(exc)
                    failed |= batch
                    continue
                _logger.info("Xero invoice batch refresh failed (%s); retrying one by one", exc)
                for lead in batch:
                    done, bad = self._xero_refresh_lead_invoices(lead, priority)
                    refreshed |= done
                    failed |= bad
                continue
            for lead in batch:
                invoice = found.get(lead.xero_invoice_id.lower())
                try:
                    with self.env.cr.savepoint():
                        lead._xero_apply_refresh(invoice)
                    refreshed |= lead
                except UserError as exc:
                    _logger.warning("Could not refresh the Xero invoice of lead %s: %s", lead.id, exc)
                    lead._xero_log_refresh_failure(exc)
                    failed |= lead
                except Exception as exc:  # noqa: BLE001 - isolate one record, log it
                    _logger.exception("Could not refresh the Xero invoice of lead %s", lead.id)
                    lead._xero_log_refresh_failure(exc)
                    failed |= lead
        return refreshed, failed

    @api.model
    def _xero_cron_refresh_invoices(self, batch_size=BATCH_SIZE):
        """Scheduled: refresh the opportunities whose invoice can still change,
        least recently refreshed first, one call and one commit per batch."""
        leads = self.env["crm.lead"].with_context(active_test=False).search(
            [("xero_invoice_id", "!=", False), ("xero_invoice_status", "in", list(im.OPEN)),
             ("xero_connection_id.state", "=", "connected")],
            order="xero_invoice_refreshed_at asc nulls first, id")
        total, done = len(leads), 0
        cron = self.env["ir.cron"]
        cron._notify_progress(done=0, remaining=total)
        for connection, connection_leads in leads.grouped("xero_connection_id").items():
            for batch in im.batches(connection_leads.ids, batch_size):
                batch = self.env["crm.lead"].browse(batch)
                try:
                    connection._xero_check_usable()
                    connection._xero_refresh_lead_invoices(batch, priority="background")
                except UserError as exc:
                    # The connection itself failed (needs reconnect...): its other
                    # leads wait for the next run.
                    _logger.warning("Xero invoice refresh stopped for company %s: %s",
                                    connection.company_id.id, exc)
                    break
                finally:
                    done += len(batch)
                    cron._notify_progress(done=done, remaining=max(total - done, 0))
                batch_commit.commit(self.env.cr)
        return done

    # -- links (see xero_connection._xero_count_links) ---------------------------
    def _xero_count_links(self):
        count = super()._xero_count_links()
        return count + self.env["crm.lead"].sudo().with_context(active_test=False).search_count(
            [("xero_connection_id", "in", self.ids), ("xero_invoice_id", "!=", False)])

    def _xero_clear_links(self):
        leads = self.env["crm.lead"].sudo().with_context(active_test=False).search(
            [("xero_connection_id", "in", self.ids)])
        leads._xero_forget_invoice()
        return super()._xero_clear_links()

