"""Accounts <-> Xero contacts: what each Xero field becomes in Odoo, and back
(pure mapping, no Odoo).

``FIELDS`` below is the one place that says it (README.md "Every contact
field, both ways" shows the same table); every function here reads it.  The
Odoo side is a flat *snapshot* of an account, keyed by the table's keys and
built by the models from the Odoo fields the table names
(``res.partner._xero_snapshot``): text as Odoo shows it, a state or a country
by its Odoo (English) name.  Two extra entries travel with it:
``codes`` (the Odoo codes of its state and country) and ``forms`` (which of
them Xero writes as a code, e.g. Region "NJ": sent back the same way).

- Import: ``contact_to_snapshot(contact)`` is the contact as Odoo will show
  it (places still in Xero's words: the models find them in Odoo);
- Export: ``contact_for_create(snapshot, ...)`` is the whole new contact;
- Update to Xero: ``contact_for_update(current, baseline, held)`` sends only
  what Odoo changed since the last sync (``baseline``: what Odoo held then),
  merged into what Xero holds now (``held``): addresses and phones by type,
  persons by name; an emptied Odoo value clears Xero's only when the user
  emptied it; what Odoo does not keep stays in Xero as it is.
"""

import re
from typing import NamedTuple

from .errors import _lt
from .limits import HISTORY_DETAILS_MAX
from .matching import _norm

MAX_LENGTHS = {"Name": 255, "FirstName": 255, "LastName": 255, "EmailAddress": 255,
               "AccountNumber": 50, "ContactNumber": 50, "TaxNumber": 50}
ADDRESS_MAX = {"AddressLine1": 500, "AddressLine2": 500, "City": 255, "Region": 255,
               "PostalCode": 50, "Country": 50}
PHONE_NUMBER_MAX = 50
PHONE_CODE_MAX = {"PhoneCountryCode": 20, "PhoneAreaCode": 10}
#: Xero keeps at most five contact persons besides the primary one.
MAX_CONTACT_PERSONS = 5
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# -- the table ----------------------------------------------------------------------

class Row(NamedTuple):
    key: str     # the snapshot's key
    xero: str    # the Xero contact's field (a phone or address type's, for those)
    odoo: str    # res.partner's field (of the account, or of its invoice address)
    kind: str    # how it maps, below


TEXT = "text"            # the same text both ways
KIND = "kind"            # a person (Name is FirstName LastName) or a company
EMAIL_OF = "email"       # Xero's one email: the main contact's, else the account's
PHONE = "phone"          # a phone type: "+country area number" in Odoo, split back
LINE = "line"            # an address line; ``street2`` carries AddressLine2 to 4
PLACE = "place"          # matched to Odoo's record by name or code; Xero's form kept
PRIMARY = "primary"      # Xero's primary person: the account's main contact
PERSONS = "persons"      # Xero's ContactPersons: the account's other people
FROM_XERO = "from_xero"  # read from Xero; Xero's API does not take it back

#: Xero's two address types: the account's own address, and its invoice
#: address (an "Invoice Address" child) as Xero's postal address.
ADDRESS_TYPES = {"": "STREET", "billing_": "POBOX"}

FIELDS = (
    #   key               Xero                      Odoo (res.partner)       kind
    Row("name",           "Name",                   "name",                  TEXT),
    Row("individual",     "Name = FirstName LastName", "is_company unticked", KIND),
    Row("email",          "EmailAddress",           "email",                 EMAIL_OF),
    Row("vat",            "TaxNumber",              "vat",                   TEXT),
    Row("account_number", "AccountNumber",          "xero_account_number",   TEXT),
    Row("website",        "Website",                "website",               FROM_XERO),
    # Each phone type's Odoo field is named here only.  On Odoo 19 (no
    # res.partner.mobile) the MOBILE row names the series' mobile field.
    Row("phone",          "DEFAULT",                "phone",                 PHONE),
    Row("ddi",            "DDI",                    "xero_ddi",              PHONE),
    Row("mobile",         "MOBILE",                 "mobile",                PHONE),
    Row("fax",            "FAX",                    "xero_fax",              PHONE),
    # STREET lines on the account; the same POBOX lines, keys prefixed
    # "billing_", on its invoice address.
    Row("street",         "AddressLine1",           "street",                LINE),
    Row("street2",        "AddressLine2",           "street2",               LINE),
    Row("city",           "City",                   "city",                  LINE),
    Row("state",          "Region",                 "state_id",              PLACE),
    Row("zip",            "PostalCode",             "zip",                   LINE),
    Row("country",        "Country",                "country_id",            PLACE),
    Row("main_name",      "FirstName LastName",     "main contact's name",   PRIMARY),
    Row("main_email",     "EmailAddress",           "main contact's email",  PRIMARY),
    Row("persons",        "ContactPersons",         "other people: name, email", PERSONS),
)

