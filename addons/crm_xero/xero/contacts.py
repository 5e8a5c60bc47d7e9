"""Company accounts <-> Xero contacts: pure mapping, both ways (no Odoo).

The Odoo side is a flat *snapshot* of what Odoo models of an account, built by
the models (``res.partner._xero_snapshot``)::

    {"name", "email", "phone", "mobile", "vat", "account_number",
     "street", "street2", "city", "zip", "state", "country",        # its address
     "billing_street", ..., "billing_country",   # its invoice address, if any
     "main_name", "main_email",                   # the main (primary) person
     "persons": [[name, email], ...]}             # its other people

Each link keeps the snapshot as of the last sync (push or pull).  Update to
Xero sends only what differs from it, field by field, merged into what Xero
holds now: addresses and phones by type, persons by name; an empty Odoo value
clears Xero's only when the user emptied it since the last sync; Xero's data
that Odoo does not model (other address lines, phone types, persons) is kept.
"""

import re

from .errors import _lt
from .limits import HISTORY_DETAILS_MAX
from .matching import _norm

MAX_LENGTHS = {"Name": 255, "FirstName": 255, "LastName": 255, "EmailAddress": 255,
               "AccountNumber": 50, "ContactNumber": 50, "TaxNumber": 50}
ADDRESS_MAX = {"AddressLine1": 500, "AddressLine2": 500, "City": 255, "Region": 255,
               "PostalCode": 50, "Country": 50}
PHONE_NUMBER_MAX = 50
#: Xero keeps at most five contact persons besides the primary one.
MAX_CONTACT_PERSONS = 5
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

ADDRESS_KEYS = ("street", "street2", "city", "state", "zip", "country")
#: snapshot key -> Xero address line
ADDRESS_LINES = {"street": "AddressLine1", "street2": "AddressLine2", "city": "City",
                 "state": "Region", "zip": "PostalCode", "country": "Country"}
SCALARS = {"name": "Name", "email": "EmailAddress", "vat": "TaxNumber",
           "account_number": "AccountNumber"}
PHONES = {"phone": "DEFAULT", "mobile": "MOBILE"}
SNAPSHOT_KEYS = (tuple(SCALARS) + tuple(PHONES) + ADDRESS_KEYS
                 + tuple("billing_" + k for k in ADDRESS_KEYS)
                 + ("main_name", "main_email", "persons"))

#: What changed, in the words of the history note and the chatter.
LABELS = {
    "name": _lt("name"), "email": _lt("email"), "vat": _lt("tax number"),
    "account_number": _lt("ledger code"), "phone": _lt("phone"), "mobile": _lt("mobile"),
    "address": _lt("address"), "billing": _lt("postal address"),
    "main": _lt("main contact"), "persons": _lt("contact persons"),
}


