"""Payments on invoices: the record, its JSON, and ``GET /Payments``.

A payment is one dict shared by the invoice's ``Payments`` list and the
organisation's ``payments`` index, so the invoice and ``/Payments`` can never
disagree about it.
"""
import uuid

from .. import xero_json
from .common import bad_request, modified_since, not_found, paginate, sort_records, where_filter

BANK_ACCOUNT_CODE = "090"


def add_payment(org, invoice, amount, on_date, reference="", when=None, payment_id=None):
    """Record a payment on ``invoice`` (PAID once nothing remains due).

    The caller commits the invoice afterwards, which stamps it and tells
    webhook subscribers.
    """
    amount = xero_json.money(amount)
    when = when or xero_json.now()
    payment = {"PaymentID": payment_id or str(uuid.uuid4()), "InvoiceID": invoice["InvoiceID"],
               "Date": on_date, "Amount": amount, "Reference": reference or "",
               "Status": "AUTHORISED", "CurrencyRate": invoice.get("CurrencyRate", 1),
               "PaymentType": "ACCRECPAYMENT" if invoice["Type"] == "ACCREC"
               else "ACCPAYPAYMENT", "AccountCode": BANK_ACCOUNT_CODE,
               "UpdatedDateUTC": when}
    invoice["Payments"].append(payment)
    org.payments[payment["PaymentID"]] = payment
    invoice["AmountPaid"] += amount
    settle(invoice, on_date)
    return payment


def settle(invoice, on_date):
    """Recompute what is due; PAID (and FullyPaidOnDate) once nothing is."""
    invoice["AmountDue"] = invoice["Total"] - invoice["AmountPaid"] - invoice["AmountCredited"]
    if invoice["AmountDue"] <= 0 and invoice["Status"] == "AUTHORISED":
        invoice["Status"] = "PAID"
        invoice["FullyPaidOnDate"] = on_date


def payment_on_invoice_json(payment):
    """The short form an invoice carries in its ``Payments``."""
    return {"PaymentID": payment["PaymentID"], "Date": xero_json.ms_date(payment["Date"]),
            "Amount": xero_json.number(payment["Amount"]),
            "Reference": payment.get("Reference") or "",
            "CurrencyRate": xero_json.number(payment.get("CurrencyRate", 1)),
            "HasAccount": False, "HasValidationErrors": False}


def payment_json(org, payment):
    invoice = org.invoices.get(payment["InvoiceID"], {})
    contact = org.contacts.get(invoice.get("ContactID"), {})
    account = org.account_by_code(payment.get("AccountCode") or BANK_ACCOUNT_CODE) or {}
    return {
        "PaymentID": payment["PaymentID"], "Date": xero_json.ms_date(payment["Date"]),
        "Amount": xero_json.number(payment["Amount"]),
        # The bank account (090) is in the base currency: Amount / CurrencyRate.
        "BankAmount": xero_json.number(xero_json.money(
            payment["Amount"] / xero_json.to_decimal(payment.get("CurrencyRate"), "1"))),
        "Reference": payment.get("Reference") or "",
        "CurrencyRate": xero_json.number(payment.get("CurrencyRate", 1)),
        "PaymentType": payment["PaymentType"], "Status": payment["Status"],
        "IsReconciled": False, "HasAccount": True, "HasValidationErrors": False,
        "UpdatedDateUTC": xero_json.ms_datetime(payment["UpdatedDateUTC"]),
        "Account": {"AccountID": account.get("AccountID"), "Code": account.get("Code")},
        "Invoice": {"Type": invoice.get("Type"), "InvoiceID": payment["InvoiceID"],
                    "InvoiceNumber": invoice.get("InvoiceNumber") or "",
                    "Contact": {"ContactID": invoice.get("ContactID"),
                                "Name": contact.get("Name", "")},
                    "CurrencyCode": invoice.get("CurrencyCode")},
    }


def _where_view(org, payment):
    """Where clauses say ``Invoice.InvoiceID``, ``Invoice.Contact.ContactID``..."""
    invoice = org.invoices.get(payment["InvoiceID"], {})
    contact = org.contacts.get(invoice.get("ContactID"), {})
    return dict(payment, Invoice={"InvoiceID": payment["InvoiceID"],
                                  "InvoiceNumber": invoice.get("InvoiceNumber"),
                                  "Type": invoice.get("Type"),
                                  "Contact": {"ContactID": invoice.get("ContactID"),
                                              "Name": contact.get("Name", "")}})


def get_payments(ctx):
    org = ctx.org
    predicate = where_filter(ctx.arg("where"))
    since = modified_since(ctx)
    with org.lock:
        selected = [p for p in org.payments.values()
                    if (since is None or p["UpdatedDateUTC"] > since)
                    and (predicate is None or predicate(_where_view(org, p)))]
        selected = sort_records(selected, ctx.arg("order"), "UpdatedDateUTC")
        page, pagination = paginate(ctx, selected)
        items = [payment_json(org, p) for p in page]
    return 200, xero_json.envelope("Payments", items, pagination)


def get_payment(ctx):
    with ctx.org.lock:
        payment = ctx.org.payments.get(ctx.params["id"].strip().lower())
        if payment is None:
            raise not_found()
        return 200, xero_json.envelope("Payments", [payment_json(ctx.org, payment)])


def parse_amount_and_date(invoice, amount, on_date):
    """Checks for a payment an accountant enters: 0 < amount <= due."""
    due = invoice["AmountDue"]
    amount = due if amount in (None, "") else xero_json.money(xero_json.to_decimal(amount))
    if invoice["Status"] != "AUTHORISED":
        raise bad_request("Payments can only be made against AUTHORISED invoices.")
    if amount <= 0:
        raise bad_request("The payment amount must be greater than zero.")
    if amount > due:
        raise bad_request("The payment amount of %s exceeds the amount due of %s."
                          % (amount, due))
    try:
        day = xero_json.parse_date(on_date) or xero_json.now().date()
    except ValueError as exc:
        raise bad_request(str(exc))
    return amount, day


ROUTES = [
    ("GET", "/Payments", get_payments, "accounting.payments"),
    ("GET", "/Payments/{id}", get_payment, "accounting.payments"),
]
