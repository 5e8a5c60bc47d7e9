"""Contacts: list/search/page, create (PUT), upsert (POST), update, history.

Xero's rules reproduced here because integrations trip on them: names and
account numbers are unique across *all* contacts, archived ones included;
archived contacts are hidden from lists unless asked for; a write batch is
all-or-nothing unless ``summarizeErrors=false``.
"""
import re
import uuid

from .. import xero_json
from .common import (
    ApiError,
    bad_request,
    modified_since,
    not_found,
    paginate,
    sort_records,
    where_filter,
)
from .credit_notes import unallocated
from .history import add_history, history_routes

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_LIMITS = {"Name": 255, "FirstName": 255, "LastName": 255, "EmailAddress": 255,
                "CompanyNumber": 50, "AccountNumber": 50, "ContactNumber": 50,
                "TaxNumber": 50, "BankAccountDetails": 255}
_ADDRESS_LIMITS = {"AddressLine1": 500, "AddressLine2": 500, "AddressLine3": 500,
                   "AddressLine4": 500, "City": 255, "Region": 255, "PostalCode": 50,
                   "Country": 50, "AttentionTo": 255}
_PHONE_LIMITS = {"PhoneNumber": 50, "PhoneAreaCode": 10, "PhoneCountryCode": 20}
_ADDRESS_TYPES = ("POBOX", "STREET")
_PHONE_TYPES = ("DDI", "DEFAULT", "FAX", "MOBILE")
_PLAIN_FIELDS = ("Name", "FirstName", "LastName", "EmailAddress", "CompanyNumber",
                 "AccountNumber", "ContactNumber", "TaxNumber", "BankAccountDetails",
                 "AccountsReceivableTaxType", "AccountsPayableTaxType",
                 "DefaultCurrency", "SalesDefaultAccountCode", "PurchasesDefaultAccountCode",
                 "ContactStatus", "Website")
_SEARCH_FIELDS = ("Name", "FirstName", "LastName", "ContactNumber", "CompanyNumber",
                  "EmailAddress")


def _blank_addresses():
    return [{"AddressType": t, "AddressLine1": "", "City": "", "Region": "",
             "PostalCode": "", "Country": ""} for t in _ADDRESS_TYPES]


def _blank_phones():
    return [{"PhoneType": t, "PhoneNumber": "", "PhoneAreaCode": "",
             "PhoneCountryCode": ""} for t in _PHONE_TYPES]


def _merge_typed(current, given, type_key):
    """Addresses/Phones given on update replace the entry of the same type."""
    merged = {item[type_key]: dict(item) for item in current}
    for item in given or []:
        kind = str(item.get(type_key, "")).upper()
        entry = dict(merged.get(kind, {}))
        entry.update(item)
        entry[type_key] = kind
        merged[kind] = entry
    return list(merged.values())


