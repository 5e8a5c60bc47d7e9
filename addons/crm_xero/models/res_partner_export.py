"""Export to Xero: the button, and the work it does.

The button opens a small wizard (wizard/xero_export_wizard.py) to choose the
main contact and the ledger code; the wizard calls ``_xero_export`` below,
which goes through the one write path (models/xero_write.py): the contact is
created in Xero exactly once, linked here at once, and noted in the
contact's history in Xero and on the account's chatter.

A name or ledger code Xero already has (archived contacts included, both
compared as Xero does, case-insensitively) is found before anything is
written: the person chooses to link to that contact, or to change theirs.
"""
from odoo import _, models
from odoo.exceptions import UserError

from ..xero import contacts
from ..xero import where as xero_where
from ..xero.errors import XeroDuplicateContact, XeroValidationError
from .xero_actions import new_dialog
from .xero_errors import xero_action

ACCOUNT_NUMBER_TRIES = 20


class ResPartner(models.Model):
    _inherit = "res.partner"

    @xero_action
    def action_xero_export(self):
        """Export to Xero: choose the main contact, then push the account."""
        self.ensure_one()
        partner = self.commercial_partner_id
        partner._xero_check_can_push()
        return new_dialog(_("Export to Xero"), "xero.export.wizard",
                          {"default_partner_id": partner.id})

    def _xero_export(self, main_person=None, account_number=None):
        """Make this account a Xero contact (or give a linked one its ledger
        code).  Returns ``(sent, summary)`` (see xero.write._xero_run); raises
        XeroDuplicateContact when Xero has the name or code already."""
        self.ensure_one()
        connection = self._xero_check_can_push()
        code = (account_number or "").strip() or None
        # What Xero would refuse is refused here, before any call.
        self._xero_raise_problems(contacts.contact_for_create(
            self._xero_snapshot(connection, main_person, account_number=code),
            code or "", self._xero_contact_number()))
        link = self.env["xero.contact.link"]._xero_ensure(connection, self)
        user_name = self.env.user.name

        def build(link):
            if link.contact_id and link._xero_code_in_xero():
                return None   # done already (a double click, another session)
            partner = link.partner_id
            connection = link.connection_id
            wanted = code or link.account_number or None
            person = main_person
            snapshot = partner._xero_snapshot(connection, person, account_number=wanted)
            if not link.contact_id:
                own = partner._xero_check_clashes(connection, snapshot["name"], wanted, link)
                if own:   # made by an export of this account whose answer was lost
                    link._xero_link_to(own)
                    return None
            wanted = wanted or partner._xero_generate_account_number(connection)
            snapshot["account_number"] = wanted
            if link.contact_id:   # linked, but Xero's contact lacks the ledger code
                payload, operation, target = {"AccountNumber": wanted}, "contact_update", \
                    link.contact_id
                labels = ["account_number"]
                # Only the code was sent: the baseline of Update to Xero moves by
                # the code alone (other Odoo edits are still to be sent), and the
                # main person is not changed.
                snapshot = dict(link.odoo_values, account_number=wanted) \
                    if link.odoo_values else None
                person = None
            else:
                payload = contacts.contact_for_create(snapshot, wanted,
                                                      partner._xero_contact_number())
                operation, target, labels = "contact_create", None, list(contacts.LABELS)
            partner._xero_raise_problems(payload)
            action = "Created" if operation == "contact_create" else "Updated"
            return {"operation": operation, "payload": payload, "target_id": target,
                    "context": {"snapshot": snapshot,
                                "main_person_id": person.id if person else False,
                                "details": contacts.history_details(action, user_name, labels)}}

        try:
            return self.env["xero.write"]._xero_run(link, build, then=self._xero_note_history)
        except XeroValidationError as exc:
            # Xero refused a name or code that appeared since the check.
            if exc.reason in ("duplicate_name", "duplicate_account_number"):
                self._xero_check_clashes(connection, self.name, code)
            raise

    def _xero_raise_problems(self, payload):
        problems = contacts.contact_problems(payload)
        if problems:
            raise UserError(_("%(account)s cannot be sent to Xero:\n%(problems)s",
                              account=self.name,
                              problems="\n".join(self.env._(text, **params) if params
                                                 else self.env._(text)
                                                 for text, params in problems)))

    def _xero_note_history(self, link, write_id):
        """Once the contact is written: the same note in its Xero history."""
        with self.env["xero.connection"]._xero_fresh_env() as env:
            write = env["xero.write"].browse(write_id)
            details = write.state == "done" and write.context_values.get("details")
            contact_id = link.with_env(env).contact_id
        if details and contact_id:
            self.env["xero.write"]._xero_follow_up(link, "contact_history", {"Details": details},
                                                   contact_id)

    # -- names and codes Xero has already ---------------------------------------------
    def _xero_check_clashes(self, connection, name, code=None, link=None):
        """Raise XeroDuplicateContact if Xero has a contact with this name
        (case-insensitively, as Xero compares names) or this ledger code,
        archived ones included, that is not this account's.  Given the
        account's ``link``, returns its own contact when Xero has one (its
        ContactNumber is this account's key, and no other account links to
        it): an earlier export made it and its answer was lost."""
        own_key = self._xero_contact_number()
        clauses = [xero_where.eq_ignore_case("Name", (name or "").strip()),
                   xero_where.eq("ContactNumber", own_key)]
        if code:
            clauses.append(xero_where.eq_ignore_case("AccountNumber", code.strip()))
        found = connection._xero_call(lambda gw: gw.get_contacts(
            where=xero_where.any_of(*clauses), include_archived=True, page=1))["Contacts"]
        own = link and link._xero_own_contact(found, own_key)
        if own:
            return own
        for field, value in (("AccountNumber", code), ("Name", name)):
            clash = next((c for c in found if value and (c.get(field) or "").strip().casefold()
                          == value.strip().casefold()), None)
            if clash:
                other = self.env["xero.contact.link"].sudo().search(
                    [("connection_id", "=", connection.id),
                     ("contact_id", "=", clash["ContactID"])], limit=1)
                raise XeroDuplicateContact(clash, field, value,
                                           linked_to=other.partner_id.display_name or None,
                                           linked_id=other.partner_id.id or None)
        return None

    def _xero_generate_account_number(self, connection):
        """A new customer code from the company's pattern and sequence,
        checked unused in Xero (archived contacts included)."""
        sequence = self.env["ir.sequence"].sudo().with_company(connection.company_id)
        connection._xero_ensure_code_sequence()
        for _attempt in range(ACCOUNT_NUMBER_TRIES):
            code = sequence.next_by_code("crm_xero.customer_code")
            if not code:
                raise UserError(_("The Xero customer code sequence is missing; set the "
                                  "customer code pattern in Settings > CRM > Xero."))
            taken = connection._xero_call(lambda gw: gw.get_contacts(
                where=xero_where.eq_ignore_case("AccountNumber", code), include_archived=True,
                page=1))
            if not taken["Contacts"]:
                return code
        raise UserError(_("Could not find an unused customer code in Xero after %s tries: "
                          "change the customer code pattern in Settings > CRM > Xero.",
                          ACCOUNT_NUMBER_TRIES))

    # -- link to the contact Xero has -----------------------------------------------------
    def _xero_link_existing(self, contact_id):
        """Link this account to an existing Xero contact (offered on a clash),
        as Xero has it now.  Returns the link's summary."""
        self.ensure_one()
        connection = self._xero_check_can_push()
        link = self.env["xero.contact.link"]._xero_ensure(connection, self)
        with self.env["xero.write"]._xero_link_lock(link), connection._xero_fresh_env() as env:
            fresh = link.with_env(env)
            contact = connection.with_env(env)._xero_call(lambda gw: gw.get_contact(contact_id))
            other = fresh.search([("connection_id", "=", connection.id),
                                  ("contact_id", "=", contact["ContactID"]),
                                  ("id", "!=", fresh.id)], limit=1)
            if other:
                raise UserError(_(
                    "The Xero contact %(contact)s is already linked to the Odoo account "
                    "%(account)s. Open that account, or change this one's name and export it.",
                    contact=contact.get("Name"), account=other.partner_id.display_name))
            fresh._xero_link_to(contact)
            details = contacts.history_details("Linked", self.env.user.name, [])
            fresh.partner_id._message_log(body=_("Xero: linked to the existing contact %s.",
                                                 contact.get("Name")),
                                          author_id=self.env.user.partner_id.id)
            summary = fresh._xero_summary()
        self.env["xero.write"]._xero_follow_up(link, "contact_history", {"Details": details},
                                               contact["ContactID"])
        return summary
