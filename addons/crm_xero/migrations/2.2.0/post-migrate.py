"""2.2.0: Xero calls grow with what changed, and what earlier versions
imported is made again as Xero holds it.

The scheduled actions.  The figures job reads what changed hourly (it re-read
every account every 6 hours), and opportunities' invoices come with it (they
were read by id every hour): the two scheduled actions' intervals and names
move with them, unless an administrator changed them.  Accounts' figures are
read again once, organisation-wide, at the first pass (no watermark yet).

The accounts.
Accounts imported before 2.2.0 hold Xero's phone numbers without their
country and area codes ("410-1723" for Xero's 1 299 410-1723), no direct dial
or fax, and no postal address (Xero's POBOX).  From what Xero last sent (the
link's ``synced_values``), each is made as 2.2.0's import makes it, where Odoo
still holds what the import wrote (a number someone changed in Odoo stays);
then the baseline of Update to Xero moves by what was written, so an unchanged
account sends nothing.  Companies that are individuals in Xero stay companies
(their opportunities and rights may depend on it): a new import or Export
handles individuals.

Opportunities may have several Xero invoices from 2.2.0 (a deposit, progress
invoices, the final one): each invoice link an earlier version made is the
opportunity's first (place 1), the whole deal.  Its lines and Xero's rate
were never kept: they are read once from Xero in the background, 100
invoices a call, by the job woken here (until then, the invoice takes its
subtotal of the deal, and no total in the organisation's currency is shown).
The unique constraint of one invoice per opportunity and organisation went
in pre-migrate.py.  The folder has no series: Odoo reads it as 18.0.2.2.0 or
19.0.2.2.0, and runs it when a database upgrades from an earlier version.
"""
import logging

from odoo import SUPERUSER_ID, api
from odoo.addons.crm_xero.xero import contacts

_logger = logging.getLogger(__name__)

#: What an import before 2.2.0 wrote: the PhoneNumber alone, of these types.
OLD_PHONES = {"phone": ("DEFAULT", "DDI"), "mobile": ("MOBILE",)}
#: Fields those imports never filled.
NEW_PHONES = ("xero_ddi", "xero_fax")

MOVES = {
    # xml id: (old interval, new interval, old name, new name)
    "ir_cron_refresh_figures": (
        (6, "hours"), (1, "hours"), "Xero: refresh account figures and invoice lists",
        "Xero: read what changed (account figures, invoice lists, opportunities' invoices)"),
    "ir_cron_xero_refresh_invoices": (
        (1, "hours"), (1, "days"), "Xero: refresh opportunities' invoices",
        "Xero: opportunities' invoices, overdue and chase (daily net)"),
}


def move_scheduled_actions(cr):
    for xmlid, (old, new, old_name, new_name) in MOVES.items():
        cr.execute("""SELECT res_id FROM ir_model_data WHERE module = 'crm_xero'
                         AND model = 'ir.cron' AND name = %s""", [xmlid])
        row = cr.fetchone()
        if not row:
            continue
        cr.execute("""UPDATE ir_cron SET interval_number = %s, interval_type = %s
                       WHERE id = %s AND interval_number = %s AND interval_type = %s""",
                   [new[0], new[1], row[0], old[0], old[1]])
        cr.execute("""UPDATE ir_act_server s SET name = jsonb_build_object('en_US', %s)
                        FROM ir_cron c
                       WHERE c.id = %s AND s.id = c.ir_actions_server_id
                         AND s.name->>'en_US' = %s""", [new_name, row[0], old_name])


def _old_phone(contact, kinds):
    for kind in kinds:
        for phone in contact.get("Phones") or []:
            if (phone.get("PhoneType") or "").upper() == kind and phone.get("PhoneNumber"):
                return phone["PhoneNumber"]
    return False


def upgrade(env):
    """Remake the imported accounts of every connection; returns how many."""
    run = env["xero.import.run"].sudo()
    field_keys = {field: key for key, field in contacts.PARTNER_FIELDS.items()}
    links = env["xero.contact.link"].sudo().with_context(active_test=False).search(
        [("contact_id", "!=", False), ("synced_values", "!=", False)])
    remade = 0
    for link in links:
        contact = link.synced_values
        partner = link.partner_id.with_context(tracking_disable=True, mail_notrack=True)
        new = run._xero_partner_values(contact)
        write = {field: new[field] for field, kinds in OLD_PHONES.items()
                 if partner[field] and partner[field] == _old_phone(contact, kinds)
                 and new.get(field) and new[field] != partner[field]}
        write.update({field: new[field] for field in NEW_PHONES
                      if not partner[field] and new.get(field)})
        if write:
            partner.write(write)
        changed = {field_keys[field] for field in write}
        if not partner._xero_invoice_address():
            address = run._xero_invoice_address_values(partner, contact)
            if address:
                partner.create(address)
                changed |= {"billing_" + key for key in contacts.ADDRESS_KEYS}
        if not changed:
            continue
        remade += 1
        if link.odoo_values:
            # The old baseline as this version reads it ("NJ" as New Jersey),
            # moved by what was just written; Xero's forms of its places kept.
            connection = link.connection_id
            now = partner._xero_baseline(connection, contact)
            baseline = partner._xero_known_baseline(link.odoo_values,
                                                    partner._xero_snapshot(connection))
            baseline = {**baseline, **{key: now[key] for key in changed},
                        "forms": now.get("forms") or {}}
            link.odoo_values = contacts.snapshot(baseline)
    return remade


def upgrade_invoice_links(cr):
    """Each invoice link of an earlier version: the first, the whole deal
    (the ORM's defaults on the new columns say so already; this holds if
    they did not), its lines to be read.  Returns how many are to be read."""
    cr.execute("UPDATE xero_invoice_link SET sequence = 1 WHERE sequence IS NULL")
    cr.execute("UPDATE xero_invoice_link SET part_kind = 'whole' WHERE part_kind IS NULL")
    cr.execute("UPDATE xero_invoice_link SET lines_read = false, currency_rate = NULL "
               "WHERE invoice_id IS NOT NULL AND lines_read IS NOT TRUE")
    return cr.rowcount


def migrate(cr, version):
    if not version:
        return
    move_scheduled_actions(cr)
    moved = upgrade_invoice_links(cr)
    env = api.Environment(cr, SUPERUSER_ID, {})
    if moved:
        env.ref("crm_xero.ir_cron_xero_first_reads")._trigger()
    _logger.info("crm_xero 2.2.0: %s opportunity invoices kept as their opportunities' first, "
                 "their lines read from Xero in the background", moved)
    remade = upgrade(env)
    _logger.info("crm_xero 2.2.0: %s imported accounts made again as Xero holds them", remade)
