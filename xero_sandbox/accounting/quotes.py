"""Quotes: the rules, ``/Quotes`` (list, read, PDF, create, update, history), the seed.

Sources for the rules below, best first: Xero's spec (xero_accounting.yaml:
the Quote schema, QuoteStatusCodes, QuoteLineAmountTypes, the /Quotes paths),
Xero's developer docs, what Xero's own tools do against live organisations
(XeroAPI/xero-mcp-server), and Xero's web app.  Where Xero's exact wording of
a refusal is unknown the message says what Xero refuses, in its style.

* Statuses DRAFT, SENT, DECLINED, ACCEPTED, INVOICED, DELETED.  A quote is
  created DRAFT (the default) or SENT: the Organisation's Actions are
  ``CreateDraftQuote`` and ``CreateSentQuote``.
* Transitions (``TRANSITIONS``): a draft is sent or deleted; a sent quote is
  accepted, declined or deleted; an accepted one is invoiced.  Xero refuses
  DRAFT -> DECLINED and ACCEPTED -> DECLINED (seen against a live
  organisation, XeroAPI/xero-mcp-server#309).  Xero's web app can undo "mark
  as accepted / declined / invoiced" (back to SENT, SENT, ACCEPTED) and delete
  a quote that is not a draft; those are allowed too.  DELETED is final.
* What may be edited: DRAFT and SENT quotes, everything (Xero's app edits a
  sent quote and it stays sent).  ACCEPTED, DECLINED and INVOICED quotes:
  only their status; anything else that would change is refused.
* An update (POST) is read as the whole quote's header, as Xero does:
  ``Contact`` and ``Date`` are sent every time (Xero's own MCP server carries
  both forward on every update, as the spec's updateQuote example does), and
  Reference, Title, Summary and Terms left out are cleared, LineAmountTypes
  left out goes back to EXCLUSIVE (both seen against a live organisation,
  xero-mcp-server#309).  LineItems left out stay as they are.
* Lines and totals: ``invoice_rules.compute_lines``, so a quote's totals are
  exactly an invoice's with the same lines; AccountCode is optional (a quote
  posts nothing).  ``TotalDiscount`` is what the lines' DiscountRate took off.
* ``LineAmountTypes`` is spelt EXCLUSIVE / INCLUSIVE / NOTAX on quotes (the
  spec's QuoteLineAmountTypes; invoices say Exclusive...); both are read.
* Numbers QU-0001, QU-0002... per organisation unless one is given; a number
  already used is refused, as for invoices.
* Currency: as invoices (``currencies.resolve``).
* Xero sends no webhooks for quotes (xero-webhooks.yaml has CONTACT, INVOICE,
  CREDITNOTE, SUBSCRIPTION): nothing here calls ``org.emit``.
* ``GET /Quotes``: pages of 100 (the spec has ``page`` and no ``pageSize``)
  and no ``pagination`` element (the spec's Quotes has none): a client must
  read on until a page holds fewer than 100.  Deleted quotes only come back
  when asked for by Status or QuoteNumber, as for invoices.
"""
import datetime as dt
import uuid
from decimal import Decimal

from .. import xero_json
from ..pdf import document
from ..web import Reply
from . import branding, currencies
from .common import ApiError, bad_request, modified_since, not_found, sort_records
from .history import add_history, history_routes
from .invoice_rules import compute_lines

STATUSES = ("DRAFT", "SENT", "DECLINED", "ACCEPTED", "INVOICED", "DELETED")
CREATE_STATUSES = ("DRAFT", "SENT")
TRANSITIONS = {
    "DRAFT": {"SENT", "DELETED"},
    "SENT": {"ACCEPTED", "DECLINED", "DELETED"},
    "ACCEPTED": {"INVOICED", "SENT", "DELETED"},
    "DECLINED": {"SENT", "DELETED"},
    "INVOICED": {"ACCEPTED", "DELETED"},
    "DELETED": set(),
}
EDITABLE = ("DRAFT", "SENT")
STATUS_WORDS = {"DRAFT": "Draft", "SENT": "Sent", "DECLINED": "Declined",
                "ACCEPTED": "Accepted", "INVOICED": "Invoiced", "DELETED": "Deleted"}
