"""Invoice rules: totals, defaults, validation and status transitions.

Kept apart from the HTTP handlers so the seed builds its history with the very
same arithmetic that the API applies to new invoices: balances and totals of
seeded data are then consistent by construction.
"""
import datetime as dt
import uuid
from decimal import Decimal

from .. import xero_json
from . import branding, currencies, items, tracking

TYPES = ("ACCREC", "ACCPAY")
LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": {"PAID"}, "VOIDED": {"VOIDED"}, "DELETED": {"DELETED"},
}
# How Xero's web app names each status (invoice pages, PDF).
STATUS_WORDS = {"DRAFT": "Draft", "SUBMITTED": "Awaiting Approval",
                "AUTHORISED": "Awaiting Payment", "PAID": "Paid", "VOIDED": "Voided",
                "DELETED": "Deleted"}
NOT_MODIFIABLE = "Invoice not of valid status for modification"
HAS_PAYMENTS = ("This document cannot be edited as it has a payment or credit note "
                "allocated to it.")
HAS_CREDIT = ("This invoice has a credit note allocated to it and cannot be voided. "
              "Remove the allocation first.")
_EDITABLE = ("Reference", "Url", "InvoiceNumber", "CurrencyCode", "LineAmountTypes",
             "SentToContact", "BrandingThemeID", "ExpectedPaymentDate")


def next_invoice_number(org):
    while True:
        org.invoice_seq += 1
        number = "INV-%04d" % org.invoice_seq
        if number not in org.invoice_numbers:
            return number


def compute_lines(org, lines, line_amount_types, invoice_type, errors, strict, stored=False):
    """Fill TaxType/TaxAmount/LineAmount per line; return (lines, subtotal, tax).

    ``stored`` lines were validated when saved: their item and tracking stay
    as they are even if since archived (voiding must still work).
    """
    subtotal = total_tax = Decimal(0)
    out = []
    for given in lines:
        if not isinstance(given, dict):
            errors.append("Each line item must be a JSON object.")
            continue
        if not stored:
            given = items.fill_line(org, given, invoice_type, errors)
        line = {"LineItemID": str(given.get("LineItemID") or uuid.uuid4()).lower(),
                "Description": given.get("Description") or "",
                "Quantity": xero_json.to_decimal(given.get("Quantity"), "1"),
                "UnitAmount": xero_json.to_decimal(given.get("UnitAmount"), "0"),
                "Tracking": list(given.get("Tracking") or []) if stored
                else tracking.resolve(org, given.get("Tracking"), errors)}
        for key in ("ItemCode", "Item"):
            if given.get(key):
                line[key] = given[key]
        discount = given.get("DiscountRate")
        code = given.get("AccountCode")
        tax_type = given.get("TaxType")
        if code:
            line["AccountCode"] = str(code)
            account = org.account_by_code(str(code))
            if account is None:
                errors.append("Account code '%s' is not a valid code for this document."
                              % code)
            elif account["Status"] != "ACTIVE":
                errors.append("Account code '%s' has been archived, or has been deleted. "
                              "Each line item must reference a valid account." % code)
            else:
                line["AccountID"] = account["AccountID"]
                # Xero's rule: no TaxType given -> the account's default tax type.
                tax_type = tax_type or account["TaxType"]
        elif strict:
            errors.append("Account code must be specified for each line item of an "
                          "approved invoice.")
        tax_type = tax_type or "NONE"
        rate_row = org.tax_rate(tax_type)
        applies = "CanApplyToRevenue" if invoice_type == "ACCREC" else "CanApplyToExpenses"
        if rate_row is None or rate_row["Status"] != "ACTIVE" or not rate_row[applies]:
            errors.append("The TaxType code '%s' does not exist or cannot be used for "
                          "this type of transaction." % tax_type)
            rate = Decimal(0)
        else:
            rate = rate_row["EffectiveRate"]
        amount = line["Quantity"] * line["UnitAmount"]
        if discount not in (None, ""):
            line["DiscountRate"] = xero_json.to_decimal(discount)
            amount = amount * (100 - line["DiscountRate"]) / 100
        amount = xero_json.money(amount)
        if line_amount_types == "Exclusive":
            tax = xero_json.money(amount * rate / 100)
            subtotal += amount
        elif line_amount_types == "Inclusive":
            tax = xero_json.money(amount * rate / (100 + rate))
            subtotal += amount - tax
        else:
            tax = Decimal("0.00")
            subtotal += amount
        line.update(TaxType=tax_type, TaxAmount=tax, LineAmount=amount)
        total_tax += tax
        out.append(line)
    return out, xero_json.money(subtotal), xero_json.money(total_tax)


