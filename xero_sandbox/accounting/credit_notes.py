"""Credit notes (``ACCRECCREDIT``): the rules, ``GET /CreditNotes[/{id}]``, the seed.

A credit note allocated to an invoice lowers that invoice's AmountDue and
raises its AmountCredited (PAID once nothing is due) and lowers the note's
RemainingCredit (PAID once all of it is used).  Unallocated credit lowers the
contact's outstanding balance, as on Xero's contact screen.
"""
import datetime as dt
import uuid
from decimal import Decimal

from .. import xero_json
from . import branding
from .common import modified_since, not_found, paginate, sort_records, where_filter
from .invoice_rules import commit as commit_invoice
from .invoice_rules import compute_lines
from .payments import settle

_MONEY = ("SubTotal", "TotalTax", "Total", "RemainingCredit", "CurrencyRate")


def next_number(org):
    org.credit_note_seq += 1
    return "CN-%04d" % org.credit_note_seq


def build(org, contact_id, lines, line_amount_types="Exclusive", status="AUTHORISED",
          on_date=None, reference="", credit_id=None):
    """(credit note, errors) for an ACCRECCREDIT; nothing is stored."""
    errors = []
    contact = org.contacts.get(str(contact_id or "").lower())
    if contact is None:
        errors.append("The contact with ContactID %s could not be found." % contact_id)
    elif contact["ContactStatus"] == "ARCHIVED":
        errors.append("The contact %s is archived. Archived contacts cannot be used on "
                      "transactions." % contact["Name"])
    if status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
        errors.append("Credit note status %s cannot be used for a new credit note." % status)
    if not lines:
        errors.append("One or more line items must be specified.")
    items, subtotal, tax = compute_lines(org, lines or [], line_amount_types, "ACCREC", errors,
                                         status != "DRAFT")
    total = subtotal + tax
    if total <= 0 and not errors:
        errors.append("The credit note total must be greater than zero.")
    credit = {
        "CreditNoteID": credit_id or str(uuid.uuid4()), "CreditNoteNumber": "",
        "Type": "ACCRECCREDIT", "ContactID": contact["ContactID"] if contact else None,
        "Date": on_date or xero_json.now().date(), "Status": status,
        "LineAmountTypes": line_amount_types, "LineItems": items, "SubTotal": subtotal,
        "TotalTax": tax, "Total": total, "RemainingCredit": total,
        "CurrencyCode": org.base_currency, "CurrencyRate": Decimal(1),
        "Reference": reference or "", "Allocations": [], "Payments": [],
        "BrandingThemeID": branding.default_theme_id(org), "FullyPaidOnDate": None,
        "SentToContact": False}
    return credit, errors


def allocate(org, credit, invoice, amount, on_date):
    """Apply ``amount`` of the credit to the invoice; returns refusals (none: done)."""
    amount = xero_json.money(amount)
    problems = []
    if credit["Status"] != "AUTHORISED":
        problems.append("Only an AUTHORISED credit note can be allocated.")
    if invoice["Type"] != "ACCREC" or invoice["Status"] != "AUTHORISED":
        problems.append("A credit note can only be allocated to an AUTHORISED sales invoice.")
    if invoice["ContactID"] != credit["ContactID"]:
        problems.append("The credit note and the invoice must be for the same contact.")
    if invoice["CurrencyCode"] != credit["CurrencyCode"]:
        problems.append("The credit note and the invoice must be in the same currency.")
    if amount <= 0 or amount > credit["RemainingCredit"] or amount > invoice["AmountDue"]:
        problems.append("The allocation amount must be more than zero and no more than the "
                        "remaining credit (%s) and the amount due (%s)."
                        % (credit["RemainingCredit"], invoice["AmountDue"]))
    if problems:
        return problems
    credit["Allocations"].append({"AllocationID": str(uuid.uuid4()), "Amount": amount,
                                  "InvoiceID": invoice["InvoiceID"], "Date": on_date})
    credit["RemainingCredit"] -= amount
    if credit["RemainingCredit"] <= 0:
        credit["Status"], credit["FullyPaidOnDate"] = "PAID", on_date
    invoice.setdefault("CreditAllocations", []).append({
        "CreditNoteID": credit["CreditNoteID"], "Amount": amount, "Date": on_date})
    invoice["AmountCredited"] += amount
    settle(invoice, on_date)
    return []


def commit(org, credit, when=None):
    """Store a credit note (numbered on first save) and tell subscribers."""
    created = credit["CreditNoteID"] not in org.credit_notes
    if not credit["CreditNoteNumber"]:
        credit["CreditNoteNumber"] = next_number(org)
    credit["UpdatedDateUTC"] = when or xero_json.now()
    org.credit_notes[credit["CreditNoteID"]] = credit
    org.credit_notes_by_contact.setdefault(credit["ContactID"], set()).add(
        credit["CreditNoteID"])
    org.touch()
    org.emit("CREDITNOTE", "CREATE" if created else "UPDATE", credit["CreditNoteID"],
             {"Type": credit["Type"], "Status": credit["Status"]})
    return credit


def unallocated(org, contact_id, credit_type):
    return sum((c["RemainingCredit"] for i in org.credit_notes_by_contact.get(contact_id, ())
                for c in (org.credit_notes[i],)
                if c["Type"] == credit_type and c["Status"] == "AUTHORISED"), Decimal(0))


# --- JSON -----------------------------------------------------------------------
def _date_fields(out, record, keys):
    for key in keys:
        if record.get(key):
            out[key] = xero_json.ms_date(record[key])
    if record.get("Date"):
        out["DateString"] = xero_json.iso_date(record["Date"])