# The quotes' spelling -> what compute_lines (invoices) calls it.
LINE_AMOUNT_TYPES = {"EXCLUSIVE": "Exclusive", "INCLUSIVE": "Inclusive", "NOTAX": "NoTax"}
TEXT_LIMITS = {"Reference": 4000, "Terms": 4000, "Title": 100, "Summary": 3000}
# What an ACCEPTED, DECLINED or INVOICED quote keeps whatever is sent.
CONTENT = ("ContactID", "Date", "ExpiryDate", "Reference", "Terms", "Title", "Summary",
           "QuoteNumber", "CurrencyCode", "CurrencyRate", "LineAmountTypes",
           "BrandingThemeID")
PAGE_SIZE = 100

NOT_MODIFIABLE = "Quote not of valid status for modification"
LOCKED = "A quote with status %s cannot be edited; only its status can be changed."
BAD_TRANSITION = "The status of a %s quote cannot be changed to %s."
CONTACT_REQUIRED = "A Contact must be specified for this type of transaction"
DATE_REQUIRED = "A Date must be specified when a quote is updated."
NEEDS_LINES = "One or more line items must be specified."
NUMBER_TAKEN = "Quote # must be unique."


def next_number(org):
    while True:
        org.quote_seq += 1
        number = "QU-%04d" % org.quote_seq
        if number not in org.quote_numbers:
            return number


def _new(org, today):
    return {"QuoteID": str(uuid.uuid4()), "QuoteNumber": "", "Reference": "", "Terms": "",
            "Title": "", "Summary": "", "Status": "DRAFT", "ContactID": None, "Date": today,
            "ExpiryDate": None, "LineAmountTypes": "EXCLUSIVE", "LineItems": [],
            "CurrencyCode": org.base_currency, "CurrencyRate": Decimal(1),
            "SubTotal": Decimal(0), "TotalTax": Decimal(0), "Total": Decimal(0),
            "TotalDiscount": Decimal(0), "BrandingThemeID": branding.default_theme_id(org)}


def build(org, data, record=None, today=None, whole=True):
    """The quote ``data`` would make (merged onto ``record``) and its errors.

    ``whole``: ``data`` is an API update, the quote's whole header (Contact and
    Date required, texts left out cleared); the control API's edits, as in
    Xero's app, change only what they name.  Nothing is stored.
    """
    today = today or xero_json.now().date()
    errors = []
    current = dict(record) if record else _new(org, today)
    old = record["Status"] if record else None
    status = str(data.get("Status") or current["Status"]).strip().upper()
    if status not in STATUSES:
        return current, ["Quote status %s is not valid. Use one of %s." % (
            status, ", ".join(STATUSES))]
    if record is None and status not in CREATE_STATUSES:
        errors.append("Quote status %s cannot be used for a new quote." % status)
    if record is not None:
        if old == "DELETED":
            return current, [NOT_MODIFIABLE]
        if status != old and status not in TRANSITIONS[old]:
            return current, [BAD_TRANSITION % (old, status)]
    locked = record is not None and old not in EDITABLE
    replace = whole and not locked     # the header as sent, absent texts cleared
    if record is not None and whole:
        if not _contact_id(data):
            errors.append(CONTACT_REQUIRED)
        if not data.get("Date"):
            errors.append(DATE_REQUIRED)
    for field, limit in TEXT_LIMITS.items():
        if field in data or replace:
            value = "" if data.get(field) is None else str(data[field])
            if len(value) > limit:
                errors.append("%s must not be more than %d characters long." % (field, limit))
            current[field] = value
    if data.get("QuoteNumber"):
        current["QuoteNumber"] = str(data["QuoteNumber"]).strip()
    if data.get("BrandingThemeID"):
        current["BrandingThemeID"] = branding.check(org, data["BrandingThemeID"], errors)
    _contact(org, data, current, errors)
    for field in ("Date", "ExpiryDate"):
        if data.get(field):
            try:
                current[field] = xero_json.parse_date(data[field])
            except ValueError:
                errors.append("%s is not a valid date." % field)
    given = data.get("LineAmountTypes")
    if given not in (None, ""):
        key = str(given).strip().upper()
        if key not in LINE_AMOUNT_TYPES:
            errors.append("LineAmountTypes must be one of EXCLUSIVE, INCLUSIVE or NOTAX.")
        else:
            current["LineAmountTypes"] = key
    elif replace:
        current["LineAmountTypes"] = "EXCLUSIVE"
    currencies.resolve(org, data, current, record, errors)
    if "LineItems" in data or record is None or \
            current["LineAmountTypes"] != record["LineAmountTypes"]:
        lines = data.get("LineItems")
        stored = lines is None and record is not None
        if stored:
            lines = [line_input(line) for line in current["LineItems"]]
        elif lines is None:
            lines = []
        elif not isinstance(lines, list):
            errors.append("LineItems must be a list.")
            lines = []
        if not lines:
            errors.append(NEEDS_LINES)
        _totals(org, current, lines, errors, stored)
    if not current["QuoteNumber"] and not errors:
        current["QuoteNumber"] = next_number(org)
    owner = org.quote_numbers.get(current["QuoteNumber"])
    if owner and owner != current["QuoteID"]:
        errors.append(NUMBER_TAKEN)
    if locked and not errors:
        changed = [f for f in CONTENT if current.get(f) != record.get(f)]
        if changed or "LineItems" in data:
            return dict(record), [LOCKED % old]
    current["Status"] = status
    return current, errors