# --- validation ---------------------------------------------------------------
def validate(org, data, record=None, reserved=None):
    """Messages for one element; ``reserved`` holds keys claimed earlier in the batch."""
    errors, reserved = [], reserved if reserved is not None else {}
    own_id = record["ContactID"] if record else None
    name = data.get("Name", record["Name"] if record else None)
    if name is None or not str(name).strip():
        errors.append("The contact name must be specified.")
    for field, limit in _TEXT_LIMITS.items():
        value = data.get(field)
        if value is not None and len(str(value)) > limit:
            errors.append("%s must not be more than %d characters long." % (field, limit))
    if name and str(name).strip():
        key = str(name).strip().lower()
        owner = org.contact_names.get(key) or reserved.get(("name", key))
        if owner and owner != own_id:
            errors.append("The contact name %s is already assigned to another contact. "
                          "The contact name must be unique across all active contacts."
                          % str(name).strip())
    for field, index, message in (
            ("AccountNumber", org.account_numbers,
             "The Account Number already exists. Please enter a different Account Number."),
            ("ContactNumber", org.contact_numbers,
             "The Contact Number already exists. Please enter a different Contact Number.")):
        value = data.get(field)
        if value:
            key = str(value).strip().lower()
            owner = index.get(key) or reserved.get((field, key))
            if owner and owner != own_id:
                errors.append(message)
    email = data.get("EmailAddress")
    if email and not _EMAIL.match(str(email).strip()):
        errors.append("Email address must be valid.")
    for person in data.get("ContactPersons") or []:
        if person.get("EmailAddress") and not _EMAIL.match(str(person["EmailAddress"])):
            errors.append("Email address must be valid.")
    errors += _validate_typed(data.get("Addresses"), "AddressType", _ADDRESS_TYPES,
                              _ADDRESS_LIMITS)
    errors += _validate_typed(data.get("Phones"), "PhoneType",
                              _PHONE_TYPES + ("OFFICE",), _PHONE_LIMITS)
    status = data.get("ContactStatus")
    if status is not None and status not in ("ACTIVE", "ARCHIVED"):
        errors.append("ContactStatus must be ACTIVE or ARCHIVED.")
    if status == "ARCHIVED" and record and _outstanding(org, own_id):
        errors.append("This contact cannot be archived as it has outstanding "
                      "invoices or bills.")
    return errors


def _validate_typed(items, type_key, allowed, limits):
    errors = []
    for item in items or []:
        if str(item.get(type_key, "")).upper() not in allowed:
            errors.append("%s must be one of %s." % (type_key, ", ".join(allowed)))
        for field, limit in limits.items():
            if item.get(field) is not None and len(str(item[field])) > limit:
                errors.append("%s must not be more than %d characters long."
                              % (field, limit))
    return errors


def _reserve(reserved, data, contact_id):
    if data.get("Name"):
        reserved[("name", str(data["Name"]).strip().lower())] = contact_id
    for field in ("AccountNumber", "ContactNumber"):
        if data.get(field):
            reserved[(field, str(data[field]).strip().lower())] = contact_id


# --- state changes ------------------------------------------------------------
def _unindex(org, record):
    for index, field in ((org.contact_names, "Name"), (org.account_numbers, "AccountNumber"),
                         (org.contact_numbers, "ContactNumber")):
        if record.get(field):
            index.pop(record[field].strip().lower(), None)


def index(org, record):
    """Claim the record's unique keys (name, account and contact numbers)."""
    for index, field in ((org.contact_names, "Name"), (org.account_numbers, "AccountNumber"),
                         (org.contact_numbers, "ContactNumber")):
        if record.get(field):
            index[record[field].strip().lower()] = record["ContactID"]


def apply(org, data, record=None, when=None):
    """Create (record None) or merge ``data`` into a contact; returns the record."""
    when = when or xero_json.now()
    if record is None:
        record = {"ContactID": str(data.get("ContactID") or uuid.uuid4()).lower(),
                  "ContactStatus": "ACTIVE", "Name": "", "Addresses": _blank_addresses(),
                  "Phones": _blank_phones(), "ContactPersons": [], "ContactGroups": [],
                  "HasAttachments": False}
    else:
        _unindex(org, record)
    for field in _PLAIN_FIELDS:
        if field in data and data[field] is not None:
            value = data[field]
            record[field] = value.strip() if isinstance(value, str) else value
    if data.get("Addresses") is not None:
        record["Addresses"] = _merge_typed(record["Addresses"], data["Addresses"],
                                           "AddressType")
    if data.get("Phones") is not None:
        record["Phones"] = _merge_typed(record["Phones"], data["Phones"], "PhoneType")
    if data.get("ContactPersons") is not None:
        record["ContactPersons"] = [dict(p) for p in data["ContactPersons"]]
    created = record["ContactID"] not in org.contacts
    record["UpdatedDateUTC"] = when
    org.contacts[record["ContactID"]] = record
    index(org, record)
    org.touch()
    org.emit("CONTACT", "CREATE" if created else "UPDATE", record["ContactID"])
    return record


