"""The binding between an opportunity and its Xero quote, per connection, and
the jobs on it: its status read back from Xero (Xero sends no webhooks for
quotes: the scheduled read asks, organisation-wide, for what changed since
the last one, with If-Modified-Since, as background work within the
organisation's day of calls (xero/day_budget.py), its watermark in the
organisation's shared state (models/xero_sync_state.py); a form opened on a
stale quote reads that quote), what follows an acceptance, and the quote's
PDF.

What the opportunity shows of its quote (crm.lead.xero_quote_*) is read from
here; only the write path and these jobs write it.
"""
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .. import compat
from ..xero import quotes as xero_quotes
from ..xero.errors import XeroError, XeroRateLimited
from ..xero.responses import parse_xero_datetime
from . import batch_commit
from .xero_deadline import xero_job

_logger = logging.getLogger(__name__)

# Each read starts a minute before the last one began: Odoo's and Xero's
# clocks differ (as models/xero_changes.py reads invoices).
WATERMARK_MARGIN = timedelta(seconds=60)

class XeroConnectionQuotes(models.Model):
    _inherit = "xero.connection"

    quote_won_enabled = fields.Boolean(
        "An accepted quote wins the opportunity", default=True,
        help="When Xero says the customer accepted the opportunity's quote, the opportunity "
             "is marked won.")