def _totals(org, current, lines, errors, stored):
    kind = LINE_AMOUNT_TYPES[current["LineAmountTypes"]]
    current["LineItems"], subtotal, tax = compute_lines(
        org, lines, kind, "ACCREC", errors, False, stored)
    discount = sum((xero_json.money(line["Quantity"] * line["UnitAmount"]) - line["LineAmount"]
                    for line in current["LineItems"] if line.get("DiscountRate")), Decimal(0))
    current.update(SubTotal=subtotal, TotalTax=tax, Total=subtotal + tax,
                   TotalDiscount=xero_json.money(discount))


def line_input(line):
    """A stored line back into request form, to recompute totals."""
    return {k: v for k, v in line.items() if k not in ("TaxAmount", "LineAmount", "AccountID")}


def _contact_id(data):
    contact = data.get("Contact")
    return str(contact.get("ContactID") or "").strip().lower() if isinstance(contact, dict) \
        else ""


def _contact(org, data, current, errors):
    if "Contact" not in data and current.get("ContactID"):
        return
    contact_id = _contact_id(data)
    if not contact_id:
        if CONTACT_REQUIRED not in errors:
            errors.append(CONTACT_REQUIRED)
        return
    contact = org.contacts.get(contact_id)
    if contact is None:
        errors.append("The contact with ContactID %s could not be found." % contact_id)
    elif contact["ContactStatus"] == "ARCHIVED" and contact_id != current.get("ContactID"):
        errors.append("The contact %s is archived. Archived contacts cannot be used on "
                      "transactions." % contact["Name"])
    else:
        current["ContactID"] = contact_id


def commit(org, quote, when=None):
    """Store a validated quote and keep the number index in step.  No webhook:
    Xero has none for quotes."""
    old = org.quotes.get(quote["QuoteID"])
    if old is not None and org.quote_numbers.get(old["QuoteNumber"]) == old["QuoteID"]:
        del org.quote_numbers[old["QuoteNumber"]]
    quote["UpdatedDateUTC"] = when or xero_json.now()
    org.quotes[quote["QuoteID"]] = quote
    org.quote_numbers[quote["QuoteNumber"]] = quote["QuoteID"]
    org.touch()
    return quote


def history_words(record, quote):
    """History's Changes for a save: Created, Edited, or the new status (Sent...)."""
    if record is None:
        return "Created"
    if quote["Status"] != record["Status"]:
        return STATUS_WORDS[quote["Status"]]
    return "Edited"


