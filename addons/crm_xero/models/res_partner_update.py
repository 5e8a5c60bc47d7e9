"""Update to Xero: the button, and the work it does.

Only what Odoo changed since the last sync is sent, field by field, merged
into the contact as Xero holds it now (read just before): addresses and
phones by type, persons by name, and an emptied field only when the user
emptied it.  Xero's data that Odoo does not model stays as it is.  The write
goes through the one write path (models/xero_write.py).
"""
from odoo import _, models
from odoo.exceptions import UserError

from ..xero import contacts
from .xero_actions import RELOAD, notification
from .xero_errors import xero_action


class ResPartner(models.Model):
    _inherit = "res.partner"

    @xero_action
    def action_xero_update(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        sent, summary = partner._xero_update()
        labels = summary.get("labels") or []
        if not sent:
            return notification(_("Xero already has these details: nothing to update."), "info",
                                RELOAD)
        return notification(_("Xero updated: %s.", ", ".join(
            self.env._(contacts.LABELS[label]) for label in labels)), "success", RELOAD)

    def _xero_update(self):
        """Push what changed since the last sync.  Returns ``(sent, summary)``
        with the changed labels in ``summary["labels"]``."""
        self.ensure_one()
        self._xero_check_can_push()
        link = self._xero_link()
        if not link.contact_id:
            raise UserError(_("%s is not in Xero yet: use Export to Xero.", self.name))
        user_name = self.env.user.name
        changed = []

        def build(link):
            partner = link.partner_id
            current = partner._xero_snapshot(link.connection_id)
            held = link.connection_id._xero_call(lambda gw: gw.get_contact(link.contact_id))
            update, labels = contacts.contact_for_update(current, link.odoo_values, held)
            if not update:
                return None
            partner._xero_raise_problems(update)
            changed[:] = labels
            return {"operation": "contact_update", "payload": update,
                    "target_id": link.contact_id,
                    "context": {"snapshot": current, "labels": labels,
                                "details": contacts.history_details("Updated", user_name,
                                                                    labels)}}

        sent, summary = self.env["xero.write"]._xero_run(link, build,
                                                         then=self._xero_note_history)
        return sent, dict(summary, labels=changed)
