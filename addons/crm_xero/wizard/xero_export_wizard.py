"""Export to Xero: choose the main contact (and the ledger code), then push."""
from odoo import _, api, fields, models

from ..models.res_partner_xero import XeroDuplicateContact
from ..models.ui_actions import CLOSE, xero_notification


class XeroExportWizard(models.TransientModel):
    _name = "xero.export.wizard"
    _description = "Export an account to Xero"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True,
                                 domain=[("is_company", "=", True)])
    main_person_id = fields.Many2one(
        "res.partner", string="Main contact",
        domain="[('parent_id', '=', partner_id), ('type', '=', 'contact'), ('is_company', '=', False)]",
        help="Becomes the Xero contact's primary person; the account's other contacts "
             "become its contact persons.")
    account_number = fields.Char(
        "Ledger code", help="The customer code in Xero. Leave blank to generate one.")
    person_count = fields.Integer(compute="_compute_person_count")
    state = fields.Selection([("choose", "Choose"), ("duplicate", "Duplicate")], default="choose")
    duplicate_message = fields.Text(readonly=True)
    # Only the id: the contact itself is read again from Xero before linking.
    duplicate_contact_id = fields.Char()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id"))
        if partner:
            values.setdefault("main_person_id", partner._xero_main_person().id)
            values.setdefault("account_number", partner.xero_account_number)
        return values

    @api.depends("partner_id")
    def _compute_person_count(self):
        for wizard in self:
            wizard.person_count = len(wizard.partner_id._xero_contact_persons())

    def action_export(self):
        self.ensure_one()
        partner = self.partner_id
        partner._xero_check_salesperson("write")
        if (self.account_number or False) != (partner.xero_account_number or False):
            partner.xero_account_number = self.account_number
        try:
            link = partner._xero_export_contact(self.main_person_id)
        except XeroDuplicateContact as duplicate:
            self.write({"state": "duplicate", "duplicate_message": duplicate.args[0],
                        "duplicate_contact_id": duplicate.contact["ContactID"]})
            return self._reopen()
        return xero_notification(_("%(account)s is in Xero with the ledger code %(code)s.",
                       account=partner.name, code=link.account_number), "success", CLOSE)

    def action_link_existing(self):
        self.ensure_one()
        self.partner_id._xero_check_salesperson("write")
        link = self.partner_id._xero_link_existing(self.duplicate_contact_id)
        return xero_notification(_("%(account)s is now linked to the Xero contact %(name)s (ledger code %(code)s).",
                       account=self.partner_id.name, name=link.synced_values.get("Name"),
                       code=link.account_number or _("none")), "success", CLOSE)

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new", "name": _("Export to Xero")}
