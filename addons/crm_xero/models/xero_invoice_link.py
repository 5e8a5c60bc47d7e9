"""The bindings between an opportunity and its Xero invoices, per connection
(several: a deposit, progress invoices, the final one; each in its place,
``sequence``), and the jobs on them: refresh statuses and amounts (100 invoices a call), the
invoice's PDF on the opportunity, and what follows a payment or a due date.

What the opportunity shows of its invoice (crm.lead.xero_invoice_*) is read
from here; only the write path and these jobs write it.
"""
import logging
import time
from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .. import compat
from ..xero import invoices as xero_invoices
from ..xero import limits
from ..xero.errors import XeroError
from .xero_deadline import xero_job

_logger = logging.getLogger(__name__)

# What part of the deal an invoice is (models/crm_lead_invoice.py makes them).
PART_KINDS = [("whole", "The whole deal"), ("deposit", "Deposit"),
              ("progress", "Progress invoice"), ("final", "Final invoice")]
INVOICE_STATUSES = [
    ("DRAFT", "Draft"), ("SUBMITTED", "Awaiting approval"), ("AUTHORISED", "Awaiting payment"),
    ("PAID", "Paid"), ("VOIDED", "Voided"), ("DELETED", "Deleted"),
]
# (dbname, connection id, tenant id) -> (monotonic expiry, settings dict):
# this process's copy of what the organisation's shared state keeps for
# every worker.  Accounts, currencies, taxes, items, tracking and themes
# change rarely, and opening the wizard must not cost seven calls each time.
_SETTINGS_CACHE = {}
SETTINGS_TTL = 600


def xero_clear_invoice_settings_cache():
    _SETTINGS_CACHE.clear()


