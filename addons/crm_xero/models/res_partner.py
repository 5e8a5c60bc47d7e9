"""Company accounts: their Xero standing, for the current company's organisation."""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..xero.gateway import contact_deep_link
from .ui_actions import RELOAD, xero_notification

LINK_FIELDS = ["xero_link_ids.contact_id", "xero_link_ids.account_number",
               "xero_link_ids.total_sales", "xero_link_ids.overdue_amount",
               "xero_link_ids.last_invoice_date", "xero_link_ids.check_state",
               "xero_link_ids.contact_status", "xero_link_ids.stats_refreshed_at",
               "xero_link_ids.synced_values"]


class ResPartner(models.Model):
    _inherit = "res.partner"

    xero_link_ids = fields.One2many("xero.contact.link", "partner_id", string="Xero links")
    xero_link_id = fields.Many2one("xero.contact.link", compute="_compute_xero_link")
    xero_contact_id = fields.Char("Xero contact id", compute="_compute_xero_link",
                                  search="_search_xero_contact_id")
    xero_in_xero = fields.Boolean("In Xero", compute="_compute_xero_link", search="_search_xero_in_xero")
    xero_account_number = fields.Char(
        "Ledger code", compute="_compute_xero_link", inverse="_inverse_xero_account_number",
        help="The customer code in Xero (its AccountNumber). Leave it blank and Export to "
             "Xero generates one.")
    xero_code_missing = fields.Boolean(
        compute="_compute_xero_link",
        help="Linked, but Xero's contact does not carry the ledger code (yet).")
    xero_check_state = fields.Selection(
        [("pending", "Not checked yet"), ("linked", "Linked"), ("not_found", "Not in Xero")],
        compute="_compute_xero_link")
    xero_contact_status = fields.Char("Xero status", compute="_compute_xero_link")
    xero_currency_id = fields.Many2one("res.currency", compute="_compute_xero_link")
    xero_last_invoice_date = fields.Date("Last invoice date", compute="_compute_xero_link")
    xero_total_sales = fields.Monetary("Total sales", compute="_compute_xero_link",
                                      currency_field="xero_currency_id",
                                      help="Authorised and paid sales invoices in Xero.")
    xero_overdue_amount = fields.Monetary("Overdue", compute="_compute_xero_link",
                                         currency_field="xero_currency_id")
    xero_stats_refreshed_at = fields.Datetime("Figures refreshed", compute="_compute_xero_link")
    xero_url = fields.Char("Xero link", compute="_compute_xero_link")
    xero_connection_state = fields.Selection(
        [("not_connected", "Not connected"), ("connected", "Connected"),
         ("needs_reconnect", "Needs reconnect")], compute="_compute_xero_connection_state")

    # -- current company's link --------------------------------------------------
    def _xero_connection(self):
        return self.env["xero.connection"]._xero_for_company(self.env.company, create=False)

    def _xero_link(self):
        """This account's link in the current company's organisation (sudo; may be empty)."""
        self.ensure_one()
        connection = self._xero_connection()
        if not connection or not self.commercial_partner_id.id:
            return self.env["xero.contact.link"].sudo()
        return self.env["xero.contact.link"].sudo().search(
            [("connection_id", "=", connection.id),
             ("partner_id", "=", self.commercial_partner_id.id)], limit=1)

    @api.depends_context("company")
    @api.depends(*LINK_FIELDS, "commercial_partner_id")
    def _compute_xero_link(self):
        connection = self._xero_connection()
        links = self.env["xero.contact.link"].sudo().search(
            [("connection_id", "=", connection.id),
             ("partner_id", "in", self.commercial_partner_id.ids)]) if connection else []
        by_partner = {link.partner_id.id: link for link in links}
        go_url = connection._xero_endpoints().go_url if connection else None
        for partner in self:
            link = by_partner.get(partner.commercial_partner_id.id) or self.env["xero.contact.link"]
            partner.xero_link_id = link
            partner.xero_contact_id = link.contact_id
            partner.xero_in_xero = bool(link.contact_id)
            partner.xero_account_number = link.account_number
            partner.xero_code_missing = bool(link.contact_id) and not link._xero_code_in_xero()
            partner.xero_check_state = link.check_state
            partner.xero_contact_status = link.contact_status
            partner.xero_currency_id = link.currency_id
            partner.xero_last_invoice_date = link.last_invoice_date
            partner.xero_total_sales = link.total_sales
            partner.xero_overdue_amount = link.overdue_amount
            partner.xero_stats_refreshed_at = link.stats_refreshed_at
            partner.xero_url = (contact_deep_link(connection.short_code, link.contact_id, go_url)
                                if link.contact_id and connection.short_code else False)

    @api.depends_context("company")
    def _compute_xero_connection_state(self):
        state = self._xero_connection().state or "not_connected"
        for partner in self:
            partner.xero_connection_state = state

    def _search_xero_contact_id(self, operator, value):
        return [("commercial_partner_id.xero_link_ids", "any", [
            ("company_id", "=", self.env.company.id), ("contact_id", operator, value)])]

    def _search_xero_in_xero(self, operator, value):
        in_xero = (operator == "=") == bool(value)
        domain = [("commercial_partner_id.xero_link_ids", "any", [
            ("company_id", "=", self.env.company.id), ("contact_id", "!=", False)])]
        return domain if in_xero else ["!"] + domain

    def _inverse_xero_account_number(self):
        for partner in self:
            link = partner._xero_link()
            code = (partner.xero_account_number or "").strip() or False
            if link:
                # A linked contact's code changes in Xero with "Update to Xero".
                link.account_number = code
            elif code:
                connection = partner._xero_connection()
                if not connection:
                    raise UserError(_("Connect Xero in Settings before setting a ledger code."))
                self.env["xero.contact.link"].sudo().create({
                    "connection_id": connection.id,
                    "partner_id": partner.commercial_partner_id.id,
                    "account_number": code,
                })

    # -- buttons -----------------------------------------------------------------
    def _xero_check_salesperson(self, operation="write"):
        """Xero buttons are for the sales team, on accounts they may change."""
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(_("Only the sales team can use the Xero buttons."))
        self.commercial_partner_id.check_access(operation)

    def action_xero_view(self):
        """Open the contact in Xero's web app."""
        self.ensure_one()
        if not self.xero_url:
            raise UserError(_("%s is not linked to a Xero contact yet.", self.commercial_partner_id.name))
        return {"type": "ir.actions.act_url", "url": self.xero_url, "target": "new"}

    def action_xero_export(self):
        """Export to Xero: choose the main contact, then push the account."""
        self.ensure_one()
        self._xero_check_salesperson("write")
        self._xero_check_exportable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Export to Xero"),
            "res_model": "xero.export.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_xero_update(self):
        self.ensure_one()
        self._xero_check_salesperson("write")
        changed = self.commercial_partner_id._xero_push_update()
        message = (_("Xero updated: %s.", ", ".join(changed)) if changed
                   else _("Xero already has these details: nothing to update."))
        return xero_notification(message, "success" if changed else "info", RELOAD)

    def action_xero_refresh_stats(self):
        self.ensure_one()
        self._xero_check_salesperson("read")
        link = self.commercial_partner_id._xero_link()
        if not link.contact_id:
            raise UserError(_("%s is not linked to a Xero contact yet.", self.commercial_partner_id.name))
        link.connection_id.with_env(self.env)._xero_refresh_contact_stats(link)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_xero_check_link(self):
        """Called by the account form once, in the background, the first time
        it is opened: find the account in Xero. Never raises: a slow or busy
        Xero leaves the check pending, for the next opening or the batch job."""
        partner = self.commercial_partner_id
        if (not partner.is_company or partner._xero_connection().state != "connected"
                or not self.env.user.has_group("sales_team.group_sale_salesman")):
            return False
        partner.check_access("read")
        link = partner._xero_link()
        if link and link.check_state != "pending":
            return link.check_state
        try:
            return partner._xero_check_in_xero()
        except UserError:
            return False

