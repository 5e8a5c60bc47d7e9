"""Company accounts: their Xero standing (fields the form, list and kanban
show), View on Xero, the figures' refresh, and the check made the first time
an account is opened.  Export to Xero and Update to Xero have files of their
own (res_partner_export.py, res_partner_update.py).

An account is in Xero for one organisation: its own company's (an account
of company B goes to B's organisation, whichever company is current), or the
current company's when the account is shared by all companies.
"""
import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import compat
from ..xero import contacts
from ..xero import where as xero_where
from ..xero.matching import ContactIndex
from .res_partner_contact_fields import PLACES_LANG
from .xero_actions import RELOAD, open_url
from .xero_connection import STATES
from .xero_contact_link import CHECK_STATES, CONTACT_STATUSES, lookup_clauses
from .xero_deadline import in_time
from .xero_errors import xero_action

_logger = logging.getLogger(__name__)

LINK_FIELDS = ["xero_link_ids.contact_id", "xero_link_ids.account_number",
               "xero_link_ids.total_sales", "xero_link_ids.overdue_amount",
               "xero_link_ids.last_invoice_date", "xero_link_ids.check_state",
               "xero_link_ids.contact_status", "xero_link_ids.stats_refreshed_at",
               "xero_link_ids.synced_values", "xero_link_ids.currency_id"]