class XeroInvoiceLink(models.Model):
    _name = "xero.invoice.link"
    _inherit = ["xero.link"]
    _description = "Xero invoice of an opportunity"
    _rec_name = "number"
    # No _xero_owner_field: an opportunity has several invoice links, each
    # made by _xero_ensure_slot (xero.link's one-per-owner row does not apply).

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(
        "Place", default=1, required=True, copy=False,
        help="The invoice's place among its opportunity's invoices (1: the first).")
    part_kind = fields.Selection(PART_KINDS, "Part", default="whole", copy=False,
                                 help="The whole deal, a deposit, a progress invoice or the "
                                      "final one for what was left.")
    part_percent = fields.Float("Part (%)", copy=False,
                                help="A deposit or progress invoice asked as a percentage of the "
                                     "deal: an update takes the same share of the deal as it is "
                                     "then.")
    part_amount = fields.Float("Part (amount)", copy=False,
                               help="A deposit or progress invoice asked as an amount.")
    lines_amount = fields.Monetary(
        "Invoiced", currency_field="currency_id", copy=False,
        help="What the invoice's lines add up to (before tax when prices exclude tax): what "
             "it takes of the deal's total.")
    lines_read = fields.Boolean(
        "Lines read", copy=False,
        help="The invoice's lines were read from Xero, so what it takes of the deal is known "
             "(an invoice kept by an upgrade from 2.1 is read once in the background).")
    currency_rate = fields.Float("Xero's rate", digits=(12, 6), copy=False,
                                 help="Units of the invoice's currency per unit of the "
                                      "organisation's, as Xero set it (CurrencyRate).")
    base_currency_id = fields.Many2one("res.currency", "Organisation currency",
                                       compute="_compute_base")
    total_base = fields.Monetary("Total in the organisation's currency",
                                 currency_field="base_currency_id", compute="_compute_base")
    invoice_id = fields.Char("Xero invoice id", index="btree_not_null", copy=False)
    number = fields.Char("Xero invoice", copy=False)
    status = fields.Selection(INVOICE_STATUSES, "Status in Xero", copy=False, index=True)
    reference = fields.Char(copy=False)
    currency_id = fields.Many2one("res.currency", copy=False)
    subtotal = fields.Monetary(currency_field="currency_id", copy=False)
    total_tax = fields.Monetary(currency_field="currency_id", copy=False)
    total = fields.Monetary(currency_field="currency_id", copy=False)
    amount_due = fields.Monetary(currency_field="currency_id", copy=False)
    amount_paid = fields.Monetary(currency_field="currency_id", copy=False)
    amount_credited = fields.Monetary(currency_field="currency_id", copy=False)
    date = fields.Date("Invoice date", copy=False)
    due_date = fields.Date(copy=False)
    paid_on = fields.Date("Paid on", copy=False)
    account_code = fields.Char("Revenue account", copy=False)
    tracking = fields.Json(copy=False, help="The tracking options on the lines: "
                                            "[[category, option], ...].")
    branding_theme_id = fields.Char(copy=False)
    online_url = fields.Char("Online invoice", copy=False)
    pdf_attachment_id = fields.Many2one("ir.attachment", copy=False, ondelete="set null")
    pdf_status = fields.Char(copy=False, help="The status the attached PDF shows.")
    pdf_version = fields.Integer(copy=False, help="The version of the invoice the attached PDF "
                                                  "shows (see _xero_version).")
    chase_activity_at = fields.Datetime(copy=False,
                                        help="When the chase-payment activity was scheduled.")
    refreshed_at = fields.Datetime("Read from Xero at", copy=False)
    open = fields.Boolean(compute="_compute_open", store=True,
                          help="An invoice that was not deleted or voided.")
    overdue = fields.Boolean(compute="_compute_overdue")

    # Several invoices per opportunity, each in its own place: two clicks
    # making "the next invoice" at once fill the same place (one invoice).
    _lead_sequence_unique = compat.Constraint(
        "unique(connection_id, lead_id, sequence)",
        "An opportunity's Xero invoices each have their own place.")

    def _auto_init(self):
        # The one-invoice-per-opportunity constraint of earlier versions
        # (migrations/2.2.0 drops it on upgrade; a database made by a 2.2.0
        # before several invoices may still have it).
        self.env.cr.execute("ALTER TABLE IF EXISTS xero_invoice_link "
                            "DROP CONSTRAINT IF EXISTS xero_invoice_link_lead_unique")
        return super()._auto_init()

    @api.depends("currency_rate", "total", "connection_id.base_currency")
    def _compute_base(self):
        for link in self:
            link.base_currency_id = link.connection_id.sudo()._xero_currency()
            # No rate before Xero's was read (an invoice kept by an upgrade): no total.
            link.total_base = link.total / link.currency_rate if link.currency_rate else 0.0

    @api.depends("invoice_id", "status")
    def _compute_open(self):
        for link in self:
            link.open = bool(link.invoice_id) and link.status not in xero_invoices.GONE

    @api.depends("status", "due_date", "amount_due")
    def _compute_overdue(self):
        today = date.today()
        for link in self:
            link.overdue = bool(link.status == "AUTHORISED" and link.due_date
                                and link.due_date < today and link.amount_due > 0)

    # What the opportunity shows follows at once on the screens that show it.
    _LIVE_FIELDS = {"invoice_id", "status", "total", "amount_due", "amount_paid", "paid_on",
                    "online_url", "pdf_attachment_id"}

    def write(self, vals):
        result = super().write(vals)
        if self._LIVE_FIELDS & set(vals):
            for company, links in self.grouped("company_id").items():
                self.env["bus.bus"]._sendone(company, "crm_xero/invoice",
                                             {"lead_ids": links.lead_id.ids})
        return result

    def _xero_status_label(self, status=None):
        return dict(INVOICE_STATUSES).get(status or self.status, status or self.status or "")

    def _xero_url(self):
        self.ensure_one()
        connection = self.connection_id.sudo()
        return connection._xero_endpoints().invoice_link(connection.short_code, self.invoice_id) \
            if self.invoice_id and connection.short_code else False

    def _xero_total_text(self):
        self.ensure_one()
        if not self.currency_id:
            return "%.2f" % self.total
        return format_amount(self.env, self.total, self.currency_id)

    # -- the write path's answers (see xero_write.py) -------------------------------
    def _xero_taken(self):
        """What this invoice takes of the deal: its lines' amount; until they
        are read (an invoice kept by an upgrade from 2.1, read in the
        background at once), its subtotal, which is that amount unless the
        prices included tax."""
        self.ensure_one()
        return self.lines_amount if self.lines_read else self.subtotal

    def _xero_part_asked(self):
        """The part of the deal this invoice was asked for, as the plan
        takes it (None: the whole deal)."""
        self.ensure_one()
        if (self.part_kind or "whole") == "whole":
            return None
        return {"kind": self.part_kind, "percent": self.part_percent,
                "amount": self.part_amount}

    def _xero_apply_write(self, write):
        values = self._xero_values(write.response)
        part = (write.context_values or {}).get("part")
        if part and write.operation == "invoice_update":
            values.update(part_kind=part.get("kind") or "whole",
                          part_percent=part.get("percent") or 0.0,
                          part_amount=part.get("amount") or 0.0)
        if write.operation == "invoice_create":
            part = part or {}
            values.update(account_code=write.context_values.get("account_code"),
                          tracking=write.context_values.get("tracking") or [],
                          branding_theme_id=write.context_values.get("theme_id") or False,
                          part_kind=part.get("kind") or "whole",
                          part_percent=part.get("percent") or 0.0,
                          part_amount=part.get("amount") or 0.0,
                          pdf_attachment_id=False, pdf_status=False, pdf_version=0,
                          chase_activity_at=False,
                          online_url=False)
        self.write(values)

    def _xero_find_made(self, payload):
        """The invoice a create sent as ``payload`` made, if Xero has it: the
        customer's invoice whose Url is this opportunity's (Xero keeps it as
        sent), not deleted or voided, and linked to no other opportunity.
        A paged list carries each invoice whole (its lines too), as a
        create's answer does."""
        self.ensure_one()
        url, contact_id = payload.get("Url"), (payload.get("Contact") or {}).get("ContactID")
        if not url or not contact_id:
            return None
        connection = self.connection_id
        recent = connection._xero_call(lambda gw: gw.get_invoices(
            contact_ids=[contact_id], statuses=list(xero_invoices.OPEN),
            order="UpdatedDateUTC DESC", page=1))["Invoices"]
        taken = set(self.search([("connection_id", "=", connection.id), ("id", "!=", self.id),
                                 ("invoice_id", "in", [i["InvoiceID"] for i in recent])])
                    .mapped("invoice_id"))
        return next((i for i in recent if i.get("Url") == url and i.get("Type") == "ACCREC"
                     and i["InvoiceID"] not in taken), None)

    def _xero_last_sent(self, operations=("invoice_create", "invoice_update")):
        """What this link's last write of ``operations`` Xero applied set on
        the invoice: its payload, less what only a create sends."""
        self.ensure_one()
        last = self.env["xero.write"].sudo().search([
            ("link_model", "=", self._name), ("link_id", "=", self.id),
            ("operation", "in", list(operations)), ("state", "=", "done")],
            order="id desc", limit=1)
        return xero_invoices.as_update(last.payload) if last else None

    def _xero_note_write(self, write):
        if write.operation == "invoice_delete":
            return
        said = {"number": self.number, "total": self._xero_total_text()}
        text = (_("Draft invoice %(number)s created in Xero (%(total)s).", **said)
                if write.operation == "invoice_create" else
                _("Draft invoice %(number)s updated in Xero (%(total)s).", **said))
        self.lead_id._message_log(body=text, author_id=write.user_id.partner_id.id)
        problem = write.context_values.get("expected_total") is not None and \
            xero_invoices.totals_problem(write.context_values["expected_total"], write.response)
        if problem:
            self.lead_id._message_log(body=_("Xero's total differs from the one shown before "
                                             "sending: %s", problem))

    def _xero_summary(self):
        self.ensure_one()
        return {"invoice_id": self.invoice_id, "number": self.number, "status": self.status,
                "part_kind": self.part_kind,
                "status_label": self._xero_status_label(), "total": self._xero_total_text(),
                "open": self.open}

    def _xero_values(self, invoice):
        """What the link keeps of a Xero invoice."""
        values = xero_invoices.invoice_values(invoice)
        return {
            "invoice_id": values["invoice_id"], "number": values["number"],
            "status": values["status"], "reference": values["reference"],
            "currency_id": self.connection_id._xero_currency(values["currency"]).id,
            "currency_rate": values["currency_rate"],
            **({"lines_amount": values["lines_amount"], "lines_read": True}
               if values["lines_amount"] is not None else {}),
            "subtotal": values["subtotal"], "total_tax": values["total_tax"],
            "total": values["total"], "amount_due": values["amount_due"],
            "amount_paid": values["amount_paid"], "amount_credited": values["amount_credited"],
            "date": values["date"], "due_date": values["due_date"],
            "paid_on": values["paid_on"], "refreshed_at": fields.Datetime.now(),
        }

    # -- the place of the next invoice ------------------------------------------------
    @api.model
    def _xero_ensure_slot(self, connection, lead):
        """The link the opportunity's next invoice goes to, committed (so
        that the write path can lock it): its first place without an invoice
        (a create Xero refused, or one whose answer is not applied yet: the
        click that fills it settles that first), else a new place after the
        last.  Two clicks at once get the same place."""
        with connection._xero_fresh_env() as env:
            cr = env.cr
            query = ("SELECT id FROM xero_invoice_link WHERE connection_id = %s AND lead_id = %s "
                     "AND invoice_id IS NULL ORDER BY sequence LIMIT 1")
            cr.execute(query, [connection.id, lead.id])
            row = cr.fetchone()
            if not row:
                cr.execute(
                    "INSERT INTO xero_invoice_link (connection_id, company_id, lead_id, sequence, "
                    "part_kind, open, create_uid, write_uid, create_date, write_date) "
                    "SELECT %s, %s, %s, COALESCE(MAX(sequence), 0) + 1, 'whole', false, %s, %s, "
                    "now() at time zone 'UTC', now() at time zone 'UTC' FROM xero_invoice_link "
                    "WHERE connection_id = %s AND lead_id = %s "
                    "ON CONFLICT (connection_id, lead_id, sequence) DO NOTHING",
                    [connection.id, connection.company_id.id, lead.id, env.uid, env.uid,
                     connection.id, lead.id])
                cr.execute(query, [connection.id, lead.id])
                row = cr.fetchone()
        return self.sudo().browse(row[0])

    # -- the organisation's invoicing settings (cached) -------------------------------
    @api.model
    def _xero_invoice_settings(self, connection, force=False):
        """{'organisation', 'accounts' (revenue class, archived included),
        'currencies', 'tax_rates', 'items', 'tracking' (archived included),
        'themes'} read from Xero, kept SETTINGS_TTL seconds per organisation
        for every worker (the organisation's shared state), and in this
        process's memory."""
        connection._xero_check_usable()
        key = (self.env.cr.dbname, connection.id, connection.tenant_id)
        cached = _SETTINGS_CACHE.get(key)
        if cached and not force and cached[0] > time.monotonic():
            return cached[1]
        state = connection._xero_sync_state()
        if not force:
            row = state._xero_read()
            shared, read_at = row.get("invoice_settings") or {}, row.get("invoice_settings_at")
            age = (fields.Datetime.now() - read_at).total_seconds() if read_at else None
            if shared.get("tenant_id") == connection.tenant_id and age is not None \
                    and 0 <= age < SETTINGS_TTL:
                _SETTINGS_CACHE[key] = (time.monotonic() + SETTINGS_TTL - age, shared["lists"])
                return shared["lists"]

        def read(gateway):
            return {
                "organisation": gateway.get_organisation(),
                "accounts": gateway.get_accounts(where='Class=="%s"' % xero_invoices.REVENUE_CLASS),
                "currencies": gateway.get_currencies(),
                "tax_rates": gateway.get_tax_rates(),
                "items": gateway.get_items(),
                "tracking": gateway.get_tracking_categories(include_archived=True),
                "themes": gateway.get_branding_themes(),
            }
        settings = connection._xero_call(read)
        state._xero_state_write(invoice_settings={"tenant_id": connection.tenant_id,
                                                  "lists": settings},
                                invoice_settings_at=fields.Datetime.now())
        _SETTINGS_CACHE[key] = (time.monotonic() + SETTINGS_TTL, settings)
        return settings

    # -- refreshing statuses and amounts -----------------------------------------------
    def _xero_refresh(self, priority="interactive"):
        """Read these links' invoices (one connection) from Xero, 100 a call,
        and apply them.  A batch Xero refuses is retried link by link, so one
        bad record is logged on its opportunity and skipped; Xero down or
        disconnected raises.  Returns (refreshed, failed)."""
        links = self.filtered("invoice_id")
        refreshed = failed = self.browse()
        if not links:
            return refreshed, failed
        connection = links.connection_id
        connection.ensure_one()
        for start in range(0, len(links), limits.IDS_PER_CALL):
            batch = links[start:start + limits.IDS_PER_CALL]
            try:
                found = {(i.get("InvoiceID") or "").lower(): i for i in connection._xero_call(
                    lambda gw: gw.get_invoices(ids=batch.mapped("invoice_id"), page=1,
                                               page_size=limits.IDS_PER_CALL),
                    priority)["Invoices"]}
            except XeroError as exc:
                if exc.reason != "invalid":
                    raise   # Xero down, busy or disconnected: the whole run waits
                if len(batch) == 1:
                    batch.lead_id._message_log(body=_(
                        "The Xero invoice could not be refreshed: %s", exc))
                    failed |= batch
                    continue
                for link in batch:
                    done, bad = link._xero_refresh(priority)
                    refreshed, failed = refreshed | done, failed | bad
                continue
            for link in batch:
                try:
                    with self.env.cr.savepoint():
                        link._xero_apply_refresh(found.get(link.invoice_id.lower()))
                    refreshed |= link
                except Exception as exc:  # noqa: BLE001 - isolate one record, log it
                    _logger.warning("Could not refresh the Xero invoice of lead %s: %s",
                                    link.lead_id.id, exc)
                    link.lead_id._message_log(body=_("The Xero invoice could not be "
                                                     "refreshed: %s", exc))
                    failed |= link
        return refreshed, failed

    def _xero_apply_refresh(self, invoice):
        """Keep what Xero says of the invoice, and act on what changed."""
        self.ensure_one()
        if not invoice:
            raise UserError(_("Xero has no invoice %s in this organisation any more.",
                              self.number or self.invoice_id))
        old_status = self.status
        values = self._xero_values(invoice)
        values.pop("invoice_id")
        self.write(values)
        if old_status and old_status != self.status:
            self.lead_id._message_log(body=_("Xero invoice %(number)s is now %(status)s.",
                                             number=self.number,
                                             status=self._xero_status_label()))
            self._xero_status_changed(old_status)
        self._xero_check_overdue()

    def _xero_status_changed(self, old_status):
        """On the way to cash: once approved, the PDF and the online invoice
        link; once paid, the salesperson hears of it."""
        connection = self.connection_id
        if self.status == "AUTHORISED":
            try:
                if self.pdf_status != "AUTHORISED":
                    self._xero_attach_pdf(priority="background")
                if not self.online_url:
                    self.online_url = connection._xero_call(
                        lambda gw: gw.get_online_invoice_url(self.invoice_id), "background")
            except XeroError as exc:
                _logger.info("Xero PDF or online invoice of %s not fetched yet: %s",
                             self.number, exc)
        if self.status == "PAID" and connection.paid_activity_enabled:
            lead = self.lead_id
            lead.activity_schedule(
                "crm_xero.mail_activity_xero_paid", user_id=(lead.user_id or self.env.user).id,
                summary=_("Paid in Xero: %s", self.number),
                note=_("Xero invoice %(number)s (%(total)s) was paid on %(date)s.",
                       number=self.number, total=self._xero_total_text(),
                       date=self.paid_on or fields.Date.today()))

    def _xero_check_overdue(self):
        """An invoice overdue by the company's number of days gets one
        "chase payment" activity for the salesperson."""
        connection = self.connection_id
        if not (connection.chase_activity_enabled and self.overdue) or self.chase_activity_at:
            return
        days = (date.today() - self.due_date).days
        if days < max(connection.chase_after_days, 0):
            return
        lead = self.lead_id
        lead.activity_schedule(
            "crm_xero.mail_activity_xero_chase", user_id=(lead.user_id or self.env.user).id,
            summary=_("Chase payment: %s", self.number),
            note=_("Xero invoice %(number)s is %(days)s day(s) overdue: %(due)s still to be paid.",
                   number=self.number, days=days,
                   due=format_amount(self.env, self.amount_due, self.currency_id)
                   if self.currency_id else "%.2f" % self.amount_due))
        self.chase_activity_at = fields.Datetime.now()

    @xero_job
    @api.model
    def _xero_cron_refresh_invoices(self):
        """Scheduled: opportunities' invoices as Xero holds them now, read
        with every other change of the organisation, not by id
        (models/xero_changes.py); overdue ones told to the salesperson."""
        self.env["xero.connection"]._xero_read_changes_everywhere()

    @api.model
    def _xero_chase_overdue(self, connection):
        """Open invoices past their due date: the salesperson's "chase
        payment" activity, when the company wants it (no call: dates)."""
        if not connection.chase_activity_enabled:
            return
        for link in self.sudo().search([
                ("connection_id", "=", connection.id), ("status", "=", "AUTHORISED"),
                ("due_date", "<", fields.Date.today()), ("amount_due", ">", 0),
                ("chase_activity_at", "=", False)]):
            with self.env.cr.savepoint():
                link._xero_check_overdue()

    # -- the PDF ---------------------------------------------------------------------
    def _xero_version(self):
        """The version of the invoice Xero holds, as Odoo made it: 1 once
        created, one more for each update Odoo sent it since."""
        self.ensure_one()
        return 1 + self.env["xero.write"].sudo().search_count([
            ("link_model", "=", self._name), ("link_id", "=", self.id),
            ("operation", "=", "invoice_update"), ("state", "=", "done"),
            ("target_id", "=", self.invoice_id)])

    def _xero_attach_pdf(self, priority="interactive"):
        """Store Xero's PDF of the invoice on the opportunity's chatter: one
        PDF per version of the invoice.  The PDF of the same version (the
        draft's, now approved; a second click) is replaced; a version after
        an update is a new attachment, its name saying which version."""
        self.ensure_one()
        pdf = self.connection_id._xero_call(lambda gw: gw.get_invoice_pdf(self.invoice_id),
                                            priority)
        number = self.number or _("Xero invoice")
        version = self._xero_version()
        name = "%s.pdf" % number if version == 1 else \
            _("%(number)s (version %(version)s).pdf", number=number, version=version)
        replaced = self.pdf_attachment_id if self.pdf_version == version else None
        if replaced:
            # Its note in the chatter stays; the PDF moves to the new note.
            replaced.sudo().unlink()
        attachment = self.env["ir.attachment"].sudo().create({
            "name": name, "raw": pdf, "mimetype": "application/pdf",
            "res_model": "crm.lead", "res_id": self.lead_id.id,
        })
        self.write({"pdf_attachment_id": attachment.id, "pdf_status": self.status,
                    "pdf_version": version})
        said = {"number": self.number, "status": self._xero_status_label()}
        self.lead_id._message_log(
            body=_("Xero's PDF of invoice %(number)s (%(status)s), in place of the one attached "
                   "before.", **said) if replaced else
            _("Xero's PDF of invoice %(number)s (%(status)s).", **said),
            attachment_ids=attachment.ids)
        return attachment
