"""Pure functions: opportunity values -> Xero draft invoice, Xero invoice ->
values kept on the opportunity (no Odoo import).

Odoo side: plain dicts the models build (names and numbers, not records).
Xero side: dicts with Xero's JSON field names.
"""
from decimal import Decimal, InvalidOperation

# Organisation.DefaultSalesTax -> Invoice.LineAmountTypes
LINE_AMOUNT_TYPES = {
    "tax exclusive": "Exclusive",
    "tax inclusive": "Inclusive",
    "no tax": "NoTax",
}
DEFAULT_LINE_AMOUNT_TYPE = "Exclusive"
STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
# Statuses Odoo may still update (Xero itself also edits SUBMITTED; the brief
# and the opportunity only ever hand over drafts).
UPDATABLE = ("DRAFT",)
# Statuses Xero deletes with Status DELETED; AUTHORISED can only be voided.
DELETABLE = ("DRAFT", "SUBMITTED")
# Nothing left to delete in Xero.
GONE = ("DELETED", "VOIDED")
# Statuses that can still change: the scheduled refresh reads these.
OPEN = ("DRAFT", "SUBMITTED", "AUTHORISED")
REFERENCE_MAX = 255
DESCRIPTION_MAX = 4000
REVENUE_CLASS = "REVENUE"


def line_amount_types(default_sales_tax):
    """'Tax Exclusive' / 'Tax Inclusive' / 'No Tax' -> Exclusive / Inclusive / NoTax."""
    return LINE_AMOUNT_TYPES.get((default_sales_tax or "").strip().lower(),
                                 DEFAULT_LINE_AMOUNT_TYPE)


def revenue_accounts(accounts):
    """Active revenue-class accounts with a code, sorted by code: (code, name)."""
    chosen = [(a["Code"], a.get("Name") or "") for a in accounts or []
              if a.get("Class") == REVENUE_CLASS and a.get("Status") == "ACTIVE" and a.get("Code")]
    return sorted(chosen)


def account_problem(code, accounts):
    """Why `code` cannot be used as the revenue account (a sentence), or None."""
    if not code:
        return "Pick the Xero revenue account the invoice is booked to."
    account = next((a for a in accounts or [] if a.get("Code") == code), None)
    if account is None:
        return ("Xero has no account with code %s. Pick one of the organisation's revenue "
                "accounts." % code)
    if account.get("Status") != "ACTIVE":
        return ("The Xero account %s is archived. Pick an active revenue account, or restore "
                "it in Xero (Accounting > Chart of accounts)." % _label(account))
    if account.get("Class") != REVENUE_CLASS:
        return "The Xero account %s is not a revenue account." % _label(account)
    return None


def _label(account):
    return " ".join(filter(None, [account.get("Code"), account.get("Name")]))


def enabled_currencies(organisation, currencies):
    """Codes the organisation can invoice in: its base currency and the enabled ones."""
    codes = {c.get("Code") for c in currencies or [] if c.get("Code")}
    if (organisation or {}).get("BaseCurrency"):
        codes.add(organisation["BaseCurrency"])
    return codes


def _amount(value):
    try:
        return Decimal(str(value or 0))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _number(value):
    """A JSON number: int when whole, else a float rounded to 4 places."""
    value = _amount(value)
    return int(value) if value == value.to_integral_value() else float(round(value, 4))


def opportunity_line(name, description, expected_revenue, account_code):
    """The one line made from the opportunity itself."""
    text = (name or "").strip()
    if description and description.strip():
        text = "%s\n%s" % (text, description.strip()) if text else description.strip()
    return {
        "Description": text[:DESCRIPTION_MAX],
        "Quantity": 1,
        "UnitAmount": _number(expected_revenue),
        "AccountCode": account_code,
    }


def quotation_lines(lines, account_code):
    """Lines of a quotation: dicts with description, quantity, price_unit,
    discount (percent). No TaxType: Xero applies the account's default."""
    out = []
    for line in lines:
        item = {
            "Description": (line.get("description") or "").strip()[:DESCRIPTION_MAX],
            "Quantity": _number(line.get("quantity")),
            "UnitAmount": _number(line.get("price_unit")),
            "AccountCode": account_code,
        }
        if _amount(line.get("discount")):
            item["DiscountRate"] = _number(line.get("discount"))
        out.append(item)
    return out


def lines_problem(lines):
    """Why these lines cannot make an invoice, or None."""
    if not lines:
        return "There is nothing to invoice: no expected revenue and no quotation lines."
    if not any(_amount(l.get("UnitAmount")) * _amount(l.get("Quantity")) for l in lines):
        return ("There is nothing to invoice: enter the expected revenue of the opportunity "
                "(or add a quotation) first.")
    return None


def reference(opportunity_id, name):
    return ("CRM #%s %s" % (opportunity_id, (name or "").strip())).strip()[:REFERENCE_MAX]


def invoice_payload(contact_id, lines, currency_code, line_amounts, reference_text, url,
                    create=True):
    """The Xero invoice to PUT (create) or POST (update). Omits TaxType so Xero
    uses each account's default; an update leaves Type and Status alone."""
    invoice = {
        "Contact": {"ContactID": contact_id},
        "LineItems": lines,
        "LineAmountTypes": line_amounts,
        "CurrencyCode": currency_code,
        "Reference": reference_text,
    }
    if url:
        invoice["Url"] = url
    if create:
        invoice.update(Type="ACCREC", Status="DRAFT")
    return invoice


def invoice_values(invoice):
    """What the opportunity keeps of a Xero invoice."""
    status = (invoice.get("Status") or "").upper()
    return {
        "invoice_id": invoice.get("InvoiceID"),
        "number": invoice.get("InvoiceNumber") or False,
        "status": status if status in STATUSES else False,
        "total": float(_amount(invoice.get("Total"))),
        "amount_due": float(_amount(invoice.get("AmountDue"))),
        "currency": invoice.get("CurrencyCode") or False,
    }


def not_modifiable(messages):
    """True when Xero refused a change because of the invoice's status."""
    return any("valid status for modification" in (m or "") or "cannot be edited" in (m or "")
               for m in messages or [])


def batches(items, size=100):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]