class ResPartner(models.Model):
    _inherit = "res.partner"

    xero_link_ids = fields.One2many("xero.contact.link", "partner_id", string="Xero links")
    xero_link_id = fields.Many2one("xero.contact.link", compute="_compute_xero_link")
    xero_contact_id = fields.Char("Xero contact id", compute="_compute_xero_link",
                                  search="_search_xero_contact_id")
    xero_in_xero = fields.Boolean("In Xero", compute="_compute_xero_link",
                                  search="_search_xero_in_xero")
    xero_account_number = fields.Char(
        "Ledger code", compute="_compute_xero_link", inverse="_inverse_xero_account_number",
        help="The customer code in Xero (its AccountNumber). Leave it blank and Export to "
             "Xero generates one.")
    xero_code_missing = fields.Boolean(
        compute="_compute_xero_link",
        help="Linked, but Xero's contact does not carry the ledger code (yet).")
    xero_check_state = fields.Selection(CHECK_STATES, compute="_compute_xero_link")
    xero_contact_status = fields.Selection(CONTACT_STATUSES, string="Xero status",
                                           compute="_compute_xero_link")
    xero_currency_id = fields.Many2one("res.currency", compute="_compute_xero_link")
    xero_last_invoice_date = fields.Date("Last invoice date", compute="_compute_xero_link")
    xero_total_sales = fields.Monetary("Total sales", compute="_compute_xero_link",
                                      currency_field="xero_currency_id",
                                      help="Authorised and paid sales invoices in Xero, less "
                                           "credit notes.")
    xero_overdue_amount = fields.Monetary("Overdue", compute="_compute_xero_link",
                                         currency_field="xero_currency_id")
    xero_outstanding_amount = fields.Monetary("Outstanding", compute="_compute_xero_link",
                                             currency_field="xero_currency_id")
    xero_stats_refreshed_at = fields.Datetime("Figures refreshed", compute="_compute_xero_link")
    xero_figures_read = fields.Boolean(
        "Xero figures read", compute="_compute_xero_link",
        help="The figures were read from Xero: until then none is shown (never a 0.00 that "
             "was not read).")
    xero_figures_note = fields.Char("Xero figures", compute="_compute_xero_link")
    xero_calls_again_at = fields.Datetime(
        "Xero takes calls again at", compute="_compute_xero_link",
        help="The organisation has used up its day of Xero calls until then.")
    xero_invoice_row_ids = fields.One2many("xero.contact.invoice",
                                           compute="_compute_xero_link",
                                           string="Xero invoices")
    xero_url = fields.Char("Xero link", compute="_compute_xero_link")
    xero_connection_state = fields.Selection(STATES, compute="_compute_xero_link")

    # -- which organisation --------------------------------------------------------------
    def _xero_company(self):
        """The company whose Xero organisation this account belongs to."""
        self.ensure_one()
        return self.commercial_partner_id.company_id or self.env.company

    def _xero_connection(self):
        """The connection of the account's company (sudo; may be empty)."""
        return self.env["xero.connection"]._xero_for_company(self._xero_company(), create=False)

    def _xero_link(self):
        """This account's link in its organisation (sudo; may be empty)."""
        self.ensure_one()
        connection = self._xero_connection()
        if not connection or not self.commercial_partner_id.id:
            return self.env["xero.contact.link"].sudo()
        return self.env["xero.contact.link"].sudo().search(
            [("connection_id", "=", connection.id),
             ("partner_id", "=", self.commercial_partner_id.id)], limit=1)

    @api.depends_context("company")
    @api.depends(*LINK_FIELDS, "commercial_partner_id", "company_id")
    def _compute_xero_link(self):
        """Batched: one query for the connections and one for the links,
        however many accounts the list shows."""
        Link = self.env["xero.contact.link"].sudo()
        companies = {p.id: (p.commercial_partner_id.company_id or self.env.company) for p in self}
        connections = {c.company_id.id: c for c in self.env["xero.connection"].sudo().search(
            [("company_id", "in", list({c.id for c in companies.values()}))])}
        links = Link.search([
            ("connection_id", "in", [c.id for c in connections.values()]),
            ("partner_id", "in", self.commercial_partner_id.ids)]) if connections else Link
        by_key = {(link.connection_id.id, link.partner_id.id): link for link in links}
        endpoints = {cid: c._xero_endpoints() for cid, c in connections.items()} \
            if connections else {}
        spent = self._xero_days_spent(connections.values())
        for partner in self:
            connection = connections.get(companies[partner.id].id)
            link = by_key.get((connection.id, partner.commercial_partner_id.id)) \
                if connection else None
            link = link or Link.browse()
            partner.xero_connection_state = connection.state if connection else "not_connected"
            partner.xero_link_id = link
            partner.xero_contact_id = link.contact_id
            partner.xero_in_xero = bool(link.contact_id)
            partner.xero_account_number = link.account_number
            partner.xero_code_missing = bool(link.contact_id) and not link._xero_code_in_xero()
            partner.xero_check_state = link.check_state
            partner.xero_contact_status = link.contact_status
            partner.xero_currency_id = link.currency_id
            partner.xero_last_invoice_date = link.last_invoice_date
            partner.xero_total_sales = link.total_sales
            partner.xero_overdue_amount = link.overdue_amount
            partner.xero_outstanding_amount = link.outstanding_amount
            partner.xero_stats_refreshed_at = link.stats_refreshed_at
            partner.xero_figures_read = bool(link.contact_id and link.stats_refreshed_at)
            partner.xero_figures_note = _("Not read yet") \
                if link.contact_id and not link.stats_refreshed_at else False
            partner.xero_calls_again_at = spent.get(connection.id) if connection else False
            partner.xero_invoice_row_ids = link.invoice_ids
            partner.xero_url = endpoints[connection.company_id.id].contact_link(
                connection.short_code, link.contact_id) if link.contact_id else False

    def _xero_days_spent(self, connections):
        """{connection id: when Xero takes calls again} for the organisations
        whose day of calls is spent now (one query)."""
        ids = [c.id for c in connections if c.state == "connected"]
        if not ids:
            return {}
        self.env.cr.execute("SELECT connection_id, day_exhausted_until FROM xero_sync_state "
                            "WHERE connection_id = ANY(%s) AND day_exhausted_until > %s",
                            [ids, fields.Datetime.now()])
        return dict(self.env.cr.fetchall())

    def _search_xero_contact_id(self, operator, value):
        return [("commercial_partner_id.xero_link_ids", "any", [
            ("company_id", "in", self.env.companies.ids), ("contact_id", operator, value)])]

    def _search_xero_in_xero(self, operator, value):
        accepted = compat.boolean_search_values(operator, value)
        domain = [("commercial_partner_id.xero_link_ids", "any", [
            ("company_id", "in", self.env.companies.ids), ("contact_id", "!=", False)])]
        if len(accepted) != 1:
            return [] if accepted else [("id", "=", False)]
        return domain if True in accepted else ["!"] + domain

    def _inverse_xero_account_number(self):
        for partner in self:
            code = (partner.xero_account_number or "").strip() or False
            link = partner._xero_link()
            if link:
                # A linked contact's code changes in Xero with "Update to Xero".
                link.account_number = code
            elif code:
                connection = partner._xero_connection()
                if not connection:
                    raise UserError(_("Connect Xero in Settings before setting a ledger code."))
                self.env["xero.contact.link"].sudo().create({
                    "connection_id": connection.id,
                    "partner_id": partner.commercial_partner_id.id, "account_number": code})

    # -- what Odoo models of an account ----------------------------------------------------
    def _xero_values(self):
        """This partner's values as xero/contacts.py's table reads them (its
        address as well: the invoice address's is read the same way)."""
        self.ensure_one()
        partner = self.with_context(lang=PLACES_LANG)   # as Xero writes places
        values = {key: partner[field] or "" for key, field in contacts.PARTNER_FIELDS.items()}
        values.update({key: partner[field] or "" for key, field in contacts.ADDRESS_FIELDS.items()
                       if key not in contacts.PLACES})
        values.update(state=partner.state_id.name or partner.xero_region or "",
                      country=partner.country_id.name or "",
                      individual="" if partner.is_company else "1",
                      vat=partner.vat if partner.vat != "/" else "",
                      codes={"state": partner.state_id.code, "country": partner.country_id.code})
        return values

    def _xero_contact_persons(self):
        """The account's people: its named children who are not companies,
        whatever their type (the form's Add button makes "Other Address"
        ones), except its invoice and delivery addresses: those are
        addresses (the invoice one is Xero's postal address)."""
        return self.child_ids.filtered(lambda c: c.active and c.name and not c.is_company
                                       and c.type not in ("invoice", "delivery"))

    def _xero_invoice_address(self):
        """The invoice address Xero gets as its postal address (POBOX)."""
        return self.child_ids.filtered(lambda c: c.type == "invoice" and c.active)[:1]

    def _xero_main_person(self, link=None):
        """The main contact: the one chosen at export; for an account linked
        to a contact Xero had, the person named as Xero's primary person (or
        nobody: Xero's primary person is not replaced by whoever comes first);
        else the first person.  An individual is their own primary person."""
        if not self.is_company:
            return self.browse()
        persons = self._xero_contact_persons()
        link = link if link is not None else self._xero_link()
        if link.main_person_id in persons:
            return link.main_person_id
        if link.contact_id:
            synced = link.synced_values or {}
            primary = contacts.person_name(synced)
            return persons.filtered(lambda p: primary and contacts._norm(p.name)
                                    == contacts._norm(primary))[:1]
        return persons[:1]

    def _xero_snapshot(self, connection, main_person=None, account_number=None):
        """What Odoo holds of this account, as xero/contacts.py compares it."""
        self.ensure_one()
        link = None
        if main_person is None or account_number is None:
            link = self.env["xero.contact.link"].sudo().search(
                [("connection_id", "=", connection.id), ("partner_id", "=", self.id)], limit=1)
        main = self.browse() if not self.is_company else \
            main_person if main_person is not None else self._xero_main_person(link)
        values = self._xero_values()
        billing = self._xero_invoice_address()
        if billing:
            address = billing._xero_values()
            values.update({"billing_" + k: address[k] for k in contacts.ADDRESS_KEYS})
            values["codes"].update({"billing_" + k: v for k, v in address["codes"].items()})
        values.update(
            main_name=main.name or "", main_email=main.email or "",
            account_number=account_number if account_number is not None
            else link.account_number,
            persons=[[p.name, p.email or ""] for p in self._xero_contact_persons() - main])
        return contacts.snapshot(values)

    def _xero_baseline(self, connection, contact, main_person=None, account_number=None):
        """The baseline of the next Update to Xero once this account holds
        ``contact`` (imported, linked): what Odoo holds, with the form Xero
        writes each place in (Region "NJ" stays "NJ" when sent back)."""
        baseline = self._xero_snapshot(connection, main_person, account_number)
        baseline["forms"] = self._xero_place_forms(contact)
        return contacts.snapshot(baseline)

    def _xero_place_forms(self, contact):
        """{snapshot place key: "code"} for the places ``contact`` writes as
        codes."""
        seen = contacts.contact_to_snapshot(contact or {})
        forms = {}
        for prefix in contacts.ADDRESS_TYPES:
            _values, found = self._xero_find_places(seen[prefix + "country"],
                                                    seen[prefix + "state"])
            forms.update({prefix + key: "code" for key, form in found.items() if form == "code"})
        return forms

    def _xero_contact_number(self):
        """A stable key for this account in Xero (its ContactNumber): the same
        database and partner always give the same key."""
        return f"{self._xero_contact_number_prefix()}{self.id}"

    @api.model
    def _xero_contact_number_prefix(self):
        """The start of every key of this database (the import reads keys back)."""
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"odoo-{uuid[:8]}-"

    # -- who may push, where -----------------------------------------------------------
    def _xero_check_salesperson(self, operation="write"):
        """Xero buttons are for the sales team, on accounts they may change."""
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(_("Only the sales team can use the Xero buttons."))
        self.commercial_partner_id.check_access(operation)

    def _xero_check_can_push(self):
        """The connection an Export or Update of this account goes to, or why
        not, before anything is sent."""
        self.ensure_one()
        self._xero_check_salesperson("write")
        partner = self.commercial_partner_id   # a company, or a person of no company
        connection = partner._xero_connection()
        if not connection:
            raise UserError(_("%(account)s belongs to %(company)s, which is not connected to "
                              "Xero. An administrator can connect it in Settings > CRM > Xero "
                              "(with %(company)s as the current company).",
                              account=partner.name, company=partner._xero_company().name))
        connection._xero_check_usable()
        return connection

    # -- buttons --------------------------------------------------------------------------
    @xero_action
    def action_xero_view(self):
        """Open the contact in Xero's web app."""
        self.ensure_one()
        if not self.xero_url:
            raise UserError(_("%s is not linked to a Xero contact yet.",
                              self.commercial_partner_id.name))
        return open_url(self.xero_url)

    @xero_action
    def action_xero_refresh_stats(self):
        self.ensure_one()
        self._xero_check_salesperson("read")
        link = self.commercial_partner_id._xero_link()
        if not link.contact_id:
            raise UserError(_("%s is not linked to a Xero contact yet.",
                              self.commercial_partner_id.name))
        link.with_env(self.env(su=True))._xero_refresh_figures()
        return RELOAD

    @in_time
    def action_xero_check_link(self):
        """Called by the account form once, in the background, the first time
        it is opened: find the account in Xero, and if it is there, its
        figures.  Never raises for Xero: a slow or busy Xero leaves the check
        pending, for the next opening or the batch job."""
        partner = self.commercial_partner_id   # a company, or a person of no company
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            return False
        connection = partner._xero_connection()
        if not connection or connection.state != "connected":
            return False
        partner.check_access("read")
        link = partner._xero_link()
        if link and link.check_state != "pending":
            return link.check_state
        try:
            return partner._xero_check_in_xero(connection)
        except Exception:  # noqa: BLE001 - Xero busy or down: checked again later
            _logger.info("Xero check of account %s left for later", partner.id, exc_info=True)
            return False

    def _xero_check_in_xero(self, connection):
        """Find this account in Xero (ledger code, then our key, then the name
        as Xero compares it, then the email) with one search, link it and
        read its figures; in a transaction of its own (the form's request
        never holds it).  Returns the link's state."""
        self.ensure_one()
        link = self.env["xero.contact.link"]._xero_ensure(connection, self)
        with self.env["xero.write"]._xero_link_lock(link, wait=0), \
                connection._xero_fresh_env() as env:
            link = link.with_env(env)
            if link.check_state != "pending":
                return link.check_state
            partner = self.with_env(env)
            where = xero_where.any_of(*lookup_clauses(partner, link))
            found = connection.with_env(env)._xero_call(lambda gw: gw.get_contacts(
                where=where, include_archived=True, page=1))["Contacts"]
            contact, _how = ContactIndex(found).match(
                account_number=link.account_number,
                contact_number=partner._xero_contact_number(), name=partner.name,
                email=partner.email)
            if contact and not link._xero_contact_taken(contact["ContactID"]):
                link._xero_link_to(contact)
                link._xero_refresh_figures()
            else:
                link.write({"check_state": "not_found", "checked_at": fields.Datetime.now()})
            return link.check_state
