"""``GET /_sandbox/orgs/{tenant_id}/...``: Xero's side of things, read directly.

The addon's tests need to see what Xero now holds without going through the
addon's own gateway (which is what they test).  These reads use the same JSON
builders as the Accounting API, so a field looks the same in both, but they
are not API calls: no token, no call log, no rate limit, archived and deleted
records included.
"""
from . import xero_json
from .accounting import branding, contacts, credit_notes, invoices, items, payments, tracking
from .accounting.history import history_json


class ControlError(Exception):
    """A control route's refusal: status, message and optional details."""

    def __init__(self, status, message, messages=None):
        super().__init__(message)
        self.status, self.message, self.messages = status, message, messages

    def body(self):
        body = {"error": self.message}
        if self.messages:
            body["messages"] = self.messages
        return body


def arg(query, name):
    value = (query.get(name) or [None])[-1]
    return value.strip() if isinstance(value, str) and value.strip() else None


def _same(value, wanted):
    return wanted is None or (value or "").strip().lower() == wanted.lower()


def contact_out(org, record, history=False):
    out = contacts.contact_json(org, record)
    if history:
        out["History"] = history_json(org, record["ContactID"])
    return out


def invoice_out(org, invoice, history=False):
    out = invoices.invoice_json(org, invoice)
    if history:
        out["History"] = history_json(org, invoice["InvoiceID"])
    return out


def get_contact_record(org, contact_id):
    record = contacts.find_contact(org, contact_id)
    if record is None:
        raise ControlError(404, "unknown contact %s" % contact_id)
    return record


def get_invoice_record(org, invoice_id):
    invoice = invoices.find_invoice(org, invoice_id)
    if invoice is None:
        raise ControlError(404, "unknown invoice %s" % invoice_id)
    return invoice


def list_contacts(org, params, query, body):
    name, number = arg(query, "name"), arg(query, "contact_number")
    account = arg(query, "account_number")
    records = sorted(org.contacts.values(), key=lambda r: (r["Name"].lower(), r["ContactID"]))
    today = xero_json.now().date()
    return {"Contacts": [contacts.contact_json(org, r, today=today) for r in records
                         if _same(r.get("Name"), name)
                         and _same(r.get("ContactNumber"), number)
                         and _same(r.get("AccountNumber"), account)]}


def one_contact(org, params, query, body):
    return contact_out(org, get_contact_record(org, params["id"]), history=True)


def list_invoices(org, params, query, body):
    contact_id, status = arg(query, "contact_id"), arg(query, "status")
    reference = arg(query, "reference")
    pool = org.invoices.values()
    if contact_id:
        pool = [org.invoices[i] for i in org.invoices_by_contact.get(contact_id.lower(), ())]
    selected = [i for i in pool
                if (status is None or i["Status"] == status.upper())
                and (reference is None or (i.get("Reference") or "") == reference)]
    selected.sort(key=lambda i: (i["Date"], i.get("InvoiceNumber") or "", i["InvoiceID"]))
    return {"Invoices": [invoices.invoice_json(org, i) for i in selected]}


def one_invoice(org, params, query, body):
    return invoice_out(org, get_invoice_record(org, params["id"]), history=True)


def list_credit_notes(org, params, query, body):
    contact_id, invoice_id = arg(query, "contact_id"), arg(query, "invoice_id")
    selected = [c for c in org.credit_notes.values()
                if (contact_id is None or c["ContactID"] == contact_id.lower())
                and (invoice_id is None or any(a["InvoiceID"] == invoice_id.lower()
                                               for a in c["Allocations"]))]
    selected.sort(key=lambda c: c["CreditNoteNumber"])
    return {"CreditNotes": [credit_notes.credit_note_json(org, c) for c in selected]}


def one_credit_note(org, params, query, body):
    credit = credit_notes.find_credit_note(org, params["id"])
    if credit is None:
        raise ControlError(404, "unknown credit note %s" % params["id"])
    return credit_notes.credit_note_json(org, credit)


def list_payments(org, params, query, body):
    invoice_id = arg(query, "invoice_id")
    selected = [p for p in org.payments.values()
                if invoice_id is None or p["InvoiceID"] == invoice_id.lower()]
    selected.sort(key=lambda p: (p["Date"], p["PaymentID"]))
    return {"Payments": [payments.payment_json(org, p) for p in selected]}


def list_items(org, params, query, body):
    records = sorted(org.items.values(), key=lambda i: i["Code"].lower())
    return {"Items": [items.item_json(i) for i in records]}


def list_tracking(org, params, query, body):
    return {"TrackingCategories": [tracking.category_json(c) for c in org.tracking]}


def list_themes(org, params, query, body):
    return {"BrandingThemes": [branding.theme_json(t) for t in org.branding_themes]}


ROUTES = [
    ("GET", "contacts", list_contacts),
    ("GET", "contacts/{id}", one_contact),
    ("GET", "invoices", list_invoices),
    ("GET", "invoices/{id}", one_invoice),
    ("GET", "credit-notes", list_credit_notes),
    ("GET", "credit-notes/{id}", one_credit_note),
    ("GET", "payments", list_payments),
    ("GET", "items", list_items),
    ("GET", "tracking-categories", list_tracking),
    ("GET", "branding-themes", list_themes),
]