class XeroQuoteLink(models.Model):
    _name = "xero.quote.link"
    _inherit = ["xero.link"]
    _description = "Xero quote of an opportunity"
    _rec_name = "number"
    _xero_owner_field = "lead_id"
    _xero_new_row = {"open": False}

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    quote_id = fields.Char("Xero quote id", index="btree_not_null", copy=False)
    number = fields.Char("Xero quote", copy=False)
    status = fields.Selection(xero_quotes.STATUSES, "Status in Xero", copy=False, index=True)
    reference = fields.Char(copy=False)
    title = fields.Char(copy=False)
    summary = fields.Text(copy=False)
    terms = fields.Text(copy=False)
    date = fields.Date("Quote date", copy=False)
    expiry_date = fields.Date("Expires on", copy=False)
    currency_id = fields.Many2one("res.currency", copy=False)
    currency_rate = fields.Float("Xero's rate", digits=(12, 6), copy=False,
                                 help="Units of the quote's currency per unit of the "
                                      "organisation's, as Xero set it (CurrencyRate).")
    subtotal = fields.Monetary(currency_field="currency_id", copy=False)
    total_tax = fields.Monetary(currency_field="currency_id", copy=False)
    total = fields.Monetary(currency_field="currency_id", copy=False)
    base_currency_id = fields.Many2one("res.currency", "Organisation currency",
                                       compute="_compute_base")
    total_base = fields.Monetary("Total in the organisation's currency",
                                 currency_field="base_currency_id", copy=False)
    line_amount_types = fields.Char(copy=False)
    line_items = fields.Json(copy=False, help="The quote's lines as Xero holds them: an invoice "
                                              "made once it is accepted starts from them.")
    account_code = fields.Char("Revenue account", copy=False)
    tracking = fields.Json(copy=False)
    branding_theme_id = fields.Char(copy=False)
    pdf_attachment_id = fields.Many2one("ir.attachment", copy=False, ondelete="set null")
    refreshed_at = fields.Datetime("Read from Xero at", copy=False)
    open = fields.Boolean(compute="_compute_open", store=True,
                          help="A quote that was not deleted in Xero.")

    _lead_unique = compat.Constraint("unique(connection_id, lead_id)",
                                     "An opportunity has one Xero quote per organisation.")

    @api.depends("quote_id", "status")
    def _compute_open(self):
        for link in self:
            link.open = bool(link.quote_id) and link.status not in xero_quotes.GONE

    @api.depends("connection_id.base_currency")
    def _compute_base(self):
        for link in self:
            link.base_currency_id = link.connection_id.sudo()._xero_currency()

    # What the opportunity shows follows at once on the screens that show it.
    _LIVE_FIELDS = {"quote_id", "status", "total", "pdf_attachment_id"}

    def write(self, vals):
        result = super().write(vals)
        if self._LIVE_FIELDS & set(vals):
            for company, links in self.grouped("company_id").items():
                self.env["bus.bus"]._sendone(company, "crm_xero/invoice",
                                             {"lead_ids": links.lead_id.ids})
        return result

    def _xero_status_label(self, status=None):
        status = status or self.status
        return dict(self._fields["status"]._description_selection(self.env)).get(
            status, status or "")

    def _xero_url(self):
        self.ensure_one()
        connection = self.connection_id.sudo()
        return connection._xero_endpoints().quote_link(connection.short_code, self.quote_id) \
            if self.quote_id and connection.short_code else False

    def _xero_total_text(self):
        self.ensure_one()
        if not self.currency_id:
            return "%.2f" % self.total
        return format_amount(self.env, self.total, self.currency_id)

    def _xero_replaceable(self):
        """No quote, or one a new quote may take the place of: deleted in
        Xero, or declined by the customer."""
        self.ensure_one()
        return not self.quote_id or self.status in (*xero_quotes.GONE, "DECLINED")

    # -- the write path's answers (see xero_write.py) -------------------------------
    def _xero_apply_write(self, write):
        values = self._xero_values(write.response)
        if write.operation == "quote_create":
            values.update(account_code=write.context_values.get("account_code"),
                          tracking=write.context_values.get("tracking") or [],
                          branding_theme_id=write.context_values.get("theme_id") or False,
                          pdf_attachment_id=False)
        self.write(values)

    def _xero_find_made(self, payload):
        """The quote a create sent as ``payload`` made, if Xero has it: one of
        the customer's quotes changed since the intent, with the same
        reference, title and lines, linked to no other opportunity."""
        self.ensure_one()
        contact_id = (payload.get("Contact") or {}).get("ContactID")
        if not contact_id:
            return None
        connection = self.connection_id
        since = self.env["xero.write"].sudo().search(
            [("link_model", "=", self._name), ("link_id", "=", self.id),
             ("operation", "=", "quote_create")], order="id desc", limit=1).create_date
        recent = connection._xero_call(lambda gw: list(gw.iter_quotes(
            contact_id=contact_id, modified_since=since - WATERMARK_MARGIN if since else None)))
        taken = set(self.search([("connection_id", "=", connection.id), ("id", "!=", self.id),
                                 ("quote_id", "in", [q["QuoteID"] for q in recent])])
                    .mapped("quote_id"))
        return xero_quotes.find_made(recent, payload, taken)

    def _xero_last_sent(self, operations=("quote_create", "quote_update")):
        """What this link's last write of ``operations`` Xero applied set on
        the quote: its payload, less what only a create sends."""
        self.ensure_one()
        last = self.env["xero.write"].sudo().search([
            ("link_model", "=", self._name), ("link_id", "=", self.id),
            ("operation", "in", list(operations)), ("state", "=", "done"),
            ("target_id", "=", self.quote_id)], order="id desc", limit=1)
        return xero_quotes.as_update(last.payload) if last else None

    def _xero_note_write(self, write):
        if write.operation == "quote_delete":
            return   # with its opportunity: nothing left to note it on
        said = {"number": self.number, "total": self._xero_total_text()}
        text = (_("Quote %(number)s created in Xero (%(total)s).", **said)
                if write.operation == "quote_create" else
                _("Quote %(number)s updated in Xero (%(total)s).", **said))
        self.lead_id._message_log(body=text, author_id=write.user_id.partner_id.id)

    def _xero_summary(self):
        self.ensure_one()
        return {"quote_id": self.quote_id, "number": self.number, "status": self.status,
                "status_label": self._xero_status_label(), "total": self._xero_total_text(),
                "open": self.open}

    def _xero_values(self, quote):
        """What the link keeps of a Xero quote."""
        values = xero_quotes.quote_values(quote)
        return {
            "quote_id": values["quote_id"], "number": values["number"],
            "status": values["status"], "reference": values["reference"],
            "title": values["title"], "summary": values["summary"], "terms": values["terms"],
            "date": values["date"], "expiry_date": values["expiry_date"],
            "currency_id": self.connection_id._xero_currency(values["currency"]).id,
            "currency_rate": values["currency_rate"], "subtotal": values["subtotal"],
            "total_tax": values["total_tax"], "total": values["total"],
            "total_base": values["total_base"],
            "line_amount_types": values["line_amount_types"],
            "line_items": values["line_items"], "refreshed_at": fields.Datetime.now(),
        }

    # -- reading statuses back ---------------------------------------------------------
    def _xero_refresh_one(self, priority="interactive"):
        """Read this quote from Xero (one call) and apply it."""
        self.ensure_one()
        quote = self.connection_id._xero_call(lambda gw: gw.get_quote(self.quote_id), priority)
        self._xero_apply_refresh(quote)
        return self

    def _xero_apply_refresh(self, quote):
        """Keep what Xero says of the quote, and act on what changed."""
        self.ensure_one()
        if not quote:
            raise UserError(_("Xero has no quote %s in this organisation any more.",
                              self.number or self.quote_id))
        old_status = self.status
        values = self._xero_values(quote)
        values.pop("quote_id")
        self.write(values)
        if old_status and old_status != self.status:
            self.lead_id._message_log(body=_("Xero quote %(number)s is now %(status)s.",
                                             number=self.number,
                                             status=self._xero_status_label()))
            self._xero_status_changed(old_status)

    def _xero_status_changed(self, old_status):
        """Accepted by the customer: the opportunity is won (a setting).  A
        quote accepted then invoiced in Xero between two reads is seen
        Invoiced at once: agreed all the same."""
        lead = self.lead_id
        if self.status in xero_quotes.AGREED and old_status not in xero_quotes.AGREED \
                and self.connection_id.quote_won_enabled and lead.active \
                and lead.type == "opportunity" and not lead.stage_id.is_won:
            lead.sudo().action_set_won()
            lead._message_log(body=_("Won: the customer accepted quote %s in Xero.",
                                     self.number))

    def _xero_read_changed(self, connection, priority="background"):
        """Apply every quote of ``connection``'s organisation that changed
        since the last read (If-Modified-Since; deleted ones are listed only
        when asked for by status), for the quotes linked here.  No call at
        all while no open quote is linked.  Returns how many links changed."""
        links = self.sudo().search([("connection_id", "=", connection.id),
                                    ("quote_id", "!=", False), ("open", "=", True)])
        if not links:
            return 0
        state = connection._xero_sync_state()
        since = state._xero_read().get("quotes_watermark")
        started = fields.Datetime.now()
        by_id = {link.quote_id.lower(): link for link in links}
        changed = 0
        # When each quote that could not be applied changed in Xero (None:
        # unknown): read again next time, the watermark stays before that.
        failed_at = []
        for statuses in (None, ["DELETED"]):
            quotes = connection._xero_call(lambda gw, s=statuses: list(gw.iter_quotes(
                statuses=s, modified_since=since)), priority)
            for quote in quotes:
                link = by_id.get((quote.get("QuoteID") or "").lower())
                if not link:
                    continue
                try:
                    with self.env.cr.savepoint():
                        before = link.status
                        link._xero_apply_refresh(quote)
                        changed += before != link.status
                except Exception as exc:  # noqa: BLE001 - isolate one record, log it
                    _logger.warning("Could not apply Xero quote %s: %s", link.number, exc)
                    link.lead_id._message_log(body=_(
                        "Xero quote %(number)s could not be read back: %(error)s. It is read "
                        "again at the next sync.", number=link.number, error=exc))
                    failed_at.append(parse_xero_datetime(quote.get("UpdatedDateUTC")) or since)
        # The next read starts a little before this one did: the clocks differ.
        watermark = started - WATERMARK_MARGIN
        if failed_at:
            watermark = None if None in failed_at \
                else min(watermark, min(failed_at) - WATERMARK_MARGIN)
        state._xero_state_write(quotes_watermark=watermark, quotes_polled_at=started)
        return changed

    @xero_job
    @api.model
    def _xero_cron_read_quotes(self):
        """Scheduled: each connected organisation's quotes that changed since
        the last run (Xero sends no webhooks for quotes), one commit each.
        An organisation whose day of calls is down to the people's reserve
        waits for the next run; the job stops when its own time is up."""
        connections = self.env["xero.connection"].sudo().search([("state", "=", "connected")])
        done = 0
        compat.job_progress(self.env, done=0, remaining=len(connections))
        for connection in connections:
            try:
                self._xero_read_changed(connection)
            except XeroRateLimited as exc:
                batch_commit.rollback(self.env.cr)
                _logger.info("Xero quotes of company %s wait: %s", connection.company_id.id, exc)
                continue
            except (XeroError, UserError) as exc:
                batch_commit.rollback(self.env.cr)
                if getattr(exc, "reason", None) == "deadline":
                    _logger.info("Xero quotes: the job's time is up; the rest wait")
                    break
                _logger.warning("Xero quotes not read for company %s: %s",
                                connection.company_id.id, exc)
                continue
            done += 1
            compat.job_progress(self.env, done=done, remaining=len(connections) - done)
            batch_commit.commit(self.env.cr)
        compat.job_progress(self.env, done=done, remaining=0)
        return done

    # -- the PDF ---------------------------------------------------------------------
    def _xero_attach_pdf(self, priority="interactive"):
        """Store Xero's PDF of the quote on the opportunity's chatter, in
        place of the one attached before (its note stays)."""
        self.ensure_one()
        pdf = self.connection_id._xero_call(lambda gw: gw.get_quote_pdf(self.quote_id), priority)
        replaced = self.pdf_attachment_id
        if replaced:
            replaced.sudo().unlink()
        attachment = self.env["ir.attachment"].sudo().create({
            "name": "%s.pdf" % (self.number or _("Xero quote")), "raw": pdf,
            "mimetype": "application/pdf", "res_model": "crm.lead", "res_id": self.lead_id.id,
        })
        self.pdf_attachment_id = attachment
        self.lead_id._message_log(
            body=_("Xero's PDF of quote %(number)s (%(status)s).", number=self.number,
                   status=self._xero_status_label()),
            attachment_ids=attachment.ids)
        return attachment
