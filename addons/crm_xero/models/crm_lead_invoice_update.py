"""Update Draft Invoice on Xero: the button, and the work it does.

The opportunity's latest invoice is updated.  Its status is read from Xero
first (its word, not what Odoo last saw): only a draft is changed.  The
lines, amounts and reference are sent as the opportunity (or its quotation,
or its accepted quote) is now, with the invoice's own account, tracking,
branding theme and part of the deal (a deposit of 30% is 30% of the deal as
it is now; the final invoice, what is left now), through the one write path.
"""
from odoo import _, models
from odoo.exceptions import UserError

from ..xero import invoices as xero_invoices
from .xero_actions import RELOAD, notification
from .xero_errors import xero_action


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @xero_action
    def action_xero_update_invoice(self):
        self.ensure_one()
        summary, not_draft = self._xero_update_invoice()
        if not_draft:
            return notification(self._xero_not_draft_message(summary), "danger", RELOAD)
        return notification(_("Draft invoice %s updated in Xero.", summary["number"]), "success",
                            RELOAD)

    def _xero_not_draft_message(self, summary):
        return _("Xero invoice %(number)s is no longer a draft (%(status)s in Xero): only drafts "
                 "can be changed from Odoo. Make further changes in Xero.",
                 number=summary["number"], status=summary["status_label"])

    def _xero_update_invoice(self):
        """Returns (summary, not_draft)."""
        self.ensure_one()
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise UserError(_("Only the sales team can send opportunities to Xero."))
        self.check_access("write")
        link = self._xero_link()
        if not link.open:
            raise UserError(_("This opportunity has no Xero invoice to update."))
        connection = link.connection_id
        connection._xero_check_usable()
        customer_link = self._xero_customer_link(connection)
        self._xero_check_customer(customer_link)
        plan = self._xero_invoice_plan(
            connection, customer_link.contact_id, link.account_code,
            [tuple(pair) for pair in link.tracking or []], link.branding_theme_id or None,
            create=False, part=link._xero_part_asked(), link=link)
        not_draft = []

        def build(link):
            intent = self._xero_invoice_update_intent(link, plan, not_draft)
            if intent and link._xero_last_sent(("invoice_update",)) == plan["payload"]:
                return None   # sent already: a second click, or a retry after a lost answer
            return intent

        _sent, summary = self.env["xero.write"]._xero_run(link, build)
        return summary, bool(not_draft)

    def _xero_invoice_update_intent(self, link, plan, not_draft):
        """The update of ``link``'s invoice to ``plan`` (an update's payload),
        for the write path: None, and True appended to ``not_draft``, when
        Xero says the invoice is no longer a draft."""
        current = link.connection_id._xero_call(lambda gw: gw.get_invoice(link.invoice_id))
        if (current.get("Status") or "").upper() not in xero_invoices.UPDATABLE:
            link._xero_apply_refresh(current)
            not_draft.append(True)
            return None
        return {"operation": "invoice_update", "payload": plan["payload"],
                "target_id": link.invoice_id,
                "context": {"expected_total": plan["estimate"]["total"],
                            "part": plan.get("part")}}
