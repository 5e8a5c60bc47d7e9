"""Which side wins when a Xero contact changed since the last sync (no Odoo import).

Values are Odoo partner values (ids resolved), compared field by field:
`synced` is what the contact held at the last sync, `incoming` what Xero holds
now, `current` what the Odoo account holds now.
"""

ODOO_WINS = "odoo"
XERO_WINS = "xero"


def _same(a, b):
    return (a or False) == (b or False)


def merge(current, synced, incoming, winner=ODOO_WINS):
    """(values to write on the account, fields kept because Odoo changed them).

    A field Xero did not change is left alone. A field Xero changed is written,
    unless Odoo changed it too since the last sync and `winner` is Odoo. With no
    last sync (`synced` is None, e.g. a first link), Odoo's non-empty values
    count as changed in Odoo: Xero only fills the blanks, unless Xero wins.
    """
    write, kept = {}, []
    for field, value in incoming.items():
        if _same(current.get(field), value):
            continue
        if synced is not None and _same(synced.get(field), value):
            continue   # Xero did not change it: whatever Odoo has stays
        changed_in_odoo = (not _same(current.get(field), synced.get(field)) if synced is not None
                           else bool(current.get(field)))
        if changed_in_odoo and winner == ODOO_WINS:
            kept.append(field)
            continue
        write[field] = value
    return write, kept


def contact_changed(incoming, synced):
    """Whether Xero's contact changed since it was last synced: its
    UpdatedDateUTC moved (or there was no sync)."""
    if not synced:
        return True
    changed_at = incoming.get("UpdatedDateUTC")
    return not changed_at or changed_at != synced.get("UpdatedDateUTC")
