"""Opportunities -> Xero quotes: pure mapping (no Odoo).

A quote's lines and totals are an invoice's (xero/invoices.py makes them);
what differs is its header (Title, Summary, Terms, ExpiryDate), its
statuses, and that an update is read by Xero as the whole header: Contact
and Date are sent every time, and Reference, Title, Summary and Terms left
out are cleared (xero_sandbox/accounting/quotes.py has the sources).
"""
from .invoices import _amount, money
from .responses import parse_xero_date

# Xero's words for a quote's statuses (QuoteStatusCodes), as its app shows them.
STATUSES = [("DRAFT", "Draft"), ("SENT", "Sent"), ("ACCEPTED", "Accepted"),
            ("DECLINED", "Declined"), ("INVOICED", "Invoiced"), ("DELETED", "Deleted")]
# Xero lets DRAFT and SENT quotes be edited; the others only change status.
UPDATABLE = ("DRAFT", "SENT")
# The customer said yes: an invoice starts from this quote's lines.
AGREED = ("ACCEPTED", "INVOICED")
# Nothing left of the quote in Xero.
GONE = ("DELETED",)
# Statuses that can still change: the scheduled read follows these.
OPEN = ("DRAFT", "SENT", "ACCEPTED", "DECLINED", "INVOICED")
# Invoice LineAmountTypes -> the quotes' spelling (QuoteLineAmountTypes).
LINE_AMOUNT_TYPES = {"Exclusive": "EXCLUSIVE", "Inclusive": "INCLUSIVE", "NoTax": "NOTAX"}
INVOICE_LINE_AMOUNT_TYPES = {value: key for key, value in LINE_AMOUNT_TYPES.items()}
TITLE_MAX, SUMMARY_MAX, TERMS_MAX = 100, 3000, 4000


def quote_payload(contact_id, lines, currency_code, line_amounts, reference_text, date,
                  expiry_date=None, title=None, summary=None, terms=None,
                  branding_theme_id=None, create=True):
    """The quote to PUT (create) or POST (update: the whole header again,
    its first Date kept).  ``line_amounts`` in the invoices' spelling."""
    quote = {"Contact": {"ContactID": contact_id}, "Date": date.isoformat(),
             "LineItems": lines, "CurrencyCode": currency_code,
             "LineAmountTypes": LINE_AMOUNT_TYPES.get(line_amounts, "EXCLUSIVE"),
             "Reference": reference_text or "", "Title": (title or "")[:TITLE_MAX],
             "Summary": (summary or "")[:SUMMARY_MAX], "Terms": (terms or "")[:TERMS_MAX]}
    if expiry_date:
        quote["ExpiryDate"] = expiry_date.isoformat()
    if branding_theme_id:
        quote["BrandingThemeID"] = branding_theme_id
    if create:
        quote["Status"] = "DRAFT"
    return quote


def as_update(payload):
    """A quote payload as an update sends it (less the create's Status)."""
    return {key: value for key, value in (payload or {}).items() if key != "Status"}


def quote_values(quote):
    """What Odoo keeps of a Xero quote."""
    status = (quote.get("Status") or "").upper()
    rate = _amount(quote.get("CurrencyRate")) or 1
    total = _amount(quote.get("Total"))
    return {
        "quote_id": quote.get("QuoteID"),
        "number": quote.get("QuoteNumber") or False,
        "status": status if status in dict(STATUSES) else False,
        "reference": quote.get("Reference") or False,
        "title": quote.get("Title") or False,
        "summary": quote.get("Summary") or False,
        "terms": quote.get("Terms") or False,
        "currency": quote.get("CurrencyCode") or False,
        "currency_rate": float(rate),
        "subtotal": float(_amount(quote.get("SubTotal"))),
        "total_tax": float(_amount(quote.get("TotalTax"))),
        "total": float(total),
        "total_base": float(money(total / rate)),
        "date": parse_xero_date(quote.get("Date")) or False,
        "expiry_date": parse_xero_date(quote.get("ExpiryDate")) or False,
        "line_amount_types": INVOICE_LINE_AMOUNT_TYPES.get(
            (quote.get("LineAmountTypes") or "").upper(), "Exclusive"),
        "line_items": [_kept_line(line) for line in quote.get("LineItems") or []],
    }


_LINE_KEYS = ("Description", "Quantity", "UnitAmount", "ItemCode", "AccountCode",
              "DiscountRate", "TaxType", "LineAmount")


def _kept_line(line):
    kept = {key: line[key] for key in _LINE_KEYS if line.get(key) not in (None, "")}
    if line.get("Tracking"):
        kept["Tracking"] = [{"Name": t.get("Name"), "Option": t.get("Option")}
                            for t in line["Tracking"]]
    return kept


def invoice_lines(quote_lines, account_code):
    """An accepted quote's lines, as an invoice's: each as the customer
    agreed it (its item, tax type and discount), booked to its own account
    or, where the quote had none (a quote posts nothing), ``account_code``."""
    out = []
    for line in quote_lines or []:
        entry = {key: line[key] for key in ("Description", "Quantity", "UnitAmount",
                                            "ItemCode", "DiscountRate", "TaxType")
                 if line.get(key) not in (None, "")}
        entry["AccountCode"] = line.get("AccountCode") or account_code
        out.append(entry)
    return out


def find_made(quotes, payload, taken=()):
    """The quote a create sent as ``payload`` made, among ``quotes`` (the
    customer's, read as Xero lists them), or None: the same Reference,
    Title and lines, not deleted and linked to no other opportunity (a quote
    has no Url pointing back to Odoo)."""
    def shape(lines):
        return [((l.get("Description") or "").strip(), money(l.get("Quantity")),
                 money(l.get("UnitAmount"))) for l in lines or []]
    wanted = shape(payload.get("LineItems"))
    for quote in quotes or []:
        if quote.get("QuoteID") in taken or (quote.get("Status") or "").upper() in GONE:
            continue
        if (quote.get("Reference") or "") == (payload.get("Reference") or "") and \
                (quote.get("Title") or "") == (payload.get("Title") or "") and \
                shape(quote.get("LineItems")) == wanted:
            return quote
    return None
