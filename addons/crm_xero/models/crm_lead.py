"""Opportunities: what they show of their Xero invoices (read from the
bindings, models/xero_invoice_link.py: all of them in a list, the latest in
the fields below), View, Refresh, Attach Xero PDF, and the check made when an
opportunity with a stale invoice is opened.

Create / Update / Delete have files of their own (crm_lead_invoice_*.py);
what an invoice is made of is in crm_lead_invoice.py.
"""
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import invoices as xero_invoices
from ..xero import quotes as xero_quotes
from .xero_actions import RELOAD, notification, open_url
from .xero_deadline import in_time
from .xero_errors import xero_action
from .xero_invoice_link import INVOICE_STATUSES

# crm.lead field -> xero.invoice.link field it shows
_SHOWN = {
    "xero_invoice_id": "invoice_id", "xero_invoice_number": "number",
    "xero_invoice_status": "status", "xero_invoice_currency_id": "currency_id",
    "xero_invoice_total": "total", "xero_invoice_amount_due": "amount_due",
    "xero_invoice_amount_paid": "amount_paid", "xero_invoice_due_date": "due_date",
    "xero_invoice_paid_on": "paid_on", "xero_invoice_refreshed_at": "refreshed_at",
    "xero_invoice_account_code": "account_code", "xero_invoice_online_url": "online_url",
    "xero_invoice_overdue": "overdue", "xero_invoice_open": "open",
    "xero_invoice_rate": "currency_rate", "xero_invoice_base_currency_id": "base_currency_id",
    "xero_invoice_total_base": "total_base",
}
# An invoice read longer ago than this is read again when the form opens.
STALE_AFTER = timedelta(minutes=5)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    xero_invoice_link_ids = fields.One2many("xero.invoice.link", "lead_id", readonly=True,
                                            string="Xero invoice links")
    # What the form lists: the invoices that count (not voided or deleted,
    # nor a place a refused create left empty), so its sums are the deal's.
    xero_invoice_counted_ids = fields.One2many(
        "xero.invoice.link", "lead_id", readonly=True, string="Xero invoices of the deal",
        domain=[("open", "=", True)])
    xero_invoice_link_id = fields.Many2one("xero.invoice.link", "Xero invoice binding",
                                           compute="_compute_xero_invoice",
                                           search="_search_xero_invoice_link_id")
    # What the opportunity shows of its invoice: computed from the binding,
    # never written here (only the write path and the Xero jobs write it).
    xero_invoice_id = fields.Char("Xero invoice id", compute="_compute_xero_invoice",
                                  search="_search_xero_invoice_id")
    xero_invoice_number = fields.Char("Xero invoice", compute="_compute_xero_invoice",
                                      search="_search_xero_invoice_number")
    xero_invoice_status = fields.Selection(INVOICE_STATUSES, "Xero invoice status",
                                           compute="_compute_xero_invoice",
                                           search="_search_xero_invoice_status")
    xero_invoice_currency_id = fields.Many2one("res.currency", "Xero invoice currency",
                                               compute="_compute_xero_invoice")
    xero_invoice_total = fields.Monetary("Xero invoice total", compute="_compute_xero_invoice",
                                         currency_field="xero_invoice_currency_id")
    xero_invoice_amount_due = fields.Monetary("Xero amount due", compute="_compute_xero_invoice",
                                              currency_field="xero_invoice_currency_id")
    xero_invoice_amount_paid = fields.Monetary("Xero amount paid",
                                               compute="_compute_xero_invoice",
                                               currency_field="xero_invoice_currency_id")
    xero_invoice_due_date = fields.Date("Xero due date", compute="_compute_xero_invoice")
    xero_invoice_paid_on = fields.Date("Paid on", compute="_compute_xero_invoice")
    xero_invoice_refreshed_at = fields.Datetime("Xero invoice read at",
                                                compute="_compute_xero_invoice")
    xero_invoice_account_code = fields.Char("Xero revenue account",
                                            compute="_compute_xero_invoice")
    xero_invoice_online_url = fields.Char("Online invoice", compute="_compute_xero_invoice")
    xero_invoice_overdue = fields.Boolean("Xero invoice overdue", compute="_compute_xero_invoice")
    xero_invoice_rate = fields.Float("Xero's invoice rate", digits=(12, 6),
                                     compute="_compute_xero_invoice")
    xero_invoice_base_currency_id = fields.Many2one("res.currency",
                                                    compute="_compute_xero_invoice")
    xero_invoice_total_base = fields.Monetary("Total in the organisation's currency",
                                              compute="_compute_xero_invoice",
                                              currency_field="xero_invoice_base_currency_id")
    xero_invoice_url = fields.Char("Xero invoice link", compute="_compute_xero_invoice")
    xero_invoice_open = fields.Boolean(
        "Has a Xero invoice", compute="_compute_xero_invoice",
        search="_search_xero_invoice_open",
        help="The opportunity has a Xero invoice that was not deleted or voided.")
    xero_connected = fields.Boolean(compute="_compute_xero_connected")
    xero_credit_warning = fields.Boolean("Customer overdue in Xero",
                                         compute="_compute_xero_credit_warning")
    xero_credit_warning_text = fields.Char(compute="_compute_xero_credit_warning")

    # -- which organisation ----------------------------------------------------------------
    def _xero_company(self):
        self.ensure_one()
        return self.company_id or self.env.company

    def _xero_connection(self):
        """The connection of the opportunity's company (sudo; may be empty)."""
        return self.env["xero.connection"]._xero_for_company(self._xero_company(), create=False)

    xero_invoice_count = fields.Integer("Xero invoices", compute="_compute_xero_invoice")

    @api.depends("xero_invoice_link_ids.invoice_id", "xero_invoice_link_ids.status",
                 "xero_invoice_link_ids.amount_due", "xero_invoice_link_ids.refreshed_at",
                 "company_id")
    @api.depends_context("company")
    def _compute_xero_invoice(self):
        for lead in self:
            # The latest invoice (the last place; one that counts before a
            # voided or deleted one) of the company's organisation.
            links = lead.sudo().xero_invoice_link_ids.filtered("invoice_id").sorted("sequence")
            company = lead._xero_company()
            mine = links.filtered(lambda l: l.company_id == company) or links
            link = mine.filtered("open")[-1:] or mine[-1:]
            lead.xero_invoice_count = len(mine.filtered("open"))
            lead.xero_invoice_link_id = link
            for field, source in _SHOWN.items():
                lead[field] = link[source] if link else False
            lead.xero_invoice_url = link._xero_url() if link else False

    def _search_xero_invoice_link_id(self, operator, value):
        if operator in ("any", "not any", "in", "not in", "=", "!="):
            return [("xero_invoice_link_ids", operator, value)]
        raise UserError(_("Unsupported search on the Xero invoice: %s", operator))

    # Searching what the opportunity shows searches its binding.
    def _search_xero_invoice_id(self, operator, value):
        return [("xero_invoice_link_ids", "any", [("invoice_id", operator, value)])]

    def _search_xero_invoice_number(self, operator, value):
        return [("xero_invoice_link_ids", "any", [("number", operator, value)])]

    def _search_xero_invoice_status(self, operator, value):
        return [("xero_invoice_link_ids", "any", [("status", operator, value)])]

    def _search_xero_invoice_open(self, operator, value):
        return [("xero_invoice_link_ids", "any", [("open", operator, value)])]

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_xero_connected(self):
        connected = set(self.env["xero.connection"].sudo().search(
            [("state", "=", "connected")]).company_id.ids)
        for lead in self:
            lead.xero_connected = lead._xero_company().id in connected

    @api.depends("partner_id", "company_id")
    @api.depends_context("company")
    def _compute_xero_credit_warning(self):
        warnings = self.env["xero.contact.link"]._xero_overdue_warnings(
            [(lead._xero_company(), lead.partner_id.commercial_partner_id)
             for lead in self])
        for lead in self:
            text = warnings.get((lead._xero_company().id,
                                 lead.partner_id.commercial_partner_id.id))
            lead.xero_credit_warning = bool(text)
            lead.xero_credit_warning_text = text or False

    def _xero_link(self):
        """The opportunity's invoice link (sudo; may be empty)."""
        self.ensure_one()
        return self.sudo().xero_invoice_link_id

    # -- buttons -------------------------------------------------------------------------
    @xero_action
    def action_xero_view_invoice(self):
        self.ensure_one()
        if not self.xero_invoice_url:
            raise UserError(_("This opportunity has no Xero invoice to open."))
        return open_url(self.xero_invoice_url)

    @xero_action
    def action_xero_refresh_invoice(self):
        """Read status and amounts of the selected opportunities' invoices
        from Xero now (one call per 100 invoices)."""
        self.check_access("read")
        links = self.sudo().xero_invoice_link_ids.filtered("invoice_id")
        if not links:
            raise UserError(_("None of these opportunities has a Xero invoice."))
        refreshed = failed = links.browse()
        for connection, group in links.grouped("connection_id").items():
            connection._xero_check_usable()
            done, bad = group._xero_refresh()
            refreshed, failed = refreshed | done, failed | bad
        if failed:
            return notification(_("%(done)s invoice(s) refreshed; %(failed)s could not be read "
                                  "from Xero (see their chatter).", done=len(refreshed),
                                  failed=len(failed)), "warning", RELOAD)
        if len(refreshed) == 1:
            return notification(_("%(number)s is %(status)s in Xero.", number=refreshed.number,
                                  status=refreshed._xero_status_label()), "success", RELOAD)
        return notification(_("%s invoices refreshed from Xero.", len(refreshed)), "success",
                            RELOAD)

    @xero_action
    def action_xero_attach_pdf(self):
        """Attach Xero's PDF of the invoice to the opportunity's chatter."""
        self.ensure_one()
        self.check_access("write")
        link = self._xero_link()
        if not link.invoice_id or link.status == "DELETED":
            raise UserError(_("This opportunity has no Xero invoice to attach."))
        link.connection_id._xero_check_usable()
        link._xero_attach_pdf()
        return notification(_("Xero's PDF of %s is attached to the opportunity.", link.number),
                            "success", RELOAD)

    @in_time
    def action_xero_check_invoice(self):
        """Called in the background when an opportunity is opened: if its
        invoices (or its quote: Xero sends no webhooks for quotes) were read
        from Xero a while ago, read them again.  Never raises for Xero;
        returns True when something changed."""
        self.ensure_one()
        stale = fields.Datetime.now() - STALE_AFTER
        links = self.sudo().xero_invoice_link_ids.filtered(
            lambda l: l.invoice_id and l.status in xero_invoices.OPEN
            and l.connection_id.state == "connected"
            and not (l.refreshed_at and l.refreshed_at > stale))
        quote = self.sudo().xero_quote_link_ids.filtered(
            lambda q: q.open and q.connection_id.state == "connected"
            and q.status in xero_quotes.OPEN
            and not (q.refreshed_at and q.refreshed_at > stale))[:1]
        if not links and not quote:
            return False
        self.check_access("read")
        changed = False
        try:
            for connection, group in links.grouped("connection_id").items():
                before = [(l.status, l.amount_due) for l in group]
                with connection._xero_fresh_env() as env:
                    group.with_env(env)._xero_refresh()
                    after = group.with_env(env)
                    changed |= [(l.status, l.amount_due) for l in after] != before
            if quote:
                before = quote.status
                with quote.connection_id._xero_fresh_env() as env:
                    changed |= quote.with_env(env)._xero_refresh_one().status != before
        except Exception:  # noqa: BLE001 - Xero busy or down: read again later
            return changed
        return changed

    # -- the delete prompt ----------------------------------------------------------------
    @api.model
    def xero_delete_confirmation(self, lead_ids):
        """The delete prompt for these leads when one has a Xero draft or a
        quote deleted with it, in our own words, and the notice once they are
        deleted; False: Odoo's own prompt.  Called by the web client before it
        asks (static/src/delete_prompt); no call to Xero."""
        leads = self.browse(lead_ids).exists()
        leads.check_access("read")   # a public method: only leads the caller may see
        links = leads.sudo().xero_invoice_link_ids.filtered("open")
        quotes = leads._xero_quotes_to_delete(leads.sudo().xero_quote_link_ids)
        if not links:
            return self._xero_quote_delete_prompt(leads, quotes) if quotes else False
        numbers = ", ".join(links.mapped(lambda l: l.number or l.invoice_id))
        if len(links) > 1 and len(leads) == 1:
            title = _("Delete the opportunity and its Xero drafts?")
            body = _("Deleting %(lead)s also deletes its draft invoices in Xero (%(numbers)s). "
                     "If Xero no longer treats one of them as a draft (approved or paid "
                     "meanwhile), nothing is deleted and you are told why.", lead=leads.name,
                     numbers=numbers)
        elif len(links) == 1 and len(leads) == 1:
            title = _("Delete the opportunity and its Xero draft?")
            body = _("Deleting %(lead)s also deletes its draft invoice %(number)s in Xero. If "
                     "Xero no longer treats it as a draft (approved or paid meanwhile), nothing "
                     "is deleted and you are told why.", lead=leads.name, number=numbers)
        else:
            title = _("Delete the opportunities and their Xero drafts?")
            body = _("Deleting these %(count)s opportunities also deletes their draft "
                     "invoices in Xero (%(numbers)s). If Xero no longer treats one of them as a "
                     "draft (approved or paid meanwhile), nothing is deleted and you are told "
                     "why.", count=len(leads), numbers=numbers)
        done = _("Draft invoice %s deleted in Xero.", numbers) if len(links) == 1 else \
            _("Draft invoices %s deleted in Xero.", numbers)
        if quotes:
            quote_prompt = self._xero_quote_delete_prompt(leads, quotes)
            body = "%s %s" % (body, quote_prompt["body"])
            done = "%s %s" % (done, quote_prompt["done"])
        return {"title": title, "body": body, "confirm_label": _("Delete"),
                "cancel_label": _("Keep it"), "done": done}

    @api.model
    def _xero_quote_delete_prompt(self, leads, quotes):
        """The delete prompt's words for the quotes deleted with ``leads``."""
        numbers = ", ".join(quotes.mapped(lambda q: q.number or q.quote_id))
        if len(leads) == 1:
            title = _("Delete the opportunity and its Xero quote?")
            body = _("Deleting %(lead)s also deletes its quote %(number)s in Xero. If the "
                     "customer accepted it meanwhile, nothing is deleted and you are told why.",
                     lead=leads.name, number=numbers)
        else:
            title = _("Delete the opportunities and their Xero quotes?")
            body = _("Deleting these %(count)s opportunities also deletes their quotes in Xero "
                     "(%(numbers)s). If the customer accepted one of them meanwhile, nothing is "
                     "deleted and you are told why.", count=len(leads), numbers=numbers)
        done = _("Quote %s deleted in Xero.", numbers) if len(quotes) == 1 else \
            _("Quotes %s deleted in Xero.", numbers)
        return {"title": title, "body": body, "confirm_label": _("Delete"),
                "cancel_label": _("Keep it"), "done": done}
