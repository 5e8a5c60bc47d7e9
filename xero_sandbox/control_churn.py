"""``POST /_sandbox/orgs/{tenant_id}/churn``: a stretch of an accountant's day,
at scale, in one control call (benchmarks: "1 % of contacts and invoices
change a day").

Each change goes through the same rules as the accountant's single actions
(``control_accountant``): contacts edited or added, invoices approved, paid
or added.  So they are stamped (UpdatedDateUTC on the sandbox's clock), seen
by If-Modified-Since and announced to webhook subscribers like any other
change; none is an API call.  The same ``seed`` picks the same records.
"""
import random
from decimal import Decimal

from .accounting import contacts
from .accounting.history import add_history
from .accounting.invoice_rules import build, commit
from .accounting.payments import add_payment, parse_amount_and_date
from .control_reads import ControlError
from .store import DEMO_USER

USER = DEMO_USER["name"]


def _count(body, key):
    try:
        return max(0, int(body.get(key) or 0))
    except (TypeError, ValueError):
        raise ControlError(400, "%s must be an integer" % key)


def churn(org, params, query, body):
    """``{"contacts": n edited, "new_contacts": k added, "invoices": m changed
    (a third new, the others approved or paid), "seed": s}`` -> the ids."""
    rnd = random.Random("churn-%s-%s" % (org.tenant_id, body.get("seed", 0)))
    active = sorted(c["ContactID"] for c in org.contacts.values()
                    if c["ContactStatus"] == "ACTIVE")
    if not active:
        raise ControlError(400, "the organisation has no active contact")
    edited = [_edit_contact(org, rnd, contact_id) for contact_id in
              rnd.sample(active, min(_count(body, "contacts"), len(active)))]
    added = [_new_contact(org, rnd, body.get("seed", 0), index)
             for index in range(_count(body, "new_contacts"))]
    changeable = sorted(i["InvoiceID"] for i in org.invoices.values()
                        if i["Type"] == "ACCREC" and i["Status"] in ("DRAFT", "AUTHORISED"))
    changed = []
    for _ in range(_count(body, "invoices")):
        if rnd.random() < 1 / 3 or not changeable:
            changed.append(_new_invoice(org, rnd, rnd.choice(active)))
            continue
        invoice = org.invoices[changeable.pop(rnd.randrange(len(changeable)))]
        changed.append(_approve(org, invoice) if invoice["Status"] == "DRAFT"
                       else _pay(org, rnd, invoice))
    return {"contacts": edited, "new_contacts": added, "invoices": changed}


def _edit_contact(org, rnd, contact_id):
    record = org.contacts[contact_id]
    phone = {"PhoneType": "DEFAULT", "PhoneNumber": "%03d-%04d" % (
        rnd.randint(200, 999), rnd.randint(0, 9999))}
    contacts.apply(org, {"Phones": [phone]}, record)
    add_history(org, contact_id, "Edited", "Edited in Xero: Phones", USER)
    return contact_id


def _new_contact(org, rnd, seed, index):
    name = "Churn Customer %s-%d-%04d" % (seed, index, rnd.randint(0, 9999))
    while name.lower() in org.contact_names:
        name += " X"
    record = contacts.apply(org, {"Name": name, "EmailAddress": "churn%s.%d@example.com"
                                  % (seed, index)})
    add_history(org, record["ContactID"], "Created", "Contact created: %s" % name, USER)
    return {"ContactID": record["ContactID"], "Name": name}


def _save(org, data, record, changes):
    candidate, errors = build(org, data, record)
    if errors:
        raise ControlError(400, "; ".join(errors), errors)
    commit(org, candidate)
    add_history(org, candidate["InvoiceID"], changes, "%s %s" % (
        candidate["Type"], candidate.get("InvoiceNumber") or ""), USER)
    return candidate["InvoiceID"]


def _new_invoice(org, rnd, contact_id):
    return _save(org, {"Type": "ACCREC", "Contact": {"ContactID": contact_id},
                       "Status": "AUTHORISED", "LineItems": [{
                           "Description": "Services", "Quantity": 1,
                           "UnitAmount": Decimal(rnd.randint(40, 1000)), "AccountCode": "200"}]},
                 None, "Created")


def _approve(org, invoice):
    return _save(org, {"Status": "AUTHORISED"}, invoice, "Approved")


def _pay(org, rnd, invoice):
    due = invoice["AmountDue"]
    amount, day = parse_amount_and_date(invoice, due if rnd.random() < 0.7 else due / 2, None)
    add_payment(org, invoice, amount, day)
    commit(org, invoice)
    add_history(org, invoice["InvoiceID"], "Paid" if invoice["Status"] == "PAID" else "Payment",
                "Payment of %s" % amount, USER)
    return invoice["InvoiceID"]


ROUTES = [
    ("POST", "churn", churn),
]