ROWS = {row.key: row for row in FIELDS}
ADDRESS_KEYS = tuple(row.key for row in FIELDS if row.kind in (LINE, PLACE))
#: snapshot key -> Xero address line
ADDRESS_LINES = {key: ROWS[key].xero for key in ADDRESS_KEYS}
#: Xero's lines 3 and 4 have no Odoo field: Odoo shows them in street2.
EXTRA_LINES = ("AddressLine3", "AddressLine4")
#: snapshot key -> Xero PhoneType
PHONES = {row.key: row.xero for row in FIELDS if row.kind == PHONE}
#: Xero text fields sent as they are: snapshot key -> Xero field
SCALARS = {row.key: row.xero for row in FIELDS if row.kind == TEXT}
#: snapshot key -> res.partner field, for the values Odoo keeps as they are
#: (the account's; its ledger code is on its Xero link, not here)
PARTNER_FIELDS = {row.key: row.odoo for row in FIELDS
                  if row.kind in (TEXT, EMAIL_OF, PHONE, FROM_XERO)
                  and row.key != "account_number"}
#: snapshot address key -> res.partner field (places: their record's field)
ADDRESS_FIELDS = {key: ROWS[key].odoo for key in ADDRESS_KEYS}
PLACES = tuple(key for key in ADDRESS_KEYS if ROWS[key].kind == PLACE)
SNAPSHOT_KEYS = (tuple(row.key for row in FIELDS if row.key not in ADDRESS_KEYS)
                 + ADDRESS_KEYS + tuple("billing_" + k for k in ADDRESS_KEYS))

#: What changed, in the words of the history note and the chatter.
LABELS = {
    "name": _lt("name"), "email": _lt("email"), "vat": _lt("tax number"),
    "account_number": _lt("ledger code"), "phone": _lt("phone"), "mobile": _lt("mobile"),
    "ddi": _lt("direct dial"), "fax": _lt("fax"), "individual": _lt("person or company"),
    "address": _lt("address"), "billing": _lt("postal address"),
    "main": _lt("main contact"), "persons": _lt("contact persons"),
}

#: Changes Odoo can make that Xero does not keep, said in words.
NOT_KEPT = {
    "website": _lt("Xero does not keep the website (its API does not take it); it stays in "
                   "Odoo."),
    "email": _lt("Xero keeps one email address, its primary person's: %(person)s's is sent, "
                 "and the account's own email stays in Odoo."),
}


