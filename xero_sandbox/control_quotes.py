"""``/_sandbox/orgs/{tenant_id}/quotes...``: quotes read directly, and changed
as the customer and the accountant change them.

A customer accepts or declines a quote on Xero's online quote page; the
accountant sends it, edits it, or turns an accepted quote into an invoice in
Xero's app.  None of these is an API call (not logged, not rate limited) and,
as in Xero, none sends a webhook: Xero has no quote events.  They apply the
API's own rules (``quotes.build``), so a refused change is refused the same
way: 400 ``{"error", "messages"}``.
"""
from .accounting import quotes
from .accounting.history import add_history, history_json
from .accounting.invoice_rules import build as build_invoice
from .accounting.invoice_rules import commit as commit_invoice
from .control_reads import ControlError, arg, invoice_out
from .store import DEMO_USER

USER = DEMO_USER["name"]


def _refuse(errors):
    raise ControlError(400, "; ".join(errors), errors)


def _record(org, key):
    quote = quotes.find_quote(org, key)
    if quote is None:
        raise ControlError(404, "unknown quote %s" % key)
    return quote


def quote_out(org, quote, history=True):
    out = quotes.quote_json(org, quote)
    if history:
        out["History"] = history_json(org, quote["QuoteID"])
    return out


def _save(org, data, record, user, details=None):
    candidate, errors = quotes.build(org, data, record, whole=False)
    if errors:
        _refuse(errors)
    quotes.commit(org, candidate)
    add_history(org, candidate["QuoteID"], quotes.history_words(record, candidate),
                details or "Quote %s" % candidate["QuoteNumber"], user)
    return candidate


def list_quotes(org, params, query, body):
    contact_id, status = arg(query, "contact_id"), arg(query, "status")
    reference, number = arg(query, "reference"), arg(query, "number")
    selected = [q for q in org.quotes.values()
                if (contact_id is None or q["ContactID"] == contact_id.lower())
                and (status is None or q["Status"] == status.upper())
                and (reference is None or q["Reference"] == reference)
                and (number is None or q["QuoteNumber"] == number)]
    selected.sort(key=lambda q: (q["QuoteNumber"], q["QuoteID"]))
    return {"Quotes": [quote_out(org, q, history=False) for q in selected]}


def one_quote(org, params, query, body):
    return quote_out(org, _record(org, params["id"]))


def create_quote(org, params, query, body):
    """A quote the accountant makes in Xero's app (Xero's quote fields;
    ``ContactID`` may stand for ``Contact``)."""
    data = dict(body)
    if data.get("ContactID") and not data.get("Contact"):
        data["Contact"] = {"ContactID": data.pop("ContactID")}
    data.pop("QuoteID", None)
    return quote_out(org, _save(org, data, None, USER))


def edit_quote(org, params, query, body):
    """The accountant edits fields of a quote (only those named change)."""
    data = {k: v for k, v in body.items() if k != "QuoteID"}
    if data.get("ContactID") and not data.get("Contact"):
        data["Contact"] = {"ContactID": data.pop("ContactID")}
    return quote_out(org, _save(org, data, _record(org, params["id"]), USER))


def send_quote(org, params, query, body):
    """The accountant sends the quote (or marks it sent): DRAFT -> SENT."""
    quote = _record(org, params["id"])
    contact = org.contacts.get(quote["ContactID"], {})
    return quote_out(org, _save(org, {"Status": "SENT"}, quote, USER, "Quote %s sent to %s"
                                % (quote["QuoteNumber"], contact.get("Name", ""))))


def _customer_answer(org, params, body, status, verb):
    """The customer's click on the online quote: SENT -> ACCEPTED / DECLINED."""
    quote = _record(org, params["id"])
    contact = org.contacts.get(quote["ContactID"], {})
    who = str(body.get("name") or contact.get("Name") or "Customer")
    details = "Quote %s %s online by %s" % (quote["QuoteNumber"], verb, who)
    if body.get("comment"):
        details += ": %s" % body["comment"]
    return quote_out(org, _save(org, {"Status": status}, quote, who, details))


def accept_quote(org, params, query, body):
    return _customer_answer(org, params, body, "ACCEPTED", "accepted")


def decline_quote(org, params, query, body):
    return _customer_answer(org, params, body, "DECLINED", "declined")


def invoice_quote(org, params, query, body):
    """Xero's "Create invoice" on an accepted quote: an invoice with the
    quote's contact, lines, currency and rate (``status`` DRAFT or
    AUTHORISED, ``due_date``), and the quote marked INVOICED."""
    quote = _record(org, params["id"])
    if quote["Status"] != "ACCEPTED":
        _refuse(["Only an accepted quote can be invoiced (this one is %s)." % quote["Status"]])
    data = {"Type": "ACCREC", "Contact": {"ContactID": quote["ContactID"]},
            "Status": str(body.get("status") or "DRAFT").upper(),
            "LineAmountTypes": quotes.LINE_AMOUNT_TYPES[quote["LineAmountTypes"]],
            "Reference": quote["Reference"] or quote["QuoteNumber"],
            "CurrencyCode": quote["CurrencyCode"], "CurrencyRate": quote["CurrencyRate"],
            "BrandingThemeID": quote["BrandingThemeID"],
            "LineItems": [quotes.line_input(line) for line in quote["LineItems"]]}
    for line in data["LineItems"]:
        line.pop("LineItemID", None)
    if body.get("due_date"):
        data["DueDate"] = body["due_date"]
    invoice, errors = build_invoice(org, data)
    if errors:
        _refuse(errors)
    marked, errors = quotes.build(org, {"Status": "INVOICED"}, quote, whole=False)
    if errors:
        _refuse(errors)
    commit_invoice(org, invoice)
    add_history(org, invoice["InvoiceID"], "Created", "ACCREC %s from quote %s" % (
        invoice["InvoiceNumber"], quote["QuoteNumber"]), USER)
    quotes.commit(org, marked)
    add_history(org, quote["QuoteID"], "Invoiced", "Quote %s invoiced: %s" % (
        quote["QuoteNumber"], invoice["InvoiceNumber"]), USER)
    return {"Quote": quote_out(org, marked), "Invoice": invoice_out(org, invoice)}


ROUTES = [
    ("GET", "quotes", list_quotes),
    ("GET", "quotes/{id}", one_quote),
    ("POST", "quotes", create_quote),
    ("POST", "quotes/{id}", edit_quote),
    ("POST", "quotes/{id}/send", send_quote),
    ("POST", "quotes/{id}/accept", accept_quote),
    ("POST", "quotes/{id}/decline", decline_quote),
    ("POST", "quotes/{id}/invoice", invoice_quote),
]