def quote_pdf(org, quote):
    """The quote as the customer gets it: one page (pdf.document)."""
    contact = org.contacts.get(quote["ContactID"], {})
    currency = quote["CurrencyCode"]

    def money(value):
        return "%.2f %s" % (xero_json.money(value), currency)
    rows = [("F2", 20, 50, "QUOTE"), ("F1", 11, 50, org.name), None,
            ("F2", 11, 50, "Quote number: %s" % quote["QuoteNumber"]),
            ("F1", 11, 50, "To: %s" % contact.get("Name", "")),
            ("F1", 11, 50, "Date: %s" % quote["Date"].isoformat()),
            ("F1", 11, 50, "Expiry: %s" % (quote["ExpiryDate"].isoformat()
                                           if quote.get("ExpiryDate") else "")),
            ("F1", 11, 50, "Reference: %s" % quote["Reference"]),
            ("F2", 11, 50, "Status: %s" % STATUS_WORDS[quote["Status"]])]
    if quote["Title"]:
        rows += [None, ("F2", 12, 50, quote["Title"][:90])]
    if quote["Summary"]:
        rows.append(("F1", 10, 50, quote["Summary"][:100]))
    rows += [None, ("F2", 10, 50, "Description  |  Quantity  |  Unit price  |  Disc.  |  "
                                  "Amount")]
    for line in quote["LineItems"][:30]:
        rows.append(("F1", 10, 50, "%s  |  %s  |  %.2f  |  %s  |  %.2f" % (
            line["Description"] or line.get("ItemCode") or "-", line["Quantity"].normalize(),
            line["UnitAmount"], "%s%%" % line["DiscountRate"].normalize()
            if line.get("DiscountRate") else "", line["LineAmount"])))
    if len(quote["LineItems"]) > 30:
        rows.append(("F1", 10, 50, "... and %d more lines" % (len(quote["LineItems"]) - 30)))
    rows += [None, ("F1", 11, 330, "Subtotal: %s" % money(quote["SubTotal"])),
             ("F1", 11, 330, "Total tax: %s" % money(quote["TotalTax"])),
             ("F2", 12, 330, "Total: %s" % money(quote["Total"]))]
    if quote["TotalDiscount"]:
        rows.append(("F1", 11, 330, "Includes discount: %s" % money(quote["TotalDiscount"])))
    if quote["Terms"]:
        rows += [None, ("F1", 9, 50, "Terms: %s" % quote["Terms"][:110])]
    return document(rows, "Quote %s" % quote["QuoteNumber"])


def find_quote(org, key):
    key = (key or "").strip()
    quote = org.quotes.get(key.lower())
    if quote is None and key in org.quote_numbers:
        quote = org.quotes.get(org.quote_numbers[key])
    return quote


# --- JSON -----------------------------------------------------------------------
def quote_json(org, quote):
    from .invoices import _line_json
    contact = org.contacts.get(quote["ContactID"], {})
    out = {"QuoteID": quote["QuoteID"], "QuoteNumber": quote["QuoteNumber"],
           "Reference": quote["Reference"], "Terms": quote["Terms"],
           "Contact": {"ContactID": quote["ContactID"], "Name": contact.get("Name", ""),
                       "EmailAddress": contact.get("EmailAddress") or ""},
           "LineItems": [_line_json(line) for line in quote["LineItems"]],
           "Date": xero_json.ms_date(quote["Date"]),
           "DateString": xero_json.iso_date(quote["Date"]),
           "Status": quote["Status"], "CurrencyCode": quote["CurrencyCode"],
           "Title": quote["Title"], "Summary": quote["Summary"],
           "LineAmountTypes": quote["LineAmountTypes"],
           "UpdatedDateUTC": xero_json.ms_datetime(quote["UpdatedDateUTC"])}
    for key in ("ContactNumber", "AccountNumber", "FirstName", "LastName"):
        if contact.get(key):
            out["Contact"][key] = contact[key]
    for key in ("CurrencyRate", "SubTotal", "TotalTax", "Total", "TotalDiscount"):
        out[key] = xero_json.number(quote[key])
    if quote.get("ExpiryDate"):
        out["ExpiryDate"] = xero_json.ms_date(quote["ExpiryDate"])
        out["ExpiryDateString"] = xero_json.iso_date(quote["ExpiryDate"])
    if quote.get("BrandingThemeID"):
        out["BrandingThemeID"] = quote["BrandingThemeID"]
    return out


# --- handlers -------------------------------------------------------------------
def _date_arg(ctx, name):
    try:
        return xero_json.parse_date(ctx.arg(name))
    except ValueError:
        raise bad_request("%s is not a valid date." % name)


