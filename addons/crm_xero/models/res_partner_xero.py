"""Pushing a company account to Xero: check, export, update, history.

Every write to Xero happens from a button, carries an Idempotency-Key, and is
recorded on the link right after Xero accepts it, so Odoo never loses track of a
contact that exists in Xero.
"""
import hashlib
import json
import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..xero import errors, mapping
from ..xero.matching import ContactIndex

_logger = logging.getLogger(__name__)

ACCOUNT_NUMBER_TRIES = 20


class XeroDuplicateContact(UserError):
    """Xero already has a contact with this name or ledger code: the export
    wizard offers to link the account to it instead."""

    def __init__(self, message, contact):
        super().__init__(message)
        self.contact = contact


def _where_text(value):
    return (value or "").replace("\\", "\\\\").replace('"', '\\"')


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _xero_check_exportable(self):
        """Why this record cannot become a Xero contact, as a UserError."""
        self.ensure_one()
        connection = self._xero_connection() or self.env["xero.connection"]._xero_for_company()
        connection._xero_check_usable()
        if not self.is_company:
            if self.parent_id:
                raise UserError(_("%(person)s is a person at %(company)s: export the company "
                                  "account %(company)s instead.",
                                  person=self.name, company=self.parent_id.name))
            raise UserError(_("%s is a person, not a company. Tick 'Company' on the account "
                              "to export it to Xero.", self.name))
        return connection

    # -- what we send --------------------------------------------------------------
    def _xero_partner_values(self):
        self.ensure_one()
        return {
            "name": self.name, "email": self.email, "phone": self.phone, "mobile": self.mobile,
            "street": self.street, "street2": self.street2, "city": self.city,
            "state": self.state_id.name, "zip": self.zip, "country": self.country_id.name,
            "vat": self.vat if self.vat != "/" else "",
        }

    def _xero_contact_persons(self):
        return self.child_ids.filtered(lambda c: c.type == "contact" and not c.is_company and c.active)

    def _xero_main_person(self):
        """The main contact: the one chosen at export (remembered as the first
        ContactPerson-less person), else the first person of the account."""
        persons = self._xero_contact_persons()
        synced = (self._xero_link().synced_values or {})
        main_name = " ".join(filter(None, [synced.get("FirstName"), synced.get("LastName")]))
        return persons.filtered(lambda p: p.name == main_name)[:1] or persons[:1]

    def _xero_contact_payload(self, main_person=None):
        """The Xero contact dict for this account (without ids)."""
        main_person = main_person or self._xero_main_person()
        billing = self.child_ids.filtered(lambda c: c.type == "invoice")[:1]
        contact = mapping.partner_to_contact(
            self._xero_partner_values(),
            main_person._xero_partner_values() if main_person else None,
            [p._xero_partner_values() for p in self._xero_contact_persons() - main_person],
            billing._xero_partner_values() if billing else None,
        )
        problems = mapping.contact_problems(contact)
        if problems:
            raise UserError(_("%(account)s cannot be sent to Xero:\n%(problems)s",
                              account=self.name, problems="\n".join(problems)))
        return contact

    def _xero_contact_number(self):
        """A stable key for this account in Xero (its ContactNumber): the same
        database and partner always give the same key."""
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"odoo-{uuid[:8]}-{self.id}"

    # -- check / link ------------------------------------------------------------------
    def _xero_check_in_xero(self):
        """Find this account in Xero (ledger code, then our key, then exact name,
        then email) with one search, and link it. Returns the link's state."""
        self.ensure_one()
        connection = self._xero_connection()
        link = self._xero_link() or self.env["xero.contact.link"].sudo().create(
            {"connection_id": connection.id, "partner_id": self.id})
        clauses = [f'Name=="{_where_text(self.name)}"',
                   f'ContactNumber=="{_where_text(self._xero_contact_number())}"']
        if link.account_number:
            clauses.append(f'AccountNumber=="{_where_text(link.account_number)}"')
        if self.email:
            clauses.append(f'EmailAddress=="{_where_text(self.email)}"')
        found = connection._xero_call(lambda gw: gw.get_contacts(
            where=" OR ".join(clauses), include_archived=True, page=1))["Contacts"]
        contact, _how = ContactIndex(found).match(
            account_number=link.account_number, contact_number=self._xero_contact_number(),
            name=self.name, email=self.email)
        if contact and self._xero_contact_is_free(connection, contact):
            link.write({**link._xero_link_values(contact), "synced_values": contact})
        else:
            link.write({"check_state": "not_found", "checked_at": fields.Datetime.now()})
        return link.check_state

    def _xero_contact_is_free(self, connection, contact):
        """A Xero contact links to one account only."""
        return not self.env["xero.contact.link"].sudo().search_count([
            ("connection_id", "=", connection.id), ("contact_id", "=", contact["ContactID"]),
            ("partner_id", "!=", self.id)])

    def _xero_link_existing(self, contact_id):
        """Link this account to an existing Xero contact (offered on duplicates),
        as Xero has it now."""
        self.ensure_one()
        connection = self._xero_check_exportable()
        contact = connection._xero_call(lambda gw: gw.get_contact(contact_id))
        if not self._xero_contact_is_free(connection, contact):
            raise UserError(_("That Xero contact is already linked to another account."))
        link = self._xero_link() or self.env["xero.contact.link"].sudo().create(
            {"connection_id": connection.id, "partner_id": self.id})
        link.write({**link._xero_link_values(contact), "synced_values": contact})
        self._xero_record_change(link, _("Linked to the existing Xero contact"), [])
        return link

    # -- export ------------------------------------------------------------------------
    def _xero_export_contact(self, main_person=None):
        """Make sure this account is a Xero contact; returns its link.

        Linked and its code known to Xero: nothing to do. Otherwise the contact is
        created in Xero (with the ledger code, generated when blank) and the main
        person as its primary person."""
        self.ensure_one()
        connection = self._xero_check_exportable()
        link = self._xero_link()
        if link.contact_id and link._xero_code_in_xero():
            return link
        contact = self._xero_contact_payload(main_person)
        contact["ContactNumber"] = self._xero_contact_number()
        contact["AccountNumber"] = link.account_number or self._xero_generate_account_number(connection)
        if not link:
            link = self.env["xero.contact.link"].sudo().create(
                {"connection_id": connection.id, "partner_id": self.id})
        key = "export-" + hashlib.sha256(json.dumps(
            [connection.tenant_id, self.id, link.contact_id, contact], sort_keys=True).encode()
        ).hexdigest()[:40]
        existing = link.contact_id
        try:
            if existing:   # linked, but its ledger code is not in Xero yet
                saved = connection._xero_call(
                    lambda gw: gw.update_contact(existing, contact, idempotency_key=key))
            else:
                saved = connection._xero_call(
                    lambda gw: gw.create_contacts([contact], idempotency_key=key))[0]
        except UserError as exc:
            self._xero_raise_duplicate(connection, contact, exc)
            raise
        values = {**link._xero_link_values(saved), "synced_values": contact,
                  "synced_at": fields.Datetime.now()}
        if not existing:   # a brand-new contact has no invoices yet: no call needed
            values.update(last_invoice_date=False, total_sales=0, overdue_amount=0,
                          outstanding_amount=0, stats_refreshed_at=fields.Datetime.now(),
                          currency_id=self.env["res.currency"].with_context(active_test=False).search(
                              [("name", "=", connection.base_currency)], limit=1).id)
        link.write(values)
        action = _("Updated") if existing else _("Created")
        self._xero_record_change(link, action, list(mapping.SYNCED_FIELDS))
        return link

    def _xero_generate_account_number(self, connection):
        """A new customer code from the configurable pattern and sequence,
        checked unused in Xero (archived contacts included)."""
        sequence = self.env["ir.sequence"].sudo()
        for _attempt in range(ACCOUNT_NUMBER_TRIES):
            code = sequence.next_by_code("crm_xero.customer_code")
            if not code:
                raise UserError(_("The Xero customer code sequence is missing; reinstall crm_xero."))
            taken = connection._xero_call(lambda gw: gw.get_contacts(
                where=f'AccountNumber=="{_where_text(code)}"', include_archived=True, page=1))
            if not taken["Contacts"]:
                return code
        raise UserError(_("Could not find an unused customer code in Xero after %s tries: "
                          "check the customer code sequence in Settings > Technical > Sequences.",
                          ACCOUNT_NUMBER_TRIES))

    def _xero_raise_duplicate(self, connection, contact, exc):
        """Turn Xero's duplicate-name / duplicate-code refusal into an offer to link."""
        xero_error = getattr(exc, "xero_error", None)
        if not isinstance(xero_error, errors.XeroValidationError):
            return
        text = " ".join(xero_error.messages).lower()
        if "already assigned to another contact" in text or "name" in text and "unique" in text:
            field, value, label = "Name", contact["Name"], _("named")
        elif "account number" in text:
            field, value, label = "AccountNumber", contact["AccountNumber"], _("with the ledger code")
        else:
            return
        found = connection._xero_call(lambda gw: gw.get_contacts(
            where=f'{field}=="{_where_text(value)}"', include_archived=True, page=1))["Contacts"]
        if found:
            archived = _(" (archived)") if found[0].get("ContactStatus") == "ARCHIVED" else ""
            raise XeroDuplicateContact(
                _("Xero already has a contact %(how)s '%(value)s'%(archived)s. Link %(account)s "
                  "to it, or change the %(what)s and export again.",
                  how=label, value=value, archived=archived, account=self.name,
                  what=_("name") if field == "Name" else _("ledger code")),
                found[0]) from None

    # -- update ------------------------------------------------------------------------
    def _xero_push_update(self):
        """Push what changed since the last sync. Returns the changed labels."""
        self.ensure_one()
        connection = self._xero_check_exportable()
        link = self._xero_link()
        if not link.contact_id:
            raise UserError(_("%s is not in Xero yet: use Export to Xero.", self.name))
        contact = self._xero_contact_payload()
        contact["AccountNumber"] = link.account_number or ""
        changed = mapping.changed_fields(contact, link.synced_values)
        if not changed:
            return []
        update = {field: contact[field] for field in changed}
        key = "update-" + hashlib.sha256(json.dumps(
            [connection.tenant_id, link.contact_id, update], sort_keys=True).encode()).hexdigest()[:40]
        try:
            connection._xero_call(lambda gw: gw.update_contact(link.contact_id, update, idempotency_key=key))
        except UserError as exc:
            self._xero_raise_duplicate(connection, contact, exc)
            raise
        link.write({"synced_values": {**(link.synced_values or {}), **update},
                    "synced_at": fields.Datetime.now(),
                    "account_number": contact["AccountNumber"] or False})
        self._xero_record_change(link, _("Updated"), changed)
        return [mapping.SYNCED_FIELDS[f] for f in changed]

    def _xero_record_change(self, link, action, changed):
        """A note in the Xero contact's history and a message on the account."""
        details = mapping.history_details(action, self.env.user.name, changed)
        try:
            link.connection_id.with_env(self.env)._xero_call(
                lambda gw: gw.add_contact_history(link.contact_id, details))
            noted = ""
        except UserError as exc:
            _logger.warning("Xero history note for contact %s failed: %s", link.contact_id, exc)
            noted = _(" (the note in Xero's history could not be added: %s)", exc.args[0])
        self.message_post(body=_("Xero: %(details)s%(noted)s", details=details, noted=noted))
