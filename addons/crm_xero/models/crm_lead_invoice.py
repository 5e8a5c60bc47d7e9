"""What an opportunity's Xero invoice is made of: its customer, its lines,
currency, taxes (Xero's), tracking, branding theme, due date and reference,
and every check that can refuse before anything is sent.

Without sale_crm, one line made from the opportunity; with it, the
quotation's lines (addons/crm_xero_sale overrides ``_xero_source``).
"""
from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..xero import invoices as xero_invoices


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _xero_customer(self):
        return self.partner_id.commercial_partner_id

    def _xero_customer_link(self, connection):
        """The customer's link in ``connection``'s organisation, if linked."""
        self.ensure_one()
        return self.env["xero.contact.link"].sudo().search([
            ("connection_id", "=", connection.id), ("partner_id", "=", self._xero_customer().id),
            ("contact_id", "!=", False)], limit=1)

    def _xero_invoice_connection(self):
        """The connection of the opportunity's company, usable, or a clear error."""
        self.ensure_one()
        connection = self._xero_connection()
        if not connection:
            raise UserError(_("%s is not connected to Xero yet. An administrator can connect it "
                              "in Settings > CRM > Xero.", self._xero_company().name))
        connection._xero_check_usable()
        return connection

    def _xero_check_invoiceable(self):
        self.ensure_one()
        if self.xero_invoice_open:
            raise UserError(_("This opportunity already has the Xero invoice %s: use Update "
                              "Draft Invoice on Xero.", self.xero_invoice_number))
        missing = self._xero_invoice_missing()
        if missing:
            raise UserError(missing)

    def _xero_invoice_missing(self):
        """What the opportunity lacks for a Xero invoice, in a sentence, or
        None: read by the form (where Create Draft Invoice on Xero is) and
        checked by the button.  No call to Xero."""
        self.ensure_one()
        if not self.partner_id:
            return _("Set the opportunity's customer first: the Xero invoice is addressed to "
                     "that company.")
        if self._xero_source()["lines"] is None and not self.expected_revenue:
            return _("There is nothing to invoice yet: enter the expected revenue first, then "
                     "create the Xero invoice.")
        return None

    def _xero_check_customer(self, link):
        customer = self._xero_customer()
        if not link:
            raise UserError(_("%s is not in Xero yet: export it to Xero first (Export to Xero on "
                              "the account).", customer.display_name))
        if link.contact_status == "ARCHIVED":
            raise UserError(_("%s is archived in Xero, which refuses invoices for archived "
                              "contacts. Restore the contact in Xero, then try again.",
                              customer.display_name))

    # -- the source: the opportunity, or its quotation (crm_xero_sale) -------------------
    def _xero_source(self):
        """``{"lines": [...], "currency": code, "quotation": name or None}``:
        lines as dicts (description, quantity, price_unit, discount,
        product_code), or None for the one line made from the opportunity."""
        self.ensure_one()
        return {"lines": None, "currency": self.company_currency.name, "quotation": None}

    def _xero_due_date(self):
        """The due date from the customer's payment terms in Odoo (with
        accounting, see crm_xero_sale); False: Xero's default."""
        return False

    # -- the plan ------------------------------------------------------------------------
    def _xero_invoice_plan(self, connection, contact_id, account_code, tracking=(),
                           theme_id=None, create=True):
        """The invoice for Xero and the totals Xero will compute, or a
        UserError saying what is missing.  ``tracking``: [(category, option)]."""
        self.ensure_one()
        settings = self.env["xero.invoice.link"]._xero_invoice_settings(connection)
        self._xero_raise(xero_invoices.account_problem(account_code, settings["accounts"]))
        self._xero_raise(xero_invoices.tracking_problem(list(tracking), settings["tracking"]))
        self._xero_raise(xero_invoices.theme_problem(theme_id, settings["themes"]))
        source = self._xero_source()
        if source["lines"] is None:
            description = html2plaintext(self.description) if self.description else ""
            lines = [xero_invoices.opportunity_line(self.name, description, self.expected_revenue,
                                                    account_code)] \
                if self.expected_revenue else []
        else:
            lines = xero_invoices.quotation_lines(source["lines"], account_code, settings["items"])
        lines = xero_invoices.with_tracking(lines, tracking)
        line_amounts = xero_invoices.line_amount_types(
            settings["organisation"].get("DefaultSalesTax"))
        estimate = xero_invoices.estimate(lines, line_amounts, settings["accounts"],
                                          settings["items"], settings["tax_rates"]) \
            if lines else None
        self._xero_raise(xero_invoices.lines_problem(lines, estimate))
        currency = source["currency"]
        if currency not in xero_invoices.enabled_currencies(settings["organisation"],
                                                            settings["currencies"]):
            raise UserError(_(
                "The opportunity is in %(currency)s, which the Xero organisation %(org)s does not "
                "use. Enable %(currency)s in Xero (Settings > Currencies) and try again.",
                currency=currency, org=connection.tenant_name))
        payload = xero_invoices.invoice_payload(
            contact_id, lines, currency, line_amounts,
            xero_invoices.reference(self.name, source["quotation"]),
            "%s/odoo/crm/%s" % (self.get_base_url(), self.id),
            due_date=self._xero_due_date(), branding_theme_id=theme_id, create=create)
        return {"payload": payload, "estimate": estimate, "currency": currency,
                "line_count": len(lines), "quotation": source["quotation"]}

    def _xero_raise(self, problem):
        if problem:
            text, params = problem
            raise UserError(self.env._(text, **params) if params else self.env._(text))
