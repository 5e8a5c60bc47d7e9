"""After a consent that shared several organisations (or another one than
before): the admin picks the organisation this company links to."""
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.xero_actions import RELOAD_PAGE, notification


class XeroOrganisationWizard(models.TransientModel):
    _name = "xero.organisation.wizard"
    _description = "Choose the Xero organisation a company links to"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id")
    choice_id = fields.Many2one("xero.tenant.choice", string="Xero organisation",
                                domain="[('connection_id', '=', connection_id)]")
    needs_confirmation = fields.Boolean(compute="_compute_warning")
    switch_warning = fields.Char(compute="_compute_warning")
    confirm_clear_links = fields.Boolean("Clear the old organisation's links")

    @api.depends("choice_id")
    def _compute_warning(self):
        for wizard in self:
            needs = bool(wizard.choice_id) and wizard.choice_id._xero_needs_switch_confirmation()
            wizard.needs_confirmation = needs
            wizard.switch_warning = wizard.choice_id._xero_switch_warning() if needs else False

    def action_link(self):
        self.ensure_one()
        self.connection_id._xero_check_manager()
        if not self.choice_id:
            raise UserError(_("Pick the Xero organisation to link."))
        message, _level = self.choice_id._xero_link(clear_links=self.confirm_clear_links)
        return notification(message, "info", RELOAD_PAGE)

    def action_discard(self):
        self.connection_id._xero_check_manager()
        self.connection_id.choice_ids._xero_discard()
        return notification(_("Nothing changed."), "info", RELOAD_PAGE)
