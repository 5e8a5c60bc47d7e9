"""Creating, updating and deleting an opportunity's Xero draft invoice.

Exactly once: a create sends an Idempotency-Key that is written on the lead
before the call. If Xero's answer is lost (or Xero is busy), the button does not
fail: it keeps the key, commits, and says so; the next attempt sends the same
key and Xero replays the invoice it made instead of making a second one. The
lead's row is locked (`FOR UPDATE NOWAIT`) while a button works on it, so a
double click is refused rather than sent twice.
"""
import logging
import uuid

import psycopg2

from odoo import _, models
from odoo.tools import format_amount
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..xero import invoice_mapping as im
from ..xero.errors import XeroRateLimited, XeroUnavailable, XeroValidationError
from .ui_actions import CLOSE, RELOAD, xero_notification
from .xero_connection import RECONNECT_MESSAGE, XeroUserError

_logger = logging.getLogger(__name__)


def _transient(exc):
    """Xero's outcome is unknown or it asked to wait: keep the key, try again."""
    return isinstance(getattr(exc, "xero_error", None), (XeroUnavailable, XeroRateLimited))


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # -- checks ------------------------------------------------------------------
    def _xero_invoice_connection(self):
        """The connection of the lead's company, usable, or a clear error."""
        self.ensure_one()
        company = self.company_id or self.env.company
        connection = self.env["xero.connection"]._xero_for_company(company, create=False)
        if not connection:
            raise UserError(_("%s is not connected to Xero yet. An administrator can connect it "
                              "in Settings > CRM > Xero.", company.name))
        connection._xero_check_usable()
        return connection

    def _xero_check_invoiceable(self):
        self.ensure_one()
        if self.xero_invoice_open:
            raise UserError(_("This opportunity already has the Xero invoice %s: use Update "
                              "Draft Invoice on Xero.", self.xero_invoice_number))
        if not self.partner_id:
            raise UserError(_("Set the opportunity's customer first: the Xero invoice is "
                              "addressed to that company."))

    def _xero_customer(self):
        return self.partner_id.commercial_partner_id

    def _xero_customer_link(self, connection):
        """The customer's Xero contact link in `connection`'s organisation."""
        self.ensure_one()
        return self.env["xero.contact.link"].sudo().search([
            ("connection_id", "=", connection.id), ("partner_id", "=", self._xero_customer().id),
            ("contact_id", "!=", False)], limit=1)

    def _xero_check_customer(self, link):
        customer = self._xero_customer()
        if not link:
            raise UserError(_("%s is not in Xero yet: export it to Xero first (Export to Xero on "
                              "the account).", customer.display_name))
        if link.contact_status == "ARCHIVED":
            raise UserError(_("%s is archived in Xero, which refuses invoices for archived "
                              "contacts. Restore the contact in Xero, then try again.",
                              customer.display_name))

    # -- the invoice -----------------------------------------------------------------
    def _xero_quotation(self):
        """The confirmed (else latest) quotation when sale_crm is installed."""
        if "order_ids" not in self._fields:
            return None
        orders = self.order_ids.filtered(lambda o: o.state != "cancel")
        confirmed = orders.filtered(lambda o: o.state == "sale")
        pool = confirmed or orders
        return pool.sorted(lambda o: (o.date_order or o.create_date, o.id))[-1:] or None

    def _xero_invoice_lines(self, account_code):
        """(Xero line items, currency code) from the quotation or the opportunity."""
        order = self._xero_quotation()
        if order:
            lines = [{"description": line.name, "quantity": line.product_uom_qty,
                      "price_unit": line.price_unit, "discount": line.discount}
                     for line in order.order_line if not line.display_type]
            return im.quotation_lines(lines, account_code), order.currency_id.name
        description = html2plaintext(self.description) if self.description else ""
        if not self.expected_revenue:
            return [], self.company_currency.name
        return ([im.opportunity_line(self.name, description, self.expected_revenue, account_code)],
                self.company_currency.name)

    def _xero_invoice_payload(self, connection, contact_id, account_code, create=True):
        """The invoice for Xero, or a UserError saying what is missing."""
        self.ensure_one()
        settings = connection._xero_invoice_settings()
        problem = im.account_problem(account_code, settings["accounts"])
        if problem:
            raise UserError(problem)
        lines, currency = self._xero_invoice_lines(account_code)
        problem = im.lines_problem(lines)
        if problem:
            raise UserError(problem)
        if currency not in im.enabled_currencies(settings["organisation"], settings["currencies"]):
            raise UserError(_(
                "The opportunity is in %(currency)s, which the Xero organisation %(org)s does not "
                "use. Enable %(currency)s in Xero (Settings > Currencies) and try again.",
                currency=currency, org=connection.tenant_name))
        base_url = self.get_base_url()
        return im.invoice_payload(
            contact_id, lines, currency,
            im.line_amount_types(settings["organisation"].get("DefaultSalesTax")),
            im.reference(self.id, self.name), "%s/odoo/crm/%s" % (base_url, self.id), create)

    def _xero_lock(self):
        """Row-lock the leads for this transaction, or refuse at once."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute("SELECT id FROM crm_lead WHERE id IN %s FOR UPDATE NOWAIT",
                                    [tuple(self.ids)], log_exceptions=False)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            raise UserError(_("Someone (or a double click) is already sending this opportunity to "
                              "Xero. Wait a moment and reload the page.")) from None
        self.invalidate_recordset()

    def _xero_create_invoice(self, account_code, export_customer=False, main_person=None):
        """Create the draft invoice in Xero and keep its values here."""
        self.ensure_one()
        connection = self._xero_invoice_connection()
        self._xero_lock()
        self._xero_check_invoiceable()
        link = self._xero_customer_link(connection)
        exported = False
        if not link and export_customer:
            customer = self._xero_customer().with_company(connection.company_id)
            customer._xero_export_contact(main_person=main_person)
            link, exported = self._xero_customer_link(connection), True
        self._xero_check_customer(link)
        payload = self._xero_invoice_payload(connection, link.contact_id, account_code)
        pending = self.xero_invoice_idempotency_key if self.xero_connection_id == connection \
            else False
        key = pending or "odoo-crm-lead-%s-%s" % (self.id, uuid.uuid4().hex)
        self.sudo().write({"xero_invoice_idempotency_key": key, "xero_connection_id": connection.id})
        try:
            invoice = connection._xero_call(
                lambda gateway: gateway.create_invoice(payload, idempotency_key=key))
        except XeroUserError as exc:
            if _transient(exc):
                _logger.info("Xero invoice create for lead %s unconfirmed; key kept", self.id)
                return xero_notification(_(
                    "%s Odoo kept the request: click Create Draft Invoice on Xero again in a "
                    "moment, and Xero will not make a second invoice.", exc.args[0]),
                    "warning", CLOSE)
            message = self._xero_explain(exc, account_code)
            if pending or exported:
                # A definitive answer: the next attempt must not replay it. Keep the
                # export's contact link, forget the key, say why (nothing else written).
                self.sudo().write({"xero_invoice_idempotency_key": False})
                return xero_notification(message, "danger", CLOSE)
            raise UserError(message) from None
        values = self._xero_invoice_write_values(invoice)
        values.update(xero_invoice_account_code=account_code, xero_invoice_idempotency_key=False)
        self.sudo().write(values)
        self.message_post(body=_("Draft invoice %(number)s created in Xero (%(total)s).",
                                 number=self.xero_invoice_number, total=self._xero_total_text(invoice)))
        return xero_notification(_("Draft invoice %s created in Xero.", self.xero_invoice_number),
                                 "success", CLOSE)

    def _xero_total_text(self, invoice):
        """The invoice's total as the user reads amounts ("$ 1,150.00")."""
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", invoice.get("CurrencyCode"))], limit=1)
        if not currency:
            return f"{invoice.get('CurrencyCode')} {invoice.get('Total')}"
        return format_amount(self.env, float(invoice.get("Total") or 0), currency)

    def _xero_explain(self, exc, account_code=None):
        """Xero's refusal, in words that say what to do."""
        error = getattr(exc, "xero_error", None)
        if isinstance(error, XeroValidationError):
            text = " ".join(error.messages).lower()
            if "archived" in text and "account" in text:
                known = self.xero_connection_id._xero_invoice_settings()["accounts"] \
                    if self.xero_connection_id else []
                account = next((a for a in known if a.get("Code") == account_code),
                               {"Code": account_code, "Class": im.REVENUE_CLASS})
                return im.account_problem(account_code, [dict(account, Status="ARCHIVED")])
            if "archived" in text:
                return _("%s is archived in Xero, which refuses invoices for archived contacts. "
                         "Restore the contact in Xero, then try again.",
                         self._xero_customer().display_name)
            if im.not_modifiable(error.messages):
                return self._xero_not_draft_message()
        return exc.args[0]

    def _xero_not_draft_message(self, status=None):
        return _("Xero invoice %(number)s is no longer a draft (%(status)s in Xero): only drafts "
                 "can be changed from Odoo. Make further changes in Xero.",
                 number=self.xero_invoice_number, status=status or self._xero_status_label())

    # -- update ------------------------------------------------------------------------
    def _xero_update_invoice(self):
        self.ensure_one()
        if not self.xero_invoice_open:
            raise UserError(_("This opportunity has no Xero invoice to update."))
        connection = self.xero_connection_id
        if not connection:
            raise UserError(_("This opportunity's Xero organisation is unknown. %s",
                              RECONNECT_MESSAGE))
        connection._xero_check_usable()
        self._xero_lock()
        invoice_id = self.xero_invoice_id
        # Status first: Xero's word, not what Odoo last saw.
        current = connection._xero_call(lambda gateway: gateway.get_invoice(invoice_id))
        if (current.get("Status") or "").upper() not in im.UPDATABLE:
            self._xero_apply_refresh(current)
            return xero_notification(self._xero_not_draft_message(), "danger", RELOAD)
        link = self._xero_customer_link(connection)
        self._xero_check_customer(link)
        account = self.xero_invoice_account_code or next(
            (line.get("AccountCode") for line in current.get("LineItems") or []), False)
        payload = self._xero_invoice_payload(connection, link.contact_id, account, create=False)
        try:
            invoice = connection._xero_call(
                lambda gateway: gateway.update_invoice(invoice_id, payload))
        except XeroUserError as exc:
            raise UserError(self._xero_explain(exc, account)) from None
        self.sudo().write(self._xero_invoice_write_values(invoice))
        self.message_post(body=_("Draft invoice %(number)s updated in Xero (%(total)s).",
                                 number=self.xero_invoice_number, total=self._xero_total_text(invoice)))
        return xero_notification(_("Draft invoice %s updated in Xero.", self.xero_invoice_number),
                                 "success", RELOAD)

    # -- delete ---------------------------------------------------------------------------
    def _xero_delete_invoices(self):
        """Delete the leads' Xero drafts, all or nothing as far as Odoo goes:
        every status is read from Xero first (one call per 100 invoices), and
        if any invoice can't be deleted, or Xero can't be reached, nothing is."""
        leads = self.filtered("xero_invoice_open")
        if not leads:
            return
        leads._xero_lock()
        to_delete, refused = [], []
        for connection, group in leads.grouped("xero_connection_id").items():
            if not connection or connection.state != "connected":
                raise UserError(_(
                    "%(lead)s has the Xero invoice %(number)s, and Xero is not connected. %(what)s "
                    "Nothing was deleted.", lead=group[0].name, number=group[0].xero_invoice_number,
                    what=RECONNECT_MESSAGE))
            found = {}
            for batch in im.batches(group.mapped("xero_invoice_id"), 100):
                try:
                    found.update(connection._xero_fetch_invoices(batch))
                except UserError as exc:
                    raise UserError(_("The opportunity was not deleted: %s", exc.args[0])) from None
            for lead in group:
                status = (found.get(lead.xero_invoice_id.lower()) or {}).get("Status", "DELETED")
                if status in im.DELETABLE:
                    to_delete.append((connection, lead))
                elif status not in im.GONE:
                    refused.append("%s (%s, %s)" % (lead.name, lead.xero_invoice_number,
                                                    dict(self._fields["xero_invoice_status"]
                                                         .selection).get(status, status)))
        if refused:
            raise UserError(_(
                "Nothing was deleted: Xero no longer treats these invoices as drafts, and "
                "deleting the opportunity would leave them behind: %s. Void the invoice in Xero "
                "first (a paid one needs its payment removed), or archive the opportunity "
                "instead.", "; ".join(refused)))
        done = []
        for connection, lead in to_delete:
            invoice_id = lead.xero_invoice_id
            try:
                connection._xero_call(lambda gateway: gateway.delete_invoice(
                    invoice_id, idempotency_key="odoo-crm-lead-%s-delete-%s" % (lead.id, invoice_id)))
            except UserError as exc:
                already = _(" %s draft(s) were already deleted in Xero.", len(done)) if done else ""
                raise UserError(_("The opportunities were not deleted: %(error)s%(already)s",
                                  error=exc.args[0], already=already)) from None
            done.append(lead)
        _logger.info("Deleted %s Xero draft invoice(s) with their opportunities", len(done))