def split_name(full_name):
    """'Ada King Lovelace' -> ('Ada', 'King Lovelace')."""
    parts = (full_name or "").strip().split(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ((parts[0], "") if parts else ("", ""))


def snapshot(values):
    """A complete snapshot: every key present, text stripped, persons as
    sorted [name, email] pairs; its ``codes`` and ``forms`` when given."""
    out = {key: _text(values.get(key)) for key in SNAPSHOT_KEYS if key != "persons"}
    out["persons"] = sorted([_text(name), _text(email)]
                            for name, email in values.get("persons") or [])
    for extra in ("codes", "forms"):
        if values.get(extra):
            out[extra] = {k: v for k, v in values[extra].items() if v}
    return out


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def xero_email(values):
    """The EmailAddress Xero gets: Xero keeps one email, its primary
    person's (the spec: "Email address of contact person"): an individual's
    own; else the main contact's, or the account's when they have none."""
    if values["individual"]:
        return values["email"]
    return values["main_email"] or values["email"]


def primary_names(values):
    """(FirstName, LastName) for Xero: an individual's own name, else the
    main contact's."""
    return split_name(values["name"] if values["individual"] else values["main_name"])


# -- phones -------------------------------------------------------------------------

def phone_text(phone):
    """A Xero phone as Odoo shows it: country, area and number,
    '+1 299 410-1723'; no number, no phone."""
    number = (phone.get("PhoneNumber") or "").strip()
    if not number:
        return ""
    country = (phone.get("PhoneCountryCode") or "").strip().lstrip("+")
    area = (phone.get("PhoneAreaCode") or "").strip()
    return " ".join(filter(None, ["+" + country if country else "", area, number]))


def phone_parts(text):
    """Odoo's phone as Xero's parts, the inverse of ``phone_text``:
    '+1 299 410-1723' -> country 1, area 299, number 410-1723; without a
    leading '+country' the whole text is the number."""
    tokens = (text or "").split()
    country = area = ""
    if len(tokens) >= 2 and re.fullmatch(r"\+\d{1,%d}" % PHONE_CODE_MAX["PhoneCountryCode"],
                                         tokens[0]):
        country = tokens.pop(0)[1:]
        if len(tokens) >= 2 and re.fullmatch(r"\d{1,%d}" % PHONE_CODE_MAX["PhoneAreaCode"],
                                             tokens[0]):
            area = tokens.pop(0)
    return {"PhoneNumber": " ".join(tokens), "PhoneAreaCode": area, "PhoneCountryCode": country}


def _phone(values, key):
    return dict(phone_parts(values[key]), PhoneType=PHONES[key])


# -- addresses -----------------------------------------------------------------------

def _place_text(values, key, forms=None):
    """A state or country as Xero gets it: Odoo's name, or its code where
    Xero wrote it as a code (``forms``)."""
    code = (values.get("codes") or {}).get(key)
    if code and (forms or {}).get(key) == "code":
        return code
    return values[key]


def _address_lines(values, prefix, keys, held, forms=None):
    """The Xero lines for ``keys`` (snapshot keys without prefix)."""
    lines = {}
    for key in keys:
        if key in PLACES:
            lines[ADDRESS_LINES[key]] = _place_text(values, prefix + key, forms)
        else:
            lines[ADDRESS_LINES[key]] = values[prefix + key]
        if key == "street2":
            # Odoo showed Xero's lines 2 to 4 in street2: they are street2 now.
            lines.update({line: "" for line in EXTRA_LINES if (held or {}).get(line)})
    return lines


def _address(values, prefix=""):
    address = _address_lines(values, prefix, ADDRESS_KEYS, None)
    return address if any(address.values()) else None


def _address_text(address):
    """(snapshot key -> text) of a Xero address; lines 2 to 4 as street2."""
    out = {key: (address.get(line) or "").strip() for key, line in ADDRESS_LINES.items()}
    out["street2"] = ", ".join(filter(None, [(address.get(line) or "").strip() for line in
                                             ("AddressLine2",) + EXTRA_LINES]))
    return out


def _lines(address):
    """An address's lines, stripped: comparable across types."""
    return {line: (address.get(line) or "").strip()
            for line in tuple(ADDRESS_LINES.values()) + EXTRA_LINES
            if (address.get(line) or "").strip()}


def _has_billing(values):
    return any(values["billing_" + key] for key in ADDRESS_KEYS)


def _typed(items, type_key, kind):
    return next((i for i in items or [] if (i.get(type_key) or "").upper() == kind), {}) or {}


def _person(name, email):
    first, last = split_name(name)
    person = {"FirstName": first, "LastName": last, "IncludeInEmails": False}
    if email:
        person["EmailAddress"] = email
    return person


def person_name(person):
    return " ".join(filter(None, [(person.get("FirstName") or "").strip(),
                                  (person.get("LastName") or "").strip()])).strip()


def is_individual(contact):
    """A Xero contact that is a person: its Name is its FirstName LastName."""
    primary = person_name(contact)
    return bool(primary) and _norm(primary) == _norm(contact.get("Name"))


# -- export: a new contact ----------------------------------------------------------

def contact_for_create(values, account_number, contact_number):
    """The whole Xero contact for a new account (blank values left out)."""
    values = snapshot(values)
    contact = {"Name": values["name"], "AccountNumber": account_number,
               "ContactNumber": contact_number}
    first, last = primary_names(values)
    for key, value in (("EmailAddress", xero_email(values)), ("TaxNumber", values["vat"]),
                       ("FirstName", first), ("LastName", last)):
        if value:
            contact[key] = value
    phones = [_phone(values, key) for key in PHONES if values[key]]
    if phones:
        contact["Phones"] = phones
    street = _address(values)
    # Without an invoice address Odoo invoices at the account's own: so does Xero.
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

def _complete(baseline, current):
    """The baseline, a key it lacks (kept before Odoo modelled it) counting
    as unchanged."""
    return snapshot({**current, **baseline})


def changes(current, baseline, xero_contact, seen=None):
    """The snapshot keys Odoo changed since the last sync.

    Without a baseline (an account linked before Odoo kept one), a key
    counts as changed when Odoo has a value and Xero holds another (``seen``:
    Xero's contact as Odoo would show it, places found in Odoo): never an
    empty Odoo value, and never what Odoo alone keeps (website)."""
    current = snapshot(current)
    if baseline is not None:
        baseline = _complete(baseline, current)
        return [key for key in SNAPSHOT_KEYS if current[key] != baseline[key]]
    seen = snapshot(seen if seen is not None else contact_to_snapshot(xero_contact or {}))
    return [key for key in SNAPSHOT_KEYS
            if current[key] and current[key] != seen[key]
            and key not in ("persons", "main_email", "individual", "website")]


def contact_for_update(current, baseline, xero_contact, seen=None):
    """(partial Xero contact to POST, [changed label keys]) for Update to
    Xero, merged into ``xero_contact`` (the contact as Xero holds it now)."""
    current = snapshot(current)
    changed = set(changes(current, baseline, xero_contact, seen))
    before = _complete(baseline, current) if baseline is not None else None
    forms = current.get("forms") or (before or {}).get("forms")
    xero_contact = xero_contact or {}
    email = xero_email(current)
    if before is not None:
        email_changed = email != xero_email(before)
    else:
        email_changed = bool(email) and email != (xero_contact.get("EmailAddress") or "")
    update, labels = {}, []
    for row in FIELDS:
        if (row.kind == TEXT and row.key in changed) or (row.kind == EMAIL_OF and email_changed):
            update[row.xero] = email if row.kind == EMAIL_OF else current[row.key]
            labels.append(row.key)
    phones = []
    for key in PHONES:
        if key in changed:
            phones.append(_phone(current, key))
            labels.append(key)
    if phones:
        update["Phones"] = phones
    addresses = []
    for prefix, kind in ADDRESS_TYPES.items():
        held = _typed(xero_contact.get("Addresses"), "AddressType", kind)
        keys = [key for key in ADDRESS_KEYS if prefix + key in changed]
        if kind == "POBOX" and not _has_billing(current):
            # Odoo has no invoice address: Xero's postal address is never
            # blanked for it, only kept a copy of the street when it was one
            # (as an export makes it).
            street = _typed(xero_contact.get("Addresses"), "AddressType", "STREET")
            copy = _lines(held) and _lines(held) == _lines(street)
            keys = [key for key in ADDRESS_KEYS if key in changed] if copy else []
            lines = _address_lines(current, "", keys, held, forms)
        else:
            lines = _address_lines(current, prefix, keys, held, forms)
        if lines:
            # Xero's own lines (AttentionTo...) stay as they are.
            addresses.append(dict({k: v for k, v in held.items() if v is not None}, **lines,
                                  AddressType=kind))
            labels.append("address" if kind == "STREET" else "billing")
    if addresses:
        update["Addresses"] = addresses
    primary = {"individual", "name"} if current["individual"] else {"individual", "main_name"}
    first, last = primary_names(current)
    if (first or last) and primary & changed and (first, last) != (
            (xero_contact.get("FirstName") or "").strip(),
            (xero_contact.get("LastName") or "").strip()):
        update["FirstName"], update["LastName"] = first, last
        labels.append("individual" if "individual" in changed else
                      "name" if current["individual"] else "main")
    if "persons" in changed:
        persons = _merge_persons(xero_contact.get("ContactPersons") or [], current["persons"],
                                 before["persons"] if before is not None else [])
        if persons is not None:
            update["ContactPersons"] = persons
            labels.append("persons")
    return update, list(dict.fromkeys(labels))


def not_kept(current, baseline, xero_contact, seen=None):
    """[(message, params)]: what Odoo changed that Xero does not keep."""
    current = snapshot(current)
    changed = set(changes(current, baseline, xero_contact, seen))
    notes = []
    if "website" in changed:
        notes.append((NOT_KEPT["website"], {}))
    if "email" in changed and not current["individual"] and current["main_email"] \
            and current["email"] != current["main_email"]:
        notes.append((NOT_KEPT["email"], {"person": current["main_name"]}))
    return notes


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

def contact_to_snapshot(contact):
    """The snapshot a Xero contact maps to: what an import makes of it, its
    places in Xero's words.  Its postal address is an invoice address only
    when it differs from the street address (an export without one sends
    the street twice)."""
    phones = contact.get("Phones") or []
    street = _typed(contact.get("Addresses"), "AddressType", "STREET")
    postal = _typed(contact.get("Addresses"), "AddressType", "POBOX")
    individual = is_individual(contact)
    primary = "" if individual else person_name(contact)
    values = {
        "name": contact.get("Name"), "individual": "1" if individual else "",
        "email": contact.get("EmailAddress"),
        "vat": contact.get("TaxNumber"), "account_number": contact.get("AccountNumber"),
        "website": contact.get("Website"),
        "main_name": primary, "main_email": contact.get("EmailAddress") if primary else "",
        "persons": [[person_name(p), p.get("EmailAddress") or ""]
                    for p in contact.get("ContactPersons") or []],
    }
    values.update({key: phone_text(_typed(phones, "PhoneType", kind))
                   for key, kind in PHONES.items()})
    values.update(_address_text(street))
    if _lines(postal) != _lines(street):
        values.update({"billing_" + key: text for key, text in _address_text(postal).items()})
    return snapshot(values)


def partner_values(values, prefix=""):
    """res.partner values of the account (``prefix`` "") or of its invoice
    address ("billing_"), from a snapshot: the table's Odoo fields; a state
    and a country as text under "state" and "country", for the models to
    find in Odoo."""
    values = snapshot(values)
    fields = {} if prefix else {field: values[key] for key, field in PARTNER_FIELDS.items()}
    fields.update({ADDRESS_FIELDS[key]: values[prefix + key] for key in ADDRESS_KEYS
                   if key not in PLACES})
    fields.update({key: values[prefix + key] for key in PLACES})
    return {field: value or False for field, value in fields.items()}


def contact_to_partner_values(contact):
    """Odoo partner values (names for state and country) from a Xero contact."""
    return partner_values(contact_to_snapshot(contact))


def contact_people(contact):
    """The Odoo child contacts a Xero contact brings: its primary person and
    its ContactPersons, as {name, email}; a primary person who is the
    contact itself (an individual: Name "Anna Kim", FirstName Anna, LastName
    Kim) is not repeated as a child."""
    people = []
    if not is_individual(contact) and person_name(contact):
        people.append({"name": person_name(contact),
                       "email": contact.get("EmailAddress") or False})
    for person in contact.get("ContactPersons") or []:
        name = person_name(person)
        people.append({"name": name or person.get("EmailAddress") or "",
                       "email": person.get("EmailAddress") or False})
    return people
