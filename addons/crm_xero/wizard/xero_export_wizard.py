"""Export to Xero: choose the main contact (and the ledger code), then push;
on a clash with a contact Xero has: link to it, or open the Odoo account
already linked to it, or rename the account (a name clash) or type another
ledger code (a code clash), then export.  Each way out leads somewhere else
than the same clash."""
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.xero_actions import CLOSE, dialog, notification, open_record
from ..models.xero_errors import xero_action, xero_message
from ..xero.errors import XeroDuplicateContact


class XeroExportWizard(models.TransientModel):
    _name = "xero.export.wizard"
    _description = "Export an account to Xero"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    main_person_id = fields.Many2one(
        "res.partner", string="Main contact", domain="[('id', 'in', person_ids)]",
        help="Becomes the Xero contact's primary person, with their own email; the account's "
             "other people become its contact persons.")
    account_number = fields.Char(
        "Ledger code", help="The customer code in Xero. Leave blank to generate one.")
    person_ids = fields.Many2many("res.partner", compute="_compute_person_ids",
                                  string="People of the account")
    person_count = fields.Integer(compute="_compute_person_ids")
    is_company = fields.Boolean(related="partner_id.is_company")
    no_person_reason = fields.Text(compute="_compute_person_ids")
    state = fields.Selection([("choose", "Choose"), ("clash", "Clash")], default="choose")
    clash_message = fields.Text(readonly=True)
    clash_field = fields.Selection([("Name", "Name"), ("AccountNumber", "Ledger code")],
                                   readonly=True)
    # Only the id: the contact itself is read again from Xero before linking.
    clash_contact_id = fields.Char()
    clash_contact_name = fields.Char(readonly=True)
    clash_link_label = fields.Char(compute="_compute_clash_labels")
    clash_linked = fields.Boolean(help="Xero's contact is linked to another Odoo account.")
    clash_partner_id = fields.Many2one("res.partner", readonly=True,
                                       help="The Odoo account linked to Xero's contact.")
    # Its name as the clash said it: the label never reads a partner the
    # client names (the wizard's fields can be written over RPC).
    clash_partner_name = fields.Char(readonly=True)
    clash_open_label = fields.Char(compute="_compute_clash_labels")
    new_name = fields.Char("Another name", help="The account is renamed in Odoo, then exported "
                                                 "under this name.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id"))
        if partner:
            values.setdefault("main_person_id", partner._xero_main_person().id)
            values.setdefault("account_number", partner.xero_account_number)
        return values

    @api.depends("partner_id")
    def _compute_person_ids(self):
        for wizard in self:
            partner = wizard.partner_id
            people = partner._xero_contact_persons() if partner.is_company else partner.browse()
            wizard.person_ids = people
            wizard.person_count = len(people)
            wizard.no_person_reason = False if people or not partner.is_company \
                else wizard._xero_why_no_person()

    def _xero_why_no_person(self):
        """Why the account offers nobody as main contact, and what then."""
        partner = self.partner_id
        then = _("Without one, Xero's primary person stays empty and Xero gets the account's "
                 "own email.")
        if not partner.child_ids.filtered("active"):
            return _("%(account)s has no contacts to choose as main contact: add its people in "
                     "its Contacts & Addresses tab. %(then)s", account=partner.name, then=then)
        return _("None of %(account)s's contacts can be its main contact: its invoice and "
                 "delivery addresses, unnamed addresses and companies are not people. Add its "
                 "people in its Contacts & Addresses tab. %(then)s",
                 account=partner.name, then=then)

    @api.depends("clash_contact_name", "clash_partner_name")
    def _compute_clash_labels(self):
        for wizard in self:
            wizard.clash_link_label = _("Link to %s", wizard.clash_contact_name) \
                if wizard.clash_contact_name else False
            wizard.clash_open_label = _("Open %s", wizard.clash_partner_name) \
                if wizard.clash_partner_name else False

    @xero_action
    def action_export(self):
        self.ensure_one()
        partner = self.partner_id
        try:
            _sent, summary = partner._xero_export(self.main_person_id or None,
                                                  self.account_number)
        except XeroDuplicateContact as clash:
            what = _("name") if clash.field == "Name" else _("ledger code")
            if clash.linked_to:
                message = _("%(clash)s It is linked to the Odoo account %(account)s. Change "
                            "%(partner)s's %(what)s, or open %(account)s.",
                            clash=xero_message(self.env, clash), account=clash.linked_to,
                            partner=partner.name, what=what)
            else:
                message = _("%(clash)s Link %(partner)s to it, or change the %(what)s and "
                            "export again.", clash=xero_message(self.env, clash),
                            partner=partner.name, what=what)
            self.write({"state": "clash", "clash_message": message,
                        "clash_field": clash.field,
                        "clash_contact_id": clash.contact["ContactID"],
                        "clash_contact_name": clash.contact.get("Name") or False,
                        "clash_linked": bool(clash.linked_to),
                        "clash_partner_id": clash.linked_id or False,
                        "clash_partner_name": clash.linked_to or False,
                        "new_name": partner.name})
            return dialog(_("Export to Xero"), self)
        return notification(_("%(account)s is in Xero with the ledger code %(code)s.",
                              account=partner.name, code=summary["account_number"]),
                            "success", CLOSE)

    @xero_action
    def action_link_existing(self):
        self.ensure_one()
        summary = self.partner_id._xero_link_existing(self.clash_contact_id)
        return notification(_("%(account)s is now linked to the Xero contact %(name)s (ledger "
                              "code %(code)s).", account=self.partner_id.name,
                              name=summary["name"], code=summary["account_number"] or _("none")),
                            "success", CLOSE)

    def action_change(self):
        """Back to the choice, to type another ledger code (a code clash)."""
        self.ensure_one()
        self.state = "choose"
        return dialog(_("Export to Xero"), self)

    def action_open_clash_partner(self):
        """Open the Odoo account already linked to Xero's contact."""
        self.ensure_one()
        if not self.clash_partner_id:
            raise UserError(_("No Odoo account is linked to that Xero contact."))
        return open_record(self.clash_partner_id)

    def action_rename(self):
        """Rename the account (a name clash), then back to the choice: Export
        to Xero sends it under its new name (a request of its own, so that
        the write path, which works in transactions of its own, reads the
        name as saved)."""
        self.ensure_one()
        name = (self.new_name or "").strip()
        if not name:
            raise UserError(_("Type the account's new name."))
        if name.casefold() == (self.clash_contact_name or "").strip().casefold():
            raise UserError(_("Xero already has a contact named %s: type another name.", name))
        self.partner_id.name = name
        self.write({"state": "choose", "clash_message": False})
        return dialog(_("Export to Xero"), self)
