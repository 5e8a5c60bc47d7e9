"""Update to Xero: the button, and the work it does.

Only what Odoo changed since the last sync is sent, field by field, merged
into the contact as Xero holds it now (read just before): addresses and
phones by type, persons by name, and an emptied field only when the user
emptied it.  Xero's data that Odoo does not model stays as it is; what Odoo
changed that Xero does not keep (the website) is said so.  The write goes
through the one write path (models/xero_write.py).
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
        notes = " ".join(self.env._(text, **params) if params else self.env._(text)
                         for text, params in summary.get("not_kept") or [])
        if not sent and notes:
            return notification(_("%s Nothing else changed: nothing was sent to Xero.", notes),
                                "info", RELOAD)
        if not sent:
            return notification(_("Xero already has these details: nothing to update."), "info",
                                RELOAD)
        message = _("Xero updated: %s.", ", ".join(
            self.env._(contacts.LABELS[label]) for label in labels))
        return notification(f"{message} {notes}" if notes else message, "success", RELOAD)

    def _xero_update(self):
        """Push what changed since the last sync.  Returns ``(sent, summary)``
        with the changed labels in ``summary["labels"]`` and what Xero does
        not keep in ``summary["not_kept"]``."""
        self.ensure_one()
        self._xero_check_can_push()
        link = self._xero_link()
        if not link.contact_id:
            raise UserError(_("%s is not in Xero yet: use Export to Xero.", self.name))
        user_name = self.env.user.name
        changed, notes = [], []

        def build(link):
            partner = link.partner_id
            current = partner._xero_snapshot(link.connection_id)
            held = link.connection_id._xero_call(lambda gw: gw.get_contact(link.contact_id))
            # Places go back in the form Xero writes them now (Region "NJ").
            current["forms"] = partner._xero_place_forms(held)
            baseline = partner._xero_known_baseline(link.odoo_values, current)
            seen = partner._xero_place_names(contacts.contact_to_snapshot(held)) \
                if baseline is None else None
            update, labels = contacts.contact_for_update(current, baseline, held, seen)
            notes[:] = contacts.not_kept(current, baseline, held, seen)
            if not update:
                return None
            partner._xero_raise_problems(update)
            changed[:] = labels
            return {"operation": "contact_update", "payload": update,
                    "target_id": link.contact_id,
                    "context": {"snapshot": contacts.snapshot(current), "labels": labels,
                                "details": contacts.history_details("Updated", user_name,
                                                                    labels)}}

        sent, summary = self.env["xero.write"]._xero_run(link, build,
                                                         then=self._xero_note_history)
        return sent, dict(summary, labels=changed, not_kept=notes)

    def _xero_known_baseline(self, baseline, current):
        """The link's baseline as this version compares it.  One kept by an
        earlier version (before it knew an individual from a company) holds
        Xero's place text ("NJ"): read as Odoo's names.  A place Odoo could
        not find then, and holds none of now, is unchanged: never blanked in
        Xero."""
        if not baseline or "individual" in baseline:
            return baseline
        known = self._xero_place_names(baseline)
        for prefix in contacts.ADDRESS_TYPES:
            found, _forms = self._xero_find_places(baseline.get(prefix + "country"),
                                                   baseline.get(prefix + "state"))
            for key, field in (("country", "country_id"), ("state", "state_id")):
                if baseline.get(prefix + key) and not found[field] \
                        and not current[prefix + key]:
                    known[prefix + key] = ""
        return known