def build(org, data, record=None, today=None):
    """The invoice ``data`` would produce (merged onto ``record``), and errors.

    Nothing is stored: the caller commits the candidate only if errors is empty.
    """
    today = today or xero_json.now().date()
    errors = []
    current = dict(record) if record else {
        "InvoiceID": str(uuid.uuid4()), "Status": "DRAFT", "LineItems": [],
        "LineAmountTypes": "Exclusive", "CurrencyCode": org.base_currency,
        "CurrencyRate": Decimal(1), "Reference": "", "AmountPaid": Decimal(0),
        "AmountCredited": Decimal(0), "Payments": [], "SentToContact": False,
        "InvoiceNumber": "", "Date": today, "DueDate": None, "FullyPaidOnDate": None,
        "CreditAllocations": [], "BrandingThemeID": branding.default_theme_id(org)}
    old_status = record["Status"] if record else None
    status = str(data.get("Status") or current["Status"]).upper()
    if record is None:
        if status not in CREATE_STATUSES:
            errors.append("Invoice status %s cannot be used for a new invoice." % status)
        invoice_type = str(data.get("Type") or "").upper()
        if invoice_type not in TYPES:
            errors.append("Invoice Type must be ACCREC or ACCPAY.")
        current["Type"] = invoice_type
    else:
        if old_status in ("PAID", "VOIDED", "DELETED"):
            return current, [NOT_MODIFIABLE]
        if status not in TRANSITIONS[old_status]:
            return current, [NOT_MODIFIABLE]
        if status == "VOIDED" and record["AmountPaid"] > 0:
            return current, ["This invoice has payments applied and cannot be voided. "
                             "Remove the payments first."]
        if status == "VOIDED" and record["AmountCredited"] > 0:
            return current, [HAS_CREDIT]
        if old_status == "AUTHORISED" and (record["AmountPaid"] > 0 or
                                           record["AmountCredited"] > 0) and (
                "LineItems" in data or "Contact" in data
                or _currency_changes(data, record)):
            return current, [HAS_PAYMENTS]
    current["Status"] = status
    for field in _EDITABLE:
        if field in data and data[field] is not None:
            current[field] = data[field]
    if data.get("BrandingThemeID"):
        current["BrandingThemeID"] = branding.check(org, data["BrandingThemeID"], errors)
    _contact(org, data, current, errors)
    _dates(data, current, org, errors)
    # CurrencyCode and CurrencyRate: the same rules as quotes (currencies.py).
    currencies.resolve(org, data, current, record, errors)
    if current["LineAmountTypes"] not in LINE_AMOUNT_TYPES:
        errors.append("LineAmountTypes must be one of Exclusive, Inclusive or NoTax.")
        current["LineAmountTypes"] = "Exclusive"
    number = current.get("InvoiceNumber") or ""
    if current.get("Type") == "ACCREC":
        if not number:
            current["InvoiceNumber"] = number = next_invoice_number(org)
        owner = org.invoice_numbers.get(number)
        if owner and owner != current["InvoiceID"]:
            errors.append("Invoice # must be unique.")
    if "LineItems" in data or record is None or status != old_status:
        lines = data.get("LineItems")
        stored = lines is None
        if stored:
            lines = [_line_input(l) for l in current["LineItems"]]
        elif not isinstance(lines, list):
            errors.append("LineItems must be a list.")
            lines = []
        strict = status in ("SUBMITTED", "AUTHORISED")
        current["LineItems"], subtotal, tax = compute_lines(
            org, lines, current["LineAmountTypes"], current.get("Type"), errors, strict, stored)
        current.update(SubTotal=subtotal, TotalTax=tax, Total=subtotal + tax)
        current["AmountDue"] = current["Total"] - current["AmountPaid"] - current["AmountCredited"]
    if status in ("SUBMITTED", "AUTHORISED") and current["DueDate"] is None:
        errors.append("Due Date must be specified.")
    return current, errors


def _currency_changes(data, record):
    code = str(data.get("CurrencyCode") or record["CurrencyCode"]).strip().upper()
    rate = data.get("CurrencyRate")
    return code != record["CurrencyCode"] or (
        rate not in (None, "") and currencies.parse_rate(rate) != record["CurrencyRate"])


def _line_input(line):
    """A stored line back into request form, to recompute totals on a change."""
    return {k: v for k, v in line.items() if k not in ("TaxAmount", "LineAmount", "AccountID")}


def _contact(org, data, current, errors):
    if "Contact" in data or "ContactID" not in current:
        given = data.get("Contact") or {}
        contact_id = str(given.get("ContactID") or "").lower()
        if not contact_id:
            errors.append("A Contact must be specified for this type of transaction")
            return
        contact = org.contacts.get(contact_id)
        if contact is None:
            errors.append("The contact with ContactID %s could not be found." % contact_id)
            return
        if contact["ContactStatus"] == "ARCHIVED":
            errors.append("The contact %s is archived. Archived contacts cannot be used "
                          "on transactions." % contact["Name"])
            return
        current["ContactID"] = contact_id


def _dates(data, current, org, errors):
    for field in ("Date", "DueDate"):
        if data.get(field):
            try:
                current[field] = xero_json.parse_date(data[field])
            except ValueError:
                errors.append("%s is not a valid date." % field)
    if current["DueDate"] is None and current["Status"] in ("SUBMITTED", "AUTHORISED") \
            and current["Date"]:
        # Xero falls back to the organisation's payment terms for sales.
        terms = org.organisation.get("PaymentTerms", {}).get("Sales", {})
        if terms.get("Type") == "DAYSAFTERBILLDATE":
            current["DueDate"] = current["Date"] + dt.timedelta(days=int(terms["Day"]))


def commit(org, invoice, when=None):
    """Store a validated invoice and keep the indexes in step."""
    old = org.invoices.get(invoice["InvoiceID"])
    if old is not None:
        if old.get("InvoiceNumber") and org.invoice_numbers.get(old["InvoiceNumber"]) \
                == old["InvoiceID"]:
            del org.invoice_numbers[old["InvoiceNumber"]]
        org.invoices_by_contact.get(old["ContactID"], set()).discard(old["InvoiceID"])
    invoice["UpdatedDateUTC"] = when or xero_json.now()
    org.invoices[invoice["InvoiceID"]] = invoice
    if invoice["Type"] == "ACCREC" and invoice.get("InvoiceNumber"):
        org.invoice_numbers[invoice["InvoiceNumber"]] = invoice["InvoiceID"]
    org.invoices_by_contact.setdefault(invoice["ContactID"], set()).add(invoice["InvoiceID"])
    org.touch()
    # Payments and approvals reach subscribers as INVOICE UPDATE, as in Xero.
    org.emit("INVOICE", "UPDATE" if old is not None else "CREATE", invoice["InvoiceID"])
    return invoice