def get_quotes(ctx):
    org = ctx.org
    since = modified_since(ctx)
    date_from, date_to = _date_arg(ctx, "DateFrom"), _date_arg(ctx, "DateTo")
    expiry_from, expiry_to = _date_arg(ctx, "ExpiryDateFrom"), _date_arg(ctx, "ExpiryDateTo")
    contact_id = (ctx.arg("ContactID") or "").strip().lower()
    statuses = {s.upper() for s in ctx.list_arg("Status")}
    number = (ctx.arg("QuoteNumber") or "").strip()
    show_deleted = "DELETED" in statuses or bool(number)
    try:
        page = int(ctx.arg("page")) if ctx.arg("page") is not None else None
    except ValueError:
        raise bad_request("page must be an integer")
    with org.lock:
        selected = [q for q in org.quotes.values()
                    if (not contact_id or q["ContactID"] == contact_id)
                    and (not statuses or q["Status"] in statuses)
                    and (show_deleted or q["Status"] != "DELETED")
                    and (not number or q["QuoteNumber"] == number)
                    and (date_from is None or q["Date"] >= date_from)
                    and (date_to is None or q["Date"] <= date_to)
                    and (expiry_from is None or (q["ExpiryDate"] and
                                                 q["ExpiryDate"] >= expiry_from))
                    and (expiry_to is None or (q["ExpiryDate"] and q["ExpiryDate"] <= expiry_to))
                    and (since is None or q["UpdatedDateUTC"] > since)]
        selected = sort_records(selected, ctx.arg("order"), "UpdatedDateUTC")
        if page is not None:
            start = (max(1, page) - 1) * PAGE_SIZE
            selected = selected[start:start + PAGE_SIZE]
        items = [quote_json(org, q) for q in selected]
    return 200, xero_json.envelope("Quotes", items)


def get_quote(ctx):
    with ctx.org.lock:
        quote = find_quote(ctx.org, ctx.params["id"])
        if quote is None:
            raise not_found()
        if "application/pdf" in (ctx.headers.get("accept") or "").lower():
            # xero-python's get_quote_as_pdf: this path, Accept: application/pdf.
            return 200, Reply(200, quote_pdf(ctx.org, quote), "application/pdf", {
                "Content-Disposition": 'inline; filename="%s.pdf"'
                % quote["QuoteNumber"].replace('"', "")})
        return 200, xero_json.envelope("Quotes", [quote_json(ctx.org, quote)])


def _write(ctx, elements, mode):
    org = ctx.org
    summarize = ctx.flag("summarizeErrors", True)
    today = xero_json.now().date()
    with org.lock:
        planned, failed, numbers = [], False, set()
        for data in elements:
            if not isinstance(data, dict):
                raise bad_request("Each quote must be a JSON object")
            quote_id = str(data.get("QuoteID") or "").strip().lower()
            record = org.quotes.get(quote_id) if quote_id else None
            if mode == "create" and record is not None:
                candidate, errors = dict(record), ["A quote with this QuoteID already exists; "
                                                   "use POST to update it."]
            elif quote_id and record is None:
                candidate, errors = {}, ["The quote with QuoteID %s could not be found."
                                         % quote_id]
            else:
                candidate, errors = build(org, data, record, today)
            number = candidate.get("QuoteNumber")
            if not errors and number in numbers:
                errors = [NUMBER_TAKEN]     # twice in one batch
            numbers.add(number)
            planned.append((data, record, candidate, errors))
            failed = failed or bool(errors)
        if failed and summarize:
            _give_back_numbers(org, planned)
            raise ApiError(400, xero_json.validation_exception(
                [_error_element(org, d, c, e) for d, r, c, e in planned]))
        results = []
        for data, record, candidate, errors in planned:
            if errors:
                results.append(_error_element(org, data, candidate, errors))
                continue
            commit(org, candidate)
            add_history(org, candidate["QuoteID"], history_words(record, candidate),
                        "Quote %s" % candidate["QuoteNumber"], ctx.app_name)
            results.append(dict(quote_json(org, candidate), StatusAttributeString="OK"))
    return 200, xero_json.envelope("Quotes", results)