def _outstanding(org, contact_id):
    return any(org.invoices[i]["Status"] in ("AUTHORISED", "SUBMITTED")
               for i in org.invoices_by_contact.get(contact_id, ()))


def balances(org, contact_id, today):
    totals = {"ACCREC": [0, 0], "ACCPAY": [0, 0]}
    for invoice_id in org.invoices_by_contact.get(contact_id, ()):
        invoice = org.invoices[invoice_id]
        if invoice["Status"] != "AUTHORISED":
            continue
        bucket = totals[invoice["Type"]]
        bucket[0] += invoice["AmountDue"]
        if invoice["DueDate"] and invoice["DueDate"] < today:
            bucket[1] += invoice["AmountDue"]
    # Credit not yet allocated lowers what the contact owes (not what is overdue).
    totals["ACCREC"][0] -= unallocated(org, contact_id, "ACCRECCREDIT")
    totals["ACCPAY"][0] -= unallocated(org, contact_id, "ACCPAYCREDIT")
    return {"AccountsReceivable": {"Outstanding": xero_json.number(totals["ACCREC"][0]),
                                   "Overdue": xero_json.number(totals["ACCREC"][1])},
            "AccountsPayable": {"Outstanding": xero_json.number(totals["ACCPAY"][0]),
                                "Overdue": xero_json.number(totals["ACCPAY"][1])}}


def contact_json(org, record, summary=False, today=None):
    out = {k: v for k, v in record.items()
           if k not in ("Addresses", "Phones", "ContactPersons", "UpdatedDateUTC")}
    out["UpdatedDateUTC"] = xero_json.ms_datetime(record["UpdatedDateUTC"])
    types = {org.invoices[i]["Type"] for i in org.invoices_by_contact.get(record["ContactID"], ())
             if org.invoices[i]["Status"] not in ("DRAFT", "DELETED")}
    out["IsCustomer"], out["IsSupplier"] = "ACCREC" in types, "ACCPAY" in types
    out["HasValidationErrors"] = False
    if not summary:
        out["Addresses"] = [dict(a) for a in record["Addresses"]]
        out["Phones"] = [dict(p) for p in record["Phones"]]
        out["ContactPersons"] = [dict(p) for p in record["ContactPersons"]]
        out["Balances"] = balances(org, record["ContactID"], today or xero_json.now().date())
    return out


# --- handlers -----------------------------------------------------------------
def get_contacts(ctx):
    org = ctx.org
    where_text = ctx.arg("where")
    predicate = where_filter(where_text)
    ids = {i.lower() for i in ctx.list_arg("IDs")}
    order = ctx.arg("order")
    with org.lock:
        if order:
            records = sort_records(org.contacts.values(), order, "Name")
        else:
            records = org.cached("contacts-by-name", lambda: sorted(
                org.contacts.values(), key=lambda r: (r["Name"].lower(), r["ContactID"])))
        # Archived contacts appear only when asked for: by id, by a where on
        # ContactStatus, or includeArchived=true.
        hide_archived = not (ids or ctx.flag("includeArchived")
                             or (where_text and "contactstatus" in where_text.lower()))
        since = modified_since(ctx)
        term = (ctx.arg("searchTerm") or "").strip().lower()
        selected = []
        for record in records:
            if ids and record["ContactID"] not in ids:
                continue
            if hide_archived and record["ContactStatus"] == "ARCHIVED":
                continue
            if since and record["UpdatedDateUTC"] <= since:
                continue
            if term and not any(term in str(record.get(f) or "").lower()
                                for f in _SEARCH_FIELDS):
                continue
            if predicate and not predicate(record):
                continue
            selected.append(record)
        page, pagination = paginate(ctx, selected)
        summary = ctx.flag("summaryOnly")
        today = xero_json.now().date()
        items = [contact_json(org, r, summary, today) for r in page]
    return 200, xero_json.envelope("Contacts", items, pagination)


