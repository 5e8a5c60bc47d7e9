"""Import Xero Data: the connection's entry points (button, preview, scheduled sync)."""
import logging
from collections import Counter

from odoo import _, api, fields, models

from .xero_import_run import PAGE_SIZE

_logger = logging.getLogger(__name__)


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    xero_import_watermark = fields.Datetime(
        "Contacts synced up to", readonly=True, copy=False,
        help="The next sync asks Xero only for contacts changed after this (If-Modified-Since).")
    xero_import_archived_mode = fields.Selection(
        [("skip", "Skip archived contacts"), ("archive", "Import them as archived accounts")],
        default="skip", readonly=True, copy=False)
    xero_import_run_ids = fields.One2many("xero.import.run", "connection_id", readonly=True)

    def _xero_clear_links(self):
        # The sync's watermark and the runs (their pages, the contacts to read
        # again) belong to the old organisation too.
        self.sudo().write({"xero_import_watermark": False})
        self.env["xero.import.run"].sudo().search([("connection_id", "in", self.ids)]).unlink()
        return super()._xero_clear_links()

    def action_import(self):
        """Settings > Import Xero Data: the wizard (preview first, then Import)."""
        self.ensure_one()
        self._xero_check_manager()
        self._xero_check_usable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Import Xero Data"),
            "res_model": "xero.import.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_connection_id": self.id,
                        "default_archived_mode": self.xero_import_archived_mode or "skip"},
        }

    def _xero_import_preview(self, archived_mode="skip", full=False, page_size=PAGE_SIZE):
        """Dry run: what an import would do, read with the largest pages, nothing
        written. Returns (counts by action, [(name, reason)] of the skipped)."""
        self.ensure_one()
        self._xero_check_usable()
        Run = self.env["xero.import.run"].sudo()
        retry, _carried = Run._xero_retry_ids(self, archived_mode, full)
        run = Run.new({
            "connection_id": self.id, "archived_mode": archived_mode, "page_size": page_size,
            "modified_since": False if full else self.xero_import_watermark,
            "retry_contact_ids": retry, "retry_count": len(retry),
        })
        counts, skipped, claimed, more = Counter(), [], set(), True
        while more:   # the same reads as the import: contacts to read again, then pages
            contacts, values, more = run._xero_read_step()
            run.update({k: v for k, v in values.items() if k in ("retry_contact_ids", "next_page")})
            for action, contact, _entry, reason in run._xero_plan(contacts, claimed):
                counts[action] += 1
                if action == "skip":
                    skipped.append((contact.get("Name") or "", reason))
        return counts, skipped

    # -- scheduled incremental sync ---------------------------------------------------------
    @api.model
    def _xero_cron_sync_contacts(self):
        """Scheduled: for each connected company that imported once, queue a sync
        of the contacts changed since the last successful run."""
        queued = self.env["xero.import.run"]
        for connection in self.sudo().search([("state", "=", "connected"),
                                              ("xero_import_watermark", "!=", False)]):
            queued |= self.env["xero.import.run"]._xero_queue(
                connection, kind="sync", archived_mode=connection.xero_import_archived_mode or "skip")
        return queued

    def _xero_last_import_run(self):
        self.ensure_one()
        return self.env["xero.import.run"].sudo().search([("connection_id", "=", self.id)], limit=1)