def _give_back_numbers(org, planned):
    """A refused batch uses no numbers: the next quote still gets the next one."""
    fresh = [c["QuoteNumber"] for d, r, c, e in planned
             if r is None and c.get("QuoteNumber") and not d.get("QuoteNumber")]
    if fresh and all(n.startswith("QU-") for n in fresh):
        org.quote_seq = min(int(n[3:]) for n in fresh) - 1


def _error_element(org, data, candidate, errors):
    out = {k: data[k] for k in ("QuoteNumber", "Reference", "Title", "Summary", "Terms")
           if isinstance(data.get(k), str)}
    if candidate.get("QuoteID") in org.quotes:
        out["QuoteID"] = candidate["QuoteID"]
    if candidate.get("ContactID"):
        out["Contact"] = {"ContactID": candidate["ContactID"]}
    out["StatusAttributeString"] = "ERROR"
    out["ValidationErrors"] = [{"Message": m} for m in errors]
    return out


def put_quotes(ctx):
    return _write(ctx, ctx.body_list("Quotes"), "create")


def post_quotes(ctx):
    return _write(ctx, ctx.body_list("Quotes"), "upsert")


def post_quote(ctx):
    with ctx.org.lock:
        quote = find_quote(ctx.org, ctx.params["id"])
        if quote is None:
            raise not_found()
        element = dict(ctx.body_list("Quotes")[0], QuoteID=quote["QuoteID"])
        return _write(ctx, [element], "update")


ROUTES = [
    ("GET", "/Quotes", get_quotes, "accounting.invoices"),
    ("PUT", "/Quotes", put_quotes, "accounting.invoices"),
    ("POST", "/Quotes", post_quotes, "accounting.invoices"),
    ("GET", "/Quotes/{id}", get_quote, "accounting.invoices"),
    ("POST", "/Quotes/{id}", post_quote, "accounting.invoices"),
] + history_routes("Quotes", find_quote, "accounting.invoices")


# --- the seed -------------------------------------------------------------------
_SEED_STATUSES = ("DRAFT", "SENT", "SENT", "ACCEPTED", "DECLINED", "INVOICED", "DRAFT",
                  "ACCEPTED")
_SEED_WORK = (("CONSULT-HR", (4, 40)), ("TRAINING-DAY", (1, 5)), ("SUPPORT-MO", (3, 12)),
              ("WIDGET", (10, 200)))


def seed(org, rnd, today, latest):
    """A few quotes, one in each status and two in another currency (its own
    random stream: the seeded contacts and invoices stay as they were)."""
    customers = sorted((c for c in org.contacts.values() if c["ContactStatus"] == "ACTIVE"),
                       key=lambda c: c["ContactID"])
    foreign = [c for c in org.enabled_currencies if c != org.base_currency]
    if not customers:
        return
    for index, status in enumerate(_SEED_STATUSES):
        contact = rnd.choice(customers)
        on_date = today - dt.timedelta(days=rnd.randint(1, 60))
        lines = []
        for code, (low, high) in rnd.sample(_SEED_WORK, rnd.randint(1, 3)):
            line = {"ItemCode": code, "Quantity": rnd.randint(low, high)}
            if rnd.random() < 0.3:
                line["DiscountRate"] = rnd.choice((5, 10, 15))
            lines.append(line)
        data = {"Contact": {"ContactID": contact["ContactID"]}, "LineItems": lines,
                "Date": on_date.isoformat(),
                "ExpiryDate": (on_date + dt.timedelta(days=30)).isoformat(),
                "Title": "Proposal for %s" % contact["Name"],
                "Summary": "Services as discussed.", "Terms": "Valid for 30 days.",
                "Reference": "OPP-%d" % rnd.randint(100, 999),
                "LineAmountTypes": "INCLUSIVE" if rnd.random() < 0.2 else "EXCLUSIVE"}
        if foreign and index in (2, 3):
            data["CurrencyCode"] = foreign[index % len(foreign)]
        quote, errors = build(org, data, today=today)
        assert not errors, errors
        quote["QuoteID"] = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        quote["Status"] = status
        when = min(dt.datetime.combine(on_date, dt.time(12), xero_json.UTC), latest)
        commit(org, quote, when=when)
        org.history.setdefault(quote["QuoteID"], []).append(
            {"Changes": "Created", "DateUTC": when, "User": "Demo User",
             "Details": "Quote %s" % quote["QuoteNumber"]})
