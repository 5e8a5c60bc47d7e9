"""Import Xero Data: options, a dry-run preview, then the import in the background."""
from odoo import _, api, fields, models

from ..models.xero_actions import RELOAD, dialog, notification
from ..models.xero_errors import xero_action
from ..models.xero_import_run import PAGE_SIZE


class XeroImportWizard(models.TransientModel):
    _name = "xero.import.wizard"
    _description = "Import Xero Data"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    tenant_name = fields.Char(related="connection_id.tenant_name")
    watermark = fields.Datetime(related="connection_id.xero_import_watermark")
    archived_mode = fields.Selection([("skip", "Skip archived contacts"),
                                      ("archive", "Import them as archived accounts")],
                                     string="Archived Xero contacts", default="skip", required=True)
    full = fields.Boolean("Read every contact again",
                          help="By default only contacts changed since the last import are read.")
    page_size = fields.Integer(default=PAGE_SIZE)
    state = fields.Selection([("options", "Options"), ("preview", "Preview")], default="options")
    preview_create = fields.Integer("New accounts", readonly=True)
    preview_link = fields.Integer("Linked to existing accounts", readonly=True)
    preview_update = fields.Integer("Updated accounts", readonly=True)
    preview_unchanged = fields.Integer("Unchanged", readonly=True)
    preview_conflict = fields.Integer("Conflicts", readonly=True)
    preview_archived = fields.Integer("Archived, skipped", readonly=True)
    preview_details = fields.Text("Accounts", readonly=True)
    preview_partial = fields.Char("Preview cut short", readonly=True,
                                  help="Set when Xero did not answer every page in time.")

    @api.onchange("archived_mode", "full")
    def _onchange_options(self):
        self.state = "options"

    @xero_action
    def action_xero_preview(self):
        """Dry run: read Xero's contacts and say what Import would do, and to
        which accounts."""
        self.ensure_one()
        self.connection_id._xero_check_manager()
        counts, named, partial = self.connection_id._xero_import_preview(
            self.archived_mode, self.full, self.page_size)
        skipped = named.get("skip", [])
        conflicts = [(name, text) for name, (key, text) in skipped if key == "conflict"]
        sections = [
            (_("New accounts"), [name for name, _x in named.get("create", [])],
             counts["create"]),
            (_("Linked to existing accounts"),
             [self.env._("%(xero)s -> %(odoo)s", xero=name, odoo=account)
              for name, account in named.get("link", [])], counts["link"]),
            (_("Updated"), [name for name, _x in named.get("update", [])], counts["update"]),
            (_("Conflicts (skipped)"), [f"{name}: {text}" for name, text in conflicts],
             len(conflicts)),
        ]
        lines = []
        for title, names, count in sections:
            if not count:
                continue
            lines.append(f"{title} ({count}):")
            lines += [f"  - {name}" for name in names]
            if count > len(names):
                lines.append("  " + self.env._("... and %s more", count - len(names)))
        self.write({
            "state": "preview",
            "preview_create": counts["create"], "preview_link": counts["link"],
            "preview_update": counts["update"], "preview_unchanged": counts["unchanged"],
            "preview_conflict": len(conflicts),
            "preview_archived": sum(1 for _n, (key, _t) in skipped if key == "archived"),
            "preview_details": "\n".join(lines) or False,
            "preview_partial": partial and self._xero_partial_text(partial),
        })
        return dialog(_("Import Xero Data"), self)

    def _xero_partial_text(self, partial):
        if partial["page_count"] > partial["pages"]:
            return _("Xero did not answer every page in time: the counts above are for the "
                     "%(contacts)s contacts of the first %(pages)s of its %(page_count)s pages. "
                     "Import reads them all, in the background.", **partial)
        return _("Xero did not answer every page in time: the counts above are for the first "
                 "%(contacts)s contacts. Import reads them all, in the background.", **partial)

    def action_xero_import(self):
        """Queue the import; it runs in the background, its progress in Settings."""
        self.ensure_one()
        self.connection_id._xero_check_manager()
        self.connection_id._xero_check_usable()
        self.env["xero.import.run"]._xero_queue(
            self.connection_id, archived_mode=self.archived_mode, full=self.full,
            page_size=self.page_size)
        return notification(_("The Xero import runs in the background; Settings > CRM > Xero "
                              "shows its progress."), "info", RELOAD)