def credit_note_json(org, credit, lines=True):
    from .invoices import _line_json
    contact = org.contacts.get(credit["ContactID"], {})
    out = {k: credit[k] for k in ("CreditNoteID", "CreditNoteNumber", "Type", "Status",
                                  "LineAmountTypes", "CurrencyCode", "Reference",
                                  "BrandingThemeID", "SentToContact")}
    out["Contact"] = {"ContactID": credit["ContactID"], "Name": contact.get("Name", "")}
    for key in _MONEY:
        out[key] = xero_json.number(credit[key])
    _date_fields(out, credit, ("Date", "FullyPaidOnDate"))
    out["UpdatedDateUTC"] = xero_json.ms_datetime(credit["UpdatedDateUTC"])
    out["AppliedAmount"] = xero_json.number(credit["Total"] - credit["RemainingCredit"])
    out["Allocations"] = [{
        "AllocationID": a["AllocationID"], "Amount": xero_json.number(a["Amount"]),
        "Date": xero_json.ms_date(a["Date"]), "Invoice": {
            "InvoiceID": a["InvoiceID"], "InvoiceNumber": org.invoices.get(
                a["InvoiceID"], {}).get("InvoiceNumber") or "",
            "Payments": [], "CreditNotes": [], "Prepayments": [], "Overpayments": [],
            "HasErrors": False, "IsDiscounted": False}} for a in credit["Allocations"]]
    out.update(Payments=[], HasAttachments=False, HasErrors=False)
    if lines:
        out["LineItems"] = [_line_json(l) for l in credit["LineItems"]]
    return out


def on_invoice_json(org, invoice):
    """An invoice's ``CreditNotes``: each allocated note and the amount applied."""
    out = []
    for allocation in invoice.get("CreditAllocations", ()):
        credit = org.credit_notes.get(allocation["CreditNoteID"], {})
        item = {"CreditNoteID": allocation["CreditNoteID"],
                "CreditNoteNumber": credit.get("CreditNoteNumber", ""), "Type": "ACCRECCREDIT",
                "AppliedAmount": xero_json.number(allocation["Amount"]),
                "Total": xero_json.number(credit.get("Total", 0)),
                "Date": xero_json.ms_date(allocation["Date"]), "LineItems": [],
                "HasErrors": False}
        out.append(item)
    return out


# --- handlers -------------------------------------------------------------------
def _where_view(org, credit):
    contact = org.contacts.get(credit["ContactID"], {})
    return dict(credit, Contact={"ContactID": credit["ContactID"],
                                 "Name": contact.get("Name", "")})


def get_credit_notes(ctx):
    org = ctx.org
    predicate = where_filter(ctx.arg("where"))
    since = modified_since(ctx)
    order = ctx.arg("order")

    def select():
        return sort_records([c for c in org.credit_notes.values()
                             if (since is None or c["UpdatedDateUTC"] > since)
                             and (predicate is None or predicate(_where_view(org, c)))],
                            order, "UpdatedDateUTC")

    with org.lock:
        # filtered and sorted once until the next write, read page after page
        selected = org.cached(("credit_notes", ctx.arg("where"), since, order), select)
        page, pagination = paginate(ctx, selected)
        # As for invoices: paged answers carry the line items.
        items = [credit_note_json(org, c, lines=pagination is not None) for c in page]
    return 200, xero_json.envelope("CreditNotes", items, pagination)


def find_credit_note(org, key):
    key = (key or "").strip()
    return org.credit_notes.get(key.lower()) or next(
        (c for c in org.credit_notes.values() if c["CreditNoteNumber"] == key), None)


def get_credit_note(ctx):
    with ctx.org.lock:
        credit = find_credit_note(ctx.org, ctx.params["id"])
        if credit is None:
            raise not_found()
        return 200, xero_json.envelope("CreditNotes", [credit_note_json(ctx.org, credit)])


ROUTES = [
    ("GET", "/CreditNotes", get_credit_notes, "accounting.invoices"),
    ("GET", "/CreditNotes/{id}", get_credit_note, "accounting.invoices"),
]


# --- the seed -------------------------------------------------------------------
def seed(org, rnd, today, latest):
    """A few credit notes: about one contact in eight, most allocated to an invoice."""
    for contact in list(org.contacts.values()):
        if contact["ContactStatus"] != "ACTIVE" or rnd.random() >= 0.125:
            continue
        open_invoices = sorted((org.invoices[i] for i in org.invoices_by_contact.get(
            contact["ContactID"], ()) if org.invoices[i]["Type"] == "ACCREC"
            and org.invoices[i]["Status"] == "AUTHORISED"), key=lambda i: i["Date"])
        invoice = open_invoices[0] if open_invoices and rnd.random() < 0.7 else None
        if invoice is not None:
            share = rnd.choice((Decimal(1), Decimal("0.5"), Decimal("0.25")))
            amount = xero_json.money(invoice["AmountDue"] * share)
            on_date = min(invoice["Date"] + dt.timedelta(days=rnd.randint(1, 20)), today)
        else:
            amount = Decimal(rnd.randint(20, 200))
            on_date = today - dt.timedelta(days=rnd.randint(1, 90))
        credit, errors = build(org, contact["ContactID"], [{
            "Description": "Credit: %s" % rnd.choice(("goodwill", "returned goods",
                                                       "billing correction")),
            "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}], "Inclusive",
            on_date=on_date, credit_id=str(uuid.UUID(int=rnd.getrandbits(128), version=4)))
        assert not errors, errors
        when = min(dt.datetime.combine(on_date, dt.time(12), xero_json.UTC), latest)
        if invoice is not None:
            assert not allocate(org, credit, invoice, amount, on_date)
            commit_invoice(org, invoice, when=when)
        commit(org, credit, when=when)
