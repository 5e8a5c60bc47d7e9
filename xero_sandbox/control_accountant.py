"""``POST /_sandbox/orgs/{tenant_id}/...``: an accountant working in Xero's UI.

What an accountant does in Xero's web app changes the organisation without any
API call from the app: a contact edited, an invoice approved or paid.  These
routes apply the very rules the API applies (``contacts.validate``,
``invoice_rules.build``), so the result is what Xero would hold; they are not
logged nor rate limited, but their changes reach webhook subscribers like any
other change.
"""
from . import xero_json
from .accounting import contacts, credit_notes, items, tracking
from .accounting.history import add_history
from .accounting.invoice_rules import build, commit
from .accounting.payments import add_payment, parse_amount_and_date
from .control_reads import (
    ControlError,
    contact_out,
    get_contact_record,
    get_invoice_record,
    invoice_out,
)
from .store import DEMO_USER

USER = DEMO_USER["name"]


def _refuse(errors):
    raise ControlError(400, "; ".join(errors), errors)


def _describe(data, before):
    changed = [f for f in data if f != "ContactID" and before.get(f) != data[f]]
    return "Edited in Xero: %s" % (", ".join(changed) or "no changes")


def create_contact(org, params, query, body):
    errors = contacts.validate(org, body)
    if body.get("ContactID") and str(body["ContactID"]).lower() in org.contacts:
        errors.append("A contact with this ContactID already exists.")
    if errors:
        _refuse(errors)
    record = contacts.apply(org, body)
    add_history(org, record["ContactID"], "Created", "Contact created: %s" % record["Name"],
                USER)
    return contact_out(org, record, history=True)


def update_contact(org, params, query, body):
    record = get_contact_record(org, params["id"])
    data = {k: v for k, v in body.items() if k != "ContactID"}
    errors = contacts.validate(org, data, record)
    if errors:
        _refuse(errors)
    before = dict(record)
    record = contacts.apply(org, data, record)
    add_history(org, record["ContactID"], "Edited", _describe(data, before), USER)
    return contact_out(org, record, history=True)


def _save_invoice(org, data, record, changes):
    candidate, errors = build(org, data, record)
    if errors:
        _refuse(errors)
    commit(org, candidate)
    add_history(org, candidate["InvoiceID"], changes, "%s %s" % (
        candidate["Type"], candidate.get("InvoiceNumber") or ""), USER)
    return invoice_out(org, candidate, history=True)


def create_invoice(org, params, query, body):
    data = dict(body)
    data.setdefault("Type", "ACCREC")
    if data.get("ContactID") and not data.get("Contact"):
        data["Contact"] = {"ContactID": data.pop("ContactID")}
    data.pop("InvoiceID", None)
    return _save_invoice(org, data, None, "Created")


def approve_invoice(org, params, query, body):
    invoice = get_invoice_record(org, params["id"])
    if invoice["Status"] not in ("DRAFT", "SUBMITTED"):
        _refuse(["Only draft or submitted invoices can be approved (this one is %s)."
                 % invoice["Status"]])
    data = {"Status": "AUTHORISED"}
    if body.get("due_date"):
        data["DueDate"] = body["due_date"]
    return _save_invoice(org, data, invoice, "Approved")


def void_invoice(org, params, query, body):
    return _save_invoice(org, {"Status": "VOIDED"}, get_invoice_record(org, params["id"]),
                         "Voided")


def pay_invoice(org, params, query, body):
    invoice = get_invoice_record(org, params["id"])
    amount, day = parse_amount_and_date(invoice, body.get("amount"), body.get("date"))
    add_payment(org, invoice, amount, day, reference=body.get("reference") or "")
    commit(org, invoice)
    contact = org.contacts.get(invoice["ContactID"], {})
    add_history(org, invoice["InvoiceID"], "Paid" if invoice["Status"] == "PAID" else
                "Payment", "Payment received from %s on %s for %s" % (
                    contact.get("Name", ""), day.isoformat(),
                    xero_json.money(amount)), USER)
    return invoice_out(org, invoice, history=True)


def create_credit_note(org, params, query, body):
    """A customer credit, optionally allocated at once to one of their invoices."""
    invoice = get_invoice_record(org, body["invoice_id"]) if body.get("invoice_id") else None
    contact_id = body.get("contact_id") or (invoice or {}).get("ContactID")
    lines, line_amount_types = body.get("lines"), body.get("line_amount_types") or "Exclusive"
    if lines is None:
        amount = body.get("amount", (invoice or {}).get("AmountDue"))
        if amount is None:
            _refuse(["Give lines or an amount (or an invoice_id to credit what it owes)."])
        # An amount is what the customer is credited: tax included.
        lines, line_amount_types = [{"Description": body.get("description") or "Credit",
                                     "Quantity": 1, "UnitAmount": amount,
                                     "AccountCode": "200"}], "Inclusive"
    try:
        on_date = xero_json.parse_date(body.get("date")) or xero_json.now().date()
    except ValueError as exc:
        _refuse([str(exc)])
    credit, errors = credit_notes.build(
        org, contact_id, lines, line_amount_types, str(body.get("status") or "AUTHORISED")
        .upper(), on_date, body.get("reference"))
    if errors:
        _refuse(errors)
    if invoice is not None:
        # A credit for an invoice is in the invoice's currency, at its rate.
        credit.update(CurrencyCode=invoice["CurrencyCode"], CurrencyRate=invoice["CurrencyRate"])
        amount = min(credit["Total"], invoice["AmountDue"])
        errors = credit_notes.allocate(org, credit, invoice, amount, on_date)
        if errors:
            _refuse(errors)
    credit_notes.commit(org, credit)
    add_history(org, credit["CreditNoteID"], "Created", "ACCRECCREDIT %s"
                % credit["CreditNoteNumber"], USER)
    if invoice is not None:
        commit(org, invoice)
        add_history(org, invoice["InvoiceID"], "Credit Applied", "Credit note %s for %s "
                    "applied" % (credit["CreditNoteNumber"], amount), USER)
    return credit_notes.credit_note_json(org, credit)


def upsert_item(org, params, query, body):
    item, errors = items.upsert(org, body)
    if errors:
        _refuse(errors)
    return items.item_json(item)


def set_tracking_option(org, params, query, body):
    category, errors = tracking.set_option_status(
        org, params["category"], params["option"], str(body.get("status") or "").upper())
    if errors:
        _refuse(errors)
    return tracking.category_json(category)


ROUTES = [
    ("POST", "contacts", create_contact),
    ("POST", "contacts/{id}", update_contact),
    ("POST", "invoices", create_invoice),
    ("POST", "invoices/{id}/approve", approve_invoice),
    ("POST", "invoices/{id}/pay", pay_invoice),
    ("POST", "invoices/{id}/void", void_invoice),
    ("POST", "credit-notes", create_credit_note),
    ("POST", "items", upsert_item),
    ("POST", "tracking-categories/{category}/options/{option}", set_tracking_option),
]
