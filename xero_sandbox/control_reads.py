"""``GET /_sandbox/orgs/{tenant_id}/...``: Xero's side of things, read directly.

The addon's tests need to see what Xero now holds without going through the
addon's own gateway (which is what they test).  These reads use the same JSON
builders as the Accounting API, so a field looks the same in both, but they
are not API calls: no token, no call log, no rate limit, archived and deleted
records included.
"""
from . import xero_json
from .accounting import contacts, invoices
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


ROUTES = [
    ("GET", "contacts", list_contacts),
    ("GET", "contacts/{id}", one_contact),
    ("GET", "invoices", list_invoices),
    ("GET", "invoices/{id}", one_invoice),
]
