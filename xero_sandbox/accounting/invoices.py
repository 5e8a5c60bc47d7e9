"""Invoices: list/filter/page, create (PUT), create-or-update (POST), update,
online invoice URL and history.  The rules live in ``invoice_rules``."""
import base64
import hashlib

from .. import xero_json
from ..pdf import invoice_pdf
from ..web import Reply
from . import credit_notes
from .common import (
    ApiError,
    bad_request,
    modified_since,
    not_found,
    paginate,
    sort_records,
    where_filter,
)
from .history import add_history, history_routes
from .invoice_rules import build, commit
from .payments import payment_on_invoice_json

_MONEY = ("SubTotal", "TotalTax", "Total", "AmountDue", "AmountPaid", "AmountCredited",
          "CurrencyRate")


def _line_json(line):
    out = dict(line)
    for key in ("Quantity", "UnitAmount", "TaxAmount", "LineAmount", "DiscountRate"):
        if key in out:
            out[key] = xero_json.number(out[key])
    return out


def invoice_json(org, invoice, summary=False, lines=True):
    contact = org.contacts.get(invoice["ContactID"], {})
    out = {
        "Type": invoice["Type"], "InvoiceID": invoice["InvoiceID"],
        "InvoiceNumber": invoice.get("InvoiceNumber") or "",
        "Reference": invoice.get("Reference") or "",
        "Contact": {"ContactID": invoice["ContactID"], "Name": contact.get("Name", ""),
                    "ContactStatus": contact.get("ContactStatus", "ACTIVE"),
                    "HasValidationErrors": False},
        "Status": invoice["Status"], "LineAmountTypes": invoice["LineAmountTypes"],
        "CurrencyCode": invoice["CurrencyCode"], "IsDiscounted": False,
        "HasAttachments": False, "HasErrors": False,
        "SentToContact": bool(invoice.get("SentToContact")),
        "UpdatedDateUTC": xero_json.ms_datetime(invoice["UpdatedDateUTC"]),
    }
    for key in _MONEY:
        out[key] = xero_json.number(invoice[key])
    for key in ("Date", "DueDate", "FullyPaidOnDate"):
        if invoice.get(key):
            out[key] = xero_json.ms_date(invoice[key])
            if key != "FullyPaidOnDate":
                out[key + "String"] = xero_json.iso_date(invoice[key])
    if invoice.get("Url"):
        out["Url"] = invoice["Url"]
    if invoice.get("BrandingThemeID"):
        out["BrandingThemeID"] = invoice["BrandingThemeID"]
    if not summary:
        if contact.get("ContactNumber"):
            out["Contact"]["ContactNumber"] = contact["ContactNumber"]
        if contact.get("AccountNumber"):
            out["Contact"]["AccountNumber"] = contact["AccountNumber"]
        out["Payments"] = [payment_on_invoice_json(p) for p in invoice["Payments"]]
        out["CreditNotes"] = credit_notes.on_invoice_json(org, invoice)
        out["Prepayments"], out["Overpayments"] = [], []
        if lines:
            out["LineItems"] = [_line_json(l) for l in invoice["LineItems"]]
    return out


def _where_view(org, invoice):
    """Where clauses may say ``Contact.ContactID`` or ``Contact.Name``."""
    contact = org.contacts.get(invoice["ContactID"], {})
    return dict(invoice, Contact={"ContactID": invoice["ContactID"],
                                  "Name": contact.get("Name", "")})


def get_invoices(ctx):
    org = ctx.org
    ids = {i.lower() for i in ctx.list_arg("IDs")}
    contact_ids = {i.lower() for i in ctx.list_arg("ContactIDs")}
    statuses = {s.upper() for s in ctx.list_arg("Statuses")}
    numbers = set(ctx.list_arg("InvoiceNumbers"))
    where_text = ctx.arg("where")
    predicate = where_filter(where_text)
    # DELETED invoices only come back when the request targets them.
    show_deleted = bool(ids or numbers or "DELETED" in statuses
                        or (where_text and "status" in where_text.lower()))
    since = modified_since(ctx)
    order = ctx.arg("order")

    def select(pool):
        selected = []
        for inv in pool:
            if ids and inv["InvoiceID"] not in ids:
                continue
            if statuses and inv["Status"] not in statuses:
                continue
            if numbers and inv.get("InvoiceNumber") not in numbers:
                continue
            if not show_deleted and inv["Status"] == "DELETED":
                continue
            if since and inv["UpdatedDateUTC"] <= since:
                continue
            if predicate and not predicate(_where_view(org, inv)):
                continue
            selected.append(inv)
        return sort_records(selected, order, "UpdatedDateUTC")

    with org.lock:
        if contact_ids or ids:
            selected = select([org.invoices[i] for c in contact_ids
                               for i in org.invoices_by_contact.get(c, ())]
                              if contact_ids else org.invoices.values())
        else:
            # An organisation-wide list read page after page: filtered and
            # sorted once until the next write (100,000 contacts' invoices).
            selected = org.cached(("invoices", tuple(sorted(statuses)), tuple(sorted(numbers)),
                                   where_text, since, order, show_deleted),
                                  lambda: select(org.invoices.values()))
        page, pagination = paginate(ctx, selected)
        # Xero leaves line items out of unpaged lists (too heavy); paged lists,
        # and lists by IDs, carry them.
        lines = pagination is not None or bool(ids)
        summary = ctx.flag("summaryOnly")
        items = [invoice_json(org, inv, summary, lines) for inv in page]
    return 200, xero_json.envelope("Invoices", items, pagination)


