"""Settings > CRM > Xero: the import's progress and which side wins in syncs."""
from odoo import api, fields, models

from ..xero.import_rules import ODOO_WINS, XERO_WINS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xero_sync_winner = fields.Selection(
        [(ODOO_WINS, "Odoo wins for fields changed in Odoo since the last sync"),
         (XERO_WINS, "Xero wins: Xero's changes overwrite Odoo's")],
        string="When both sides changed", config_parameter="crm_xero.sync_winner",
        default=ODOO_WINS)
    xero_import_run_id = fields.Many2one("xero.import.run", compute="_compute_xero_import_run_id")
    xero_import_state = fields.Selection(related="xero_import_run_id.state", string="Import state")
    xero_import_kind = fields.Selection(related="xero_import_run_id.kind", string="Import kind")
    xero_import_progress = fields.Integer(related="xero_import_run_id.progress", string="Import progress")
    xero_import_processed = fields.Integer(related="xero_import_run_id.processed", string="Contacts read")
    xero_import_item_count = fields.Integer(related="xero_import_run_id.item_count", string="Contacts to read")
    xero_import_summary = fields.Char(related="xero_import_run_id.summary", string="Import summary")
    xero_import_skip_details = fields.Text(related="xero_import_run_id.skip_details", string="Skipped")
    xero_import_last_error = fields.Char(related="xero_import_run_id.last_error", string="Import problem")
    xero_import_finished_at = fields.Datetime(related="xero_import_run_id.finished_at", string="Import finished")
    xero_import_watermark = fields.Datetime(related="xero_connection_id.xero_import_watermark", string="Synced up to")

    @api.depends("company_id")
    def _compute_xero_import_run_id(self):
        for settings in self:
            connection = self.env["xero.connection"]._xero_for_company(settings.company_id, create=False)
            settings.xero_import_run_id = connection._xero_last_import_run() if connection else False

    def action_xero_import_resume(self):
        self.xero_import_run_id.action_xero_resume()
        return {"type": "ir.actions.client", "tag": "reload"}
