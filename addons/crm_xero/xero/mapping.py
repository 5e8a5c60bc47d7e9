"""Pure functions between Odoo values and Xero's JSON (no Odoo import).

Odoo side: plain dicts of partner values as `partner_values()` in the models
builds them (names, not records). Xero side: dicts with Xero's field names.
"""
import re

# Xero's limits (OpenAPI spec): longer values are refused, not truncated.
MAX_LENGTHS = {
    "Name": 255, "FirstName": 255, "LastName": 255, "EmailAddress": 255,
    "AccountNumber": 50, "ContactNumber": 50, "TaxNumber": 50,
}
ADDRESS_MAX = {"AddressLine1": 500, "AddressLine2": 500, "City": 255, "Region": 255,
               "PostalCode": 50, "Country": 50}
PHONE_NUMBER_MAX = 50
# Xero keeps at most five contact persons besides the primary one.
MAX_CONTACT_PERSONS = 5
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The fields "Update to Xero" compares with what was last synced, and their labels
# for the history note and the chatter.
SYNCED_FIELDS = {
    "Name": "name", "EmailAddress": "email", "FirstName": "first name",
    "LastName": "last name", "Phones": "phones", "Addresses": "addresses",
    "TaxNumber": "tax number", "AccountNumber": "account number",
    "ContactPersons": "contact persons",
}


def split_name(full_name):
    """'Ada King Lovelace' -> ('Ada', 'King Lovelace')."""
    parts = (full_name or "").strip().split(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ((parts[0], "") if parts else ("", ""))


def _address(values, address_type):
    address = {
        "AddressType": address_type,
        "AddressLine1": values.get("street") or "",
        "AddressLine2": values.get("street2") or "",
        "City": values.get("city") or "",
        "Region": values.get("state") or "",
        "PostalCode": values.get("zip") or "",
        "Country": values.get("country") or "",
    }
    return address


def partner_to_contact(company, main_person=None, other_persons=(), billing=None):
    """The Xero contact for a company account.

    `company`, `main_person`, each of `other_persons` and `billing` are dicts with
    name, email, phone, mobile, street, street2, city, state, zip, country, vat,
    ref. The main person becomes the contact's primary person (FirstName,
    LastName, and EmailAddress when the company has none); the others become
    ContactPersons. `billing` (an invoice address) is Xero's POBOX address.
    """
    main_person = main_person or {}
    first, last = split_name(main_person.get("name"))
    contact = {
        "Name": (company.get("name") or "").strip(),
        "EmailAddress": (company.get("email") or main_person.get("email") or "").strip(),
        "FirstName": first,
        "LastName": last,
        "TaxNumber": (company.get("vat") or "").strip(),
        "Phones": [
            {"PhoneType": "DEFAULT", "PhoneNumber": company.get("phone") or main_person.get("phone") or ""},
            {"PhoneType": "MOBILE", "PhoneNumber": company.get("mobile") or main_person.get("mobile") or ""},
        ],
        "Addresses": [_address(billing or company, "POBOX"), _address(company, "STREET")],
        "ContactPersons": [
            {"FirstName": split_name(person.get("name"))[0],
             "LastName": split_name(person.get("name"))[1],
             "EmailAddress": person.get("email") or "",
             "IncludeInEmails": False}
            for person in list(other_persons)[:MAX_CONTACT_PERSONS]
        ],
    }
    return contact


def contact_problems(contact):
    """What Xero would refuse in `contact`, as sentences for a salesperson."""
    problems = []
    if not contact.get("Name"):
        problems.append("The account has no name.")
    for field, limit in MAX_LENGTHS.items():
        value = contact.get(field) or ""
        if len(value) > limit:
            problems.append(f"The {SYNCED_FIELDS.get(field, field)} is {len(value)} characters "
                            f"long; Xero accepts at most {limit}. Shorten it and try again.")
    emails = [contact.get("EmailAddress")] + [p.get("EmailAddress") for p in contact.get("ContactPersons", [])]
    for email in filter(None, emails):
        if not EMAIL.match(email):
            problems.append(f"'{email}' is not a valid email address. Correct it and try again.")
    for address in contact.get("Addresses", []):
        for field, limit in ADDRESS_MAX.items():
            if len(address.get(field) or "") > limit:
                problems.append(f"The address's {field} is longer than Xero's {limit} characters.")
    for phone in contact.get("Phones", []):
        if len(phone.get("PhoneNumber") or "") > PHONE_NUMBER_MAX:
            problems.append(f"The phone number {phone['PhoneNumber']} is longer than Xero's "
                            f"{PHONE_NUMBER_MAX} characters.")
    return problems


def _comparable(field, value):
    """Xero answers with extra keys and empty entries: compare what we send."""
    if field == "Phones":
        return sorted((p.get("PhoneType"), p.get("PhoneNumber") or "") for p in value or []
                      if p.get("PhoneNumber"))
    if field == "Addresses":
        keys = ("AddressType",) + tuple(ADDRESS_MAX)
        return sorted(tuple(a.get(k) or "" for k in keys) for a in value or []
                      if any(a.get(k) for k in ADDRESS_MAX))
    if field == "ContactPersons":
        return sorted((p.get("FirstName") or "", p.get("LastName") or "", p.get("EmailAddress") or "")
                      for p in value or [])
    return value or ""


def changed_fields(contact, last_synced):
    """The synced fields of `contact` that differ from `last_synced` (a contact
    dict as last pushed to or read from Xero)."""
    return [field for field in SYNCED_FIELDS if field in contact
            and _comparable(field, contact.get(field)) != _comparable(field, (last_synced or {}).get(field))]


def history_details(action, user_name, fields):
    """The note written in the Xero contact's history."""
    labels = ", ".join(SYNCED_FIELDS.get(f, f) for f in fields) or "no field"
    return f"{action} from Odoo CRM by {user_name}: {labels}."[:250]


def contact_to_partner_values(contact):
    """Odoo partner values (names for state/country) from a Xero contact."""
    street = next((a for a in contact.get("Addresses") or [] if a.get("AddressType") == "STREET"
                   and any(a.get(k) for k in ADDRESS_MAX)), None)
    postal = next((a for a in contact.get("Addresses") or [] if a.get("AddressType") == "POBOX"), None)
    address = street or postal or {}
    phones = {p.get("PhoneType"): p.get("PhoneNumber") for p in contact.get("Phones") or []}
    return {
        "name": contact.get("Name") or "",
        "email": contact.get("EmailAddress") or False,
        "phone": phones.get("DEFAULT") or phones.get("DDI") or False,
        "mobile": phones.get("MOBILE") or False,
        "vat": contact.get("TaxNumber") or False,
        "website": contact.get("Website") or False,
        "street": address.get("AddressLine1") or False,
        "street2": address.get("AddressLine2") or False,
        "city": address.get("City") or False,
        "zip": address.get("PostalCode") or False,
        "state": address.get("Region") or False,
        "country": address.get("Country") or False,
    }


def contact_person_values(person):
    """Odoo child-contact values from one of Xero's ContactPersons."""
    name = " ".join(filter(None, [person.get("FirstName"), person.get("LastName")])).strip()
    return {"name": name or person.get("EmailAddress") or "", "email": person.get("EmailAddress") or False}