def find_invoice(org, key):
    key = (key or "").strip()
    invoice = org.invoices.get(key.lower())
    if invoice is None and key in org.invoice_numbers:
        invoice = org.invoices.get(org.invoice_numbers[key])
    return invoice


def get_invoice(ctx):
    with ctx.org.lock:
        invoice = find_invoice(ctx.org, ctx.params["id"])
        if invoice is None:
            raise not_found()
        if "application/pdf" in (ctx.headers.get("accept") or "").lower():
            # xero-python's get_invoice_as_pdf: same path, Accept: application/pdf.
            name = (invoice.get("InvoiceNumber") or invoice["InvoiceID"]).replace('"', "")
            return 200, Reply(200, invoice_pdf(ctx.org, invoice), "application/pdf", {
                "Content-Disposition": 'inline; filename="%s.pdf"' % name})
        return 200, xero_json.envelope("Invoices", [invoice_json(ctx.org, invoice)])


def _write(ctx, elements, mode):
    org = ctx.org
    summarize = ctx.flag("summarizeErrors", True)
    today = xero_json.now().date()
    with org.lock:
        planned, failed = [], False
        for data in elements:
            if not isinstance(data, dict):
                raise bad_request("Each invoice must be a JSON object")
            record = None
            invoice_id = data.get("InvoiceID")
            if invoice_id:
                record = org.invoices.get(str(invoice_id).lower())
            if mode == "create" and record is not None:
                candidate, errors = dict(record), ["An invoice with this InvoiceID already "
                                                   "exists; use POST to update it."]
            elif invoice_id and record is None and mode != "create":
                candidate, errors = dict(data), ["The invoice with InvoiceID %s could not "
                                                 "be found." % invoice_id]
            else:
                candidate, errors = build(org, data, record, today)
            planned.append((data, record, candidate, errors))
            failed = failed or bool(errors)
        if failed and summarize:
            raise ApiError(400, xero_json.validation_exception(
                [_error_element(org, d, c, e) for d, r, c, e in planned]))
        results = []
        for data, record, candidate, errors in planned:
            if errors:
                results.append(_error_element(org, data, candidate, errors))
                continue
            commit(org, candidate)
            add_history(org, candidate["InvoiceID"], "Created" if record is None else
                        ("Edited" if candidate["Status"] == record["Status"]
                         else candidate["Status"].title()),
                        "%s %s" % (candidate["Type"], candidate.get("InvoiceNumber") or ""),
                        ctx.app_name)
            results.append(invoice_json(org, candidate))
    return 200, xero_json.envelope("Invoices", results)


def _error_element(org, data, candidate, errors):
    out = {k: v for k, v in data.items() if k not in ("LineItems", "Contact", "InvoiceID")}
    if "ContactID" in candidate:
        out["Contact"] = {"ContactID": candidate["ContactID"]}
    if candidate.get("InvoiceID") and candidate["InvoiceID"] in org.invoices:
        out["InvoiceID"] = candidate["InvoiceID"]
    out["HasErrors"] = True
    out["ValidationErrors"] = [{"Message": m} for m in errors]
    return out


def put_invoices(ctx):
    return _write(ctx, ctx.body_list("Invoices"), "create")


def post_invoices(ctx):
    return _write(ctx, ctx.body_list("Invoices"), "upsert")


def post_invoice(ctx):
    with ctx.org.lock:
        invoice = find_invoice(ctx.org, ctx.params["id"])
        if invoice is None:
            raise not_found()
        element = dict(ctx.body_list("Invoices")[0], InvoiceID=invoice["InvoiceID"])
        return _write(ctx, [element], "update")


def get_online_invoice(ctx):
    with ctx.org.lock:
        invoice = find_invoice(ctx.org, ctx.params["id"])
        if invoice is None:
            raise not_found()
        if invoice["Type"] != "ACCREC" or invoice["Status"] in ("DRAFT", "DELETED"):
            raise ApiError(400, xero_json.validation_exception([{
                "InvoiceID": invoice["InvoiceID"],
                "ValidationErrors": [{"Message": "Online invoice is not available for "
                                      "invoices with a status of %s." % invoice["Status"]}]}]))
    # Served by the sandbox itself (deep_links.py), like in.xero.com's page.
    url = "%s/online-invoice/%s" % (ctx.base_url, online_token(invoice["InvoiceID"]))
    return 200, xero_json.envelope("OnlineInvoices", [{"OnlineInvoiceUrl": url}])


def online_token(invoice_id):
    digest = hashlib.sha256(("online-" + invoice_id).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


ROUTES = [
    ("GET", "/Invoices", get_invoices, "accounting.invoices"),
    ("PUT", "/Invoices", put_invoices, "accounting.invoices"),
    ("POST", "/Invoices", post_invoices, "accounting.invoices"),
    ("GET", "/Invoices/{id}", get_invoice, "accounting.invoices"),
    ("POST", "/Invoices/{id}", post_invoice, "accounting.invoices"),
    ("GET", "/Invoices/{id}/OnlineInvoice", get_online_invoice, "accounting.invoices"),
] + history_routes("Invoices", find_invoice, "accounting.invoices")