def split_name(full_name):
    """'Ada King Lovelace' -> ('Ada', 'King Lovelace')."""
    parts = (full_name or "").strip().split(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ((parts[0], "") if parts else ("", ""))


def snapshot(values):
    """A complete snapshot: every key present, text stripped, persons as
    sorted [name, email] pairs."""
    out = {key: (values.get(key) or "").strip() if key != "persons" else None
           for key in SNAPSHOT_KEYS}
    out["persons"] = sorted([(name or "").strip(), (email or "").strip()]
                            for name, email in values.get("persons") or [])
    return out


def _address(values, prefix=""):
    address = {line: values.get(prefix + key) or "" for key, line in ADDRESS_LINES.items()}
    return address if any(address.values()) else None


def _person(name, email):
    first, last = split_name(name)
    person = {"FirstName": first, "LastName": last, "IncludeInEmails": False}
    if email:
        person["EmailAddress"] = email
    return person


# -- export: a new contact ----------------------------------------------------------

def contact_for_create(values, account_number, contact_number):
    """The whole Xero contact for a new account (blank values left out)."""
    values = snapshot(values)
    contact = {"Name": values["name"], "AccountNumber": account_number,
               "ContactNumber": contact_number}
    first, last = split_name(values["main_name"])
    for key, value in (("EmailAddress", values["email"] or values["main_email"]),
                       ("TaxNumber", values["vat"]), ("FirstName", first), ("LastName", last)):
        if value:
            contact[key] = value
    phones = [{"PhoneType": kind, "PhoneNumber": values[key]}
              for key, kind in PHONES.items() if values[key]]
    if phones:
        contact["Phones"] = phones
    street = _address(values)
    postal = _address(values, "billing_") or street
    addresses = [dict(a, AddressType=kind) for kind, a in (("POBOX", postal), ("STREET", street))
                 if a]
    if addresses:
        contact["Addresses"] = addresses
    persons = [_person(name, email) for name, email in values["persons"]][:MAX_CONTACT_PERSONS]
    if persons:
        contact["ContactPersons"] = persons
    return contact


# -- update: only what changed in Odoo --------------------------------------------

def changes(current, baseline, xero_contact):
    """The snapshot keys Odoo changed since the last sync.

    Without a baseline (an account linked before Odoo kept one), a key
    counts as changed when Odoo has a value and Xero holds another: never an
    empty Odoo value."""
    current = snapshot(current)
    if baseline is not None:
        baseline = snapshot(baseline)
        return [key for key in SNAPSHOT_KEYS if current[key] != baseline[key]]
    seen = snapshot(contact_to_snapshot(xero_contact or {}))
    # Xero keeps no email of its own for the primary person: not compared.
    return [key for key in SNAPSHOT_KEYS
            if current[key] and current[key] != seen[key] and key not in ("persons", "main_email")]


def contact_for_update(current, baseline, xero_contact):
    """(partial Xero contact to POST, [changed label keys]) for Update to
    Xero, merged into ``xero_contact`` (the contact as Xero holds it now)."""
    current = snapshot(current)
    changed = set(changes(current, baseline, xero_contact))
    xero_contact = xero_contact or {}
    update, labels = {}, []
    for key, field in SCALARS.items():
        if key in changed:
            update[field] = current[key]
            labels.append(key)
    phones = []
    for key, kind in PHONES.items():
        if key in changed:
            # Odoo keeps one number: Xero's split into codes goes with it.
            phones.append({"PhoneType": kind, "PhoneNumber": current[key],
                           "PhoneAreaCode": "", "PhoneCountryCode": ""})
            labels.append(key)
    if phones:
        update["Phones"] = phones
    addresses = []
    for prefix, kind, label in (("", "STREET", "address"), ("billing_", "POBOX", "billing")):
        lines = {ADDRESS_LINES[key]: current[prefix + key] for key in ADDRESS_KEYS
                 if prefix + key in changed}
        held = _typed(xero_contact.get("Addresses"), "AddressType", kind)
        if kind == "POBOX" and not _has_billing(current):
            # Odoo has no invoice address: Xero's postal address is never
            # blanked for it, only kept a copy of the street when it was one
            # (as an export makes it).
            street_lines = {ADDRESS_LINES[key]: current[key] for key in ADDRESS_KEYS
                            if key in changed}
            lines = street_lines if street_lines and _is_copy_of_street(held, baseline) else {}
        if lines:
            # Xero's own lines (AddressLine3, AttentionTo...) stay as they are.
            addresses.append(dict({k: v for k, v in held.items() if v is not None}, **lines,
                                  AddressType=kind))
            labels.append(label)
    if addresses:
        update["Addresses"] = addresses
    if current["main_name"] and {"main_name", "main_email"} & changed:
        update["FirstName"], update["LastName"] = split_name(current["main_name"])
        if current["main_email"] and not current["email"] and "EmailAddress" not in update:
            update["EmailAddress"] = current["main_email"]
        labels.append("main")
    if "persons" in changed:
        persons = _merge_persons(xero_contact.get("ContactPersons") or [], current["persons"],
                                 snapshot(baseline)["persons"] if baseline is not None else [])
        if persons is not None:
            update["ContactPersons"] = persons
            labels.append("persons")
    return update, labels


def _merge_persons(held, current, baseline):
    """Xero's persons with Odoo's changes applied: added, removed, new email.
    None if that changes nothing.  An email Odoo never had for a person
    never blanks the one Xero holds."""
    now = {_norm(name): email for name, email in current}
    before = {_norm(name): email for name, email in baseline}
    merged, seen = [], set()
    for person in held:
        key = _norm(person_name(person))
        seen.add(key)
        if key in before and key not in now:
            continue                                  # removed in Odoo since the last sync
        if key in now:
            email = now[key]
            changed_in_odoo = (email != before[key]) if key in before else \
                bool(email) and email != (person.get("EmailAddress") or "")
            if changed_in_odoo:
                person = dict(person, EmailAddress=email)
        merged.append({k: v for k, v in person.items() if v is not None})
    for name, email in current:
        if _norm(name) not in seen and _norm(name) not in before:
            merged.append(_person(name, email))
    merged = merged[:MAX_CONTACT_PERSONS]
    return None if merged == [{k: v for k, v in p.items() if v is not None} for p in held] \
        else merged


# -- checks ---------------------------------------------------------------------

def contact_problems(contact):
    """What Xero would refuse in ``contact``: (message template, params) pairs
    for a salesperson, empty when it can be sent."""
    problems = []
    if "Name" in contact and not contact.get("Name"):
        problems.append((_lt("The account has no name."), {}))
    for field, limit in MAX_LENGTHS.items():
        value = contact.get(field) or ""
        if len(value) > limit:
            problems.append((_lt("The %(field)s is %(length)s characters long; Xero accepts at "
                                 "most %(limit)s. Shorten it and try again."),
                             {"field": field, "length": len(value), "limit": limit}))
    emails = [contact.get("EmailAddress")] + [p.get("EmailAddress")
                                              for p in contact.get("ContactPersons") or []]
    for email in filter(None, emails):
        if not EMAIL.match(email):
            problems.append((_lt("'%(email)s' is not a valid email address. Correct it and try "
                                 "again."), {"email": email}))
    for address in contact.get("Addresses") or []:
        for field, limit in ADDRESS_MAX.items():
            if len(address.get(field) or "") > limit:
                problems.append((_lt("The address's %(field)s is longer than Xero's %(limit)s "
                                     "characters."), {"field": field, "limit": limit}))
    for phone in contact.get("Phones") or []:
        if len(phone.get("PhoneNumber") or "") > PHONE_NUMBER_MAX:
            problems.append((_lt("The phone number %(number)s is longer than Xero's %(limit)s "
                                 "characters."),
                             {"number": phone["PhoneNumber"], "limit": PHONE_NUMBER_MAX}))
    return problems


def history_details(action, user_name, labels):
    """The note written in the Xero contact's history (English: Xero's
    history is the accountant's, whatever the salesperson's language)."""
    text = ", ".join(LABELS.get(label, label) for label in labels) or "no field"
    return ("%s from Odoo CRM by %s: %s." % (action, user_name, text))[:HISTORY_DETAILS_MAX]


# -- Xero -> Odoo -------------------------------------------------------------------

def _typed(items, type_key, kind):
    return next((i for i in items or [] if (i.get(type_key) or "").upper() == kind), {}) or {}


def contact_to_snapshot(contact):
    """The snapshot a Xero contact maps to (what an import makes of it).  Its
    postal address is an invoice address only when it differs from the
    street address (an export without one sends the street twice)."""
    phones = contact.get("Phones") or []
    street = _typed(contact.get("Addresses"), "AddressType", "STREET")
    postal = _typed(contact.get("Addresses"), "AddressType", "POBOX")
    if not _lines(street):
        street = postal
    primary = " ".join(filter(None, [contact.get("FirstName"), contact.get("LastName")]))
    values = {
        "name": contact.get("Name"), "email": contact.get("EmailAddress"),
        "vat": contact.get("TaxNumber"), "account_number": contact.get("AccountNumber"),
        "phone": _typed(phones, "PhoneType", "DEFAULT").get("PhoneNumber")
        or _typed(phones, "PhoneType", "DDI").get("PhoneNumber"),
        "mobile": _typed(phones, "PhoneType", "MOBILE").get("PhoneNumber"),
        "main_name": primary, "main_email": contact.get("EmailAddress") if primary else "",
        "persons": [[person_name(p), p.get("EmailAddress") or ""]
                    for p in contact.get("ContactPersons") or []],
    }
    values.update({key: street.get(line) for key, line in ADDRESS_LINES.items()})
    if _lines(postal) != _lines(street):
        values.update({"billing_" + key: postal.get(line) for key, line in ADDRESS_LINES.items()})
    return snapshot(values)


def _lines(address):
    """An address's lines Odoo models, stripped: comparable across sides."""
    return {line: (address.get(line) or "").strip() for line in ADDRESS_LINES.values()
            if (address.get(line) or "").strip()}


def _has_billing(values):
    return any(values["billing_" + key] for key in ADDRESS_KEYS)


def _is_copy_of_street(postal, baseline):
    """Whether Xero's postal address is the street address as last synced."""
    if baseline is None:
        return False
    baseline = snapshot(baseline)
    return _lines(postal) == {ADDRESS_LINES[key]: baseline[key] for key in ADDRESS_KEYS
                              if baseline[key]}


def person_name(person):
    return " ".join(filter(None, [person.get("FirstName"), person.get("LastName")])).strip()


def contact_to_partner_values(contact):
    """Odoo partner values (names for state and country) from a Xero contact."""
    values = contact_to_snapshot(contact)
    return {
        "name": values["name"], "email": values["email"] or False,
        "phone": values["phone"] or False, "mobile": values["mobile"] or False,
        "vat": values["vat"] or False, "website": contact.get("Website") or False,
        **{key: values[key] or False for key in ADDRESS_KEYS},
    }


def contact_people(contact):
    """The Odoo child contacts a Xero contact brings: its primary person and
    its ContactPersons, as {name, email}; a primary person who is the
    contact itself (an individual: Name "Anna Kim", FirstName Anna, LastName
    Kim) is not repeated as a child."""
    people = []
    primary = " ".join(filter(None, [contact.get("FirstName"), contact.get("LastName")])).strip()
    if primary and _norm(primary) != _norm(contact.get("Name")):
        people.append({"name": primary, "email": contact.get("EmailAddress") or False})
    for person in contact.get("ContactPersons") or []:
        name = person_name(person)
        people.append({"name": name or person.get("EmailAddress") or "",
                       "email": person.get("EmailAddress") or False})
    return people