def find_contact(org, key):
    key = (key or "").strip()
    record = org.contacts.get(key.lower())
    if record is None and key.lower() in org.contact_numbers:
        record = org.contacts.get(org.contact_numbers[key.lower()])
    return record


def get_contact(ctx):
    with ctx.org.lock:
        record = find_contact(ctx.org, ctx.params["id"])
        if record is None:
            raise not_found()
        return 200, xero_json.envelope("Contacts", [contact_json(ctx.org, record)])


def _write(ctx, elements, mode):
    """Validate a batch, then apply it (all, or the valid ones if not summarised)."""
    org = ctx.org
    summarize = ctx.flag("summarizeErrors", True)
    with org.lock:
        planned, reserved, failed = [], {}, False
        for data in elements:
            if not isinstance(data, dict):
                raise bad_request("Each contact must be a JSON object")
            record, errors = None, []
            contact_id = data.get("ContactID")
            if contact_id:
                record = org.contacts.get(str(contact_id).lower())
                if mode == "create" and record is not None:
                    errors.append("A contact with this ContactID already exists; "
                                  "use POST to update it.")
                    record = None
                elif mode != "create" and record is None:
                    errors.append("The contact with ContactID %s could not be found."
                                  % contact_id)
            errors += validate(org, data, record, reserved)
            if not errors:
                _reserve(reserved, data, record["ContactID"] if record else id(data))
            failed = failed or bool(errors)
            planned.append((data, record, errors))
        if failed and summarize:
            elements_out = [dict(_echo(d, r), ValidationErrors=[{"Message": m} for m in e])
                            for d, r, e in planned]
            raise ApiError(400, xero_json.validation_exception(elements_out))
        results, today = [], xero_json.now().date()
        for data, record, errors in planned:
            if errors:
                results.append(dict(_echo(data, record), HasValidationErrors=True,
                                    ValidationErrors=[{"Message": m} for m in errors]))
                continue
            created = record is None
            before = dict(record) if record else None
            saved = apply(org, data, record)
            add_history(org, saved["ContactID"], "Created" if created else "Edited",
                        _describe(data, before), ctx.app_name)
            results.append(contact_json(org, saved, today=today))
    return 200, xero_json.envelope("Contacts", results)


def _echo(data, record):
    out = {k: v for k, v in data.items() if k != "ContactID"}
    if record is not None:
        out["ContactID"] = record["ContactID"]
    out.setdefault("Addresses", [])
    out.setdefault("Phones", [])
    out.setdefault("ContactPersons", [])
    out["HasValidationErrors"] = True
    return out


def _describe(data, before):
    if before is None:
        return "Contact created: %s" % data.get("Name", "")
    changed = [f for f in data if f != "ContactID" and before.get(f) != data[f]]
    return "Edited via API: %s" % (", ".join(changed) or "no changes")


def put_contacts(ctx):
    return _write(ctx, ctx.body_list("Contacts"), "create")


def post_contacts(ctx):
    return _write(ctx, ctx.body_list("Contacts"), "upsert")


def post_contact(ctx):
    with ctx.org.lock:
        record = find_contact(ctx.org, ctx.params["id"])
        if record is None:
            raise not_found()
        elements = ctx.body_list("Contacts")[:1]
        elements[0] = dict(elements[0], ContactID=record["ContactID"])
        return _write(ctx, elements, "update")


ROUTES = [
    ("GET", "/Contacts", get_contacts, "accounting.contacts"),
    ("PUT", "/Contacts", put_contacts, "accounting.contacts"),
    ("POST", "/Contacts", post_contacts, "accounting.contacts"),
    ("GET", "/Contacts/{id}", get_contact, "accounting.contacts"),
    ("POST", "/Contacts/{id}", post_contact, "accounting.contacts"),
] + history_routes("Contacts", find_contact, "accounting.contacts")
