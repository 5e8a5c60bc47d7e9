"""Opportunities -> Xero sales invoices: pure mapping (no Odoo).

Odoo side: plain dicts the models build (names and numbers, not records).
Xero side: dicts with Xero's JSON field names.  Checks return
``(message template, params)`` pairs, translated where they are shown.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import _lt
from .responses import parse_xero_date

# Organisation.DefaultSalesTax -> Invoice.LineAmountTypes
LINE_AMOUNT_TYPES = {"tax exclusive": "Exclusive", "tax inclusive": "Inclusive",
                     "no tax": "NoTax"}
DEFAULT_LINE_AMOUNT_TYPE = "Exclusive"
STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
# Statuses Odoo may still update (the opportunity only ever hands over drafts).
UPDATABLE = ("DRAFT",)
# Statuses Xero deletes with Status DELETED; AUTHORISED can only be voided.
DELETABLE = ("DRAFT", "SUBMITTED")
# Nothing left to delete in Xero.
GONE = ("DELETED", "VOIDED")
#: What a create sends and an update leaves alone.
CREATE_ONLY = {"Type": "ACCREC", "Status": "DRAFT"}
# Statuses that can still change: the scheduled refresh reads these.
OPEN = ("DRAFT", "SUBMITTED", "AUTHORISED")
REFERENCE_MAX = 255
DESCRIPTION_MAX = 4000
REVENUE_CLASS = "REVENUE"
MAX_TRACKING = 2
CENT = Decimal("0.01")


def money(value):
    """Round half up to cents, as Xero does for every line."""
    return _amount(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _amount(value):
    try:
        return Decimal(str(value or 0))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _number(value):
    """A JSON number: int when whole, else a float rounded to 4 places."""
    value = _amount(value)
    return int(value) if value == value.to_integral_value() else float(round(value, 4))


def line_amount_types(default_sales_tax):
    """'Tax Exclusive' / 'Tax Inclusive' / 'No Tax' -> Exclusive / Inclusive / NoTax."""
    return LINE_AMOUNT_TYPES.get((default_sales_tax or "").strip().lower(),
                                 DEFAULT_LINE_AMOUNT_TYPE)


# -- the organisation's choices ---------------------------------------------------------

def revenue_accounts(accounts):
    """Active revenue-class accounts with a code, sorted by code: (code, name)."""
    return sorted((a["Code"], a.get("Name") or "") for a in accounts or []
                  if a.get("Class") == REVENUE_CLASS and a.get("Status") == "ACTIVE"
                  and a.get("Code"))


def _label(account):
    return " ".join(filter(None, [account.get("Code"), account.get("Name")]))


def account_problem(code, accounts):
    """Why ``code`` cannot be the revenue account, or None."""
    if not code:
        return _lt("Pick the Xero revenue account the invoice is booked to."), {}
    account = next((a for a in accounts or [] if a.get("Code") == code), None)
    if account is None:
        return (_lt("Xero has no account with code %(code)s. Pick one of the organisation's "
                    "revenue accounts."), {"code": code})
    if account.get("Status") != "ACTIVE":
        return (_lt("The Xero account %(account)s is archived. Pick an active revenue account, "
                    "or restore it in Xero (Accounting > Chart of accounts)."),
                {"account": _label(account)})
    if account.get("Class") != REVENUE_CLASS:
        return _lt("The Xero account %(account)s is not a revenue account."), \
            {"account": _label(account)}
    return None


def enabled_currencies(organisation, currencies):
    """Codes the organisation can invoice in: its base currency and the enabled ones."""
    codes = {c.get("Code") for c in currencies or [] if c.get("Code")}
    if (organisation or {}).get("BaseCurrency"):
        codes.add(organisation["BaseCurrency"])
    return codes


def active_tracking(categories):
    """[(category name, [option names])] of the active categories, with
    their active options (Xero allows two active categories)."""
    return [(c["Name"], [o["Name"] for o in c.get("Options") or []
                         if (o.get("Status") or "ACTIVE") == "ACTIVE"])
            for c in categories or [] if (c.get("Status") or "ACTIVE") == "ACTIVE"]


def tracking_problem(chosen, categories):
    """Why the chosen [(category, option)] cannot go on the lines, or None."""
    if len(chosen) > MAX_TRACKING:
        return _lt("Xero takes at most two tracking categories on a line."), {}
    names = [category for category, _option in chosen]
    if len(set(names)) < len(names):
        return _lt("Pick one option per tracking category: Xero refuses a category twice on a "
                   "line."), {}
    for category_name, option_name in chosen:
        category = next((c for c in categories or [] if c.get("Name") == category_name), None)
        if category is None:
            return (_lt("Xero has no tracking category %(category)s any more."),
                    {"category": category_name})
        if (category.get("Status") or "ACTIVE") != "ACTIVE":
            return (_lt("The Xero tracking category %(category)s is archived: pick another one, "
                        "or restore it in Xero."), {"category": category_name})
        option = next((o for o in category.get("Options") or []
                       if o.get("Name") == option_name), None)
        if option is None:
            return (_lt("Xero's tracking category %(category)s has no option %(option)s any "
                        "more."), {"category": category_name, "option": option_name})
        if (option.get("Status") or "ACTIVE") != "ACTIVE":
            return (_lt("The option %(option)s of the Xero tracking category %(category)s is "
                        "archived: pick another one, or restore it in Xero."),
                    {"category": category_name, "option": option_name})
    return None


def theme_problem(theme_id, themes):
    if theme_id and not any(t.get("BrandingThemeID") == theme_id for t in themes or []):
        return _lt("That Xero branding theme no longer exists: pick another one."), {}
    return None


# -- lines ---------------------------------------------------------------------------

def opportunity_line(name, description, amount, account_code):
    """The one line made from the opportunity itself."""
    text = (name or "").strip()
    if description and description.strip():
        text = "%s\n%s" % (text, description.strip()) if text else description.strip()
    return {"Description": text[:DESCRIPTION_MAX], "Quantity": 1,
            "UnitAmount": _number(amount), "AccountCode": account_code}


def quotation_lines(lines, account_code, items=()):
    """Lines of a quotation: dicts with description, quantity, price_unit,
    discount (percent) and product_code.  A product whose code is a Xero
    Item is sent with that ItemCode, booked to the item's sales account when
    it has one.  No TaxType: Xero applies the account's (or item's) default."""
    by_code = {(i.get("Code") or "").casefold(): i for i in items or [] if i.get("Code")}
    out = []
    for line in lines:
        item = by_code.get((line.get("product_code") or "").casefold())
        entry = {"Description": (line.get("description") or "").strip()[:DESCRIPTION_MAX],
                 "Quantity": _number(line.get("quantity")),
                 "UnitAmount": _number(line.get("price_unit"))}
        if item:
            entry["ItemCode"] = item["Code"]
        item_account = ((item or {}).get("SalesDetails") or {}).get("AccountCode")
        entry["AccountCode"] = item_account or account_code
        if _amount(line.get("discount")):
            entry["DiscountRate"] = _number(line.get("discount"))
        out.append(entry)
    return out


def with_tracking(lines, chosen):
    """The lines, each carrying the chosen [(category, option)]."""
    tracking = [{"Name": category, "Option": option} for category, option in chosen]
    return [dict(line, Tracking=tracking) if tracking else dict(line) for line in lines]


def lines_problem(lines, estimate=None):
    """Why these lines cannot make an invoice, or None."""
    if not lines or not any(_amount(l.get("UnitAmount")) * _amount(l.get("Quantity"))
                            for l in lines):
        return (_lt("There is nothing to invoice: enter the expected revenue of the "
                    "opportunity (or add a quotation) first."), {})
    if estimate is not None and estimate["total"] < 0:
        return (_lt("The invoice would total %(total)s, less than zero: Xero would make a "
                    "negative invoice. Correct the amount (a refund is a credit note, made in "
                    "Xero)."), {"total": "%.2f" % estimate["total"]})
    return None


def _tax_type(line, accounts, items):
    if line.get("TaxType"):
        return line["TaxType"]
    item = next((i for i in items or [] if line.get("ItemCode")
                 and (i.get("Code") or "").casefold() == line["ItemCode"].casefold()), None)
    sales = (item or {}).get("SalesDetails") or {}
    if sales.get("TaxType"):   # Xero takes the item's tax type when the line gives none
        return sales["TaxType"]
    account = next((a for a in accounts or [] if a.get("Code") == line.get("AccountCode")), {})
    return account.get("TaxType") or "NONE"


def estimate(lines, line_amounts, accounts, items, tax_rates):
    """The totals Xero will compute: each line rounded to cents, its tax
    from the account's (or item's) default tax type, rounded per line."""
    rates = {r.get("TaxType"): _amount(r.get("EffectiveRate")) for r in tax_rates or []}
    subtotal = tax_total = Decimal(0)
    for line in lines:
        amount = _amount(line.get("Quantity")) * _amount(line.get("UnitAmount"))
        if line.get("DiscountRate"):
            amount = amount * (100 - _amount(line["DiscountRate"])) / 100
        amount = money(amount)
        rate = rates.get(_tax_type(line, accounts, items), Decimal(0))
        if line_amounts == "Exclusive":
            tax = money(amount * rate / 100)
            subtotal += amount
        elif line_amounts == "Inclusive":
            tax = money(amount * rate / (100 + rate))
            subtotal += amount - tax
        else:
            tax = Decimal("0.00")
            subtotal += amount
        tax_total += tax
    return {"subtotal": float(money(subtotal)), "tax": float(money(tax_total)),
            "total": float(money(subtotal + tax_total))}


def totals_problem(expected_total, invoice):
    """A sentence when Xero's total is not the one shown before sending."""
    got = money((invoice or {}).get("Total"))
    if got != money(expected_total):
        return "expected %.2f, Xero made %.2f" % (expected_total, got)
    return None


# -- deposits, progress invoices and the final one ----------------------------------------
# A deal may be invoiced in parts: a deposit (a percentage or an amount),
# progress invoices, and the final one for what is left.  Amounts compared are
# the lines' amounts (Xero's LineAmount: after discounts, before tax when the
# organisation's prices exclude tax), in the deal's currency.  A part carries
# every line of the deal, each for the same share of its amount (one unit at
# that price, so the share is exact to the cent), with the line's account, tax
# type and tracking: Xero taxes each part as it would tax the whole deal.

def line_amount(line):
    """A line's amount as Xero computes it: quantity x price, less its
    discount, rounded to cents."""
    amount = _amount(line.get("Quantity")) * _amount(line.get("UnitAmount"))
    if line.get("DiscountRate"):
        amount = amount * (100 - _amount(line["DiscountRate"])) / 100
    return money(amount)


def lines_amount(lines):
    """What the lines add up to (Xero's LineAmount of each, summed)."""
    return float(sum((money(l["LineAmount"]) if l.get("LineAmount") is not None
                      else line_amount(l) for l in lines or []), Decimal(0)))


def part_lines(lines, target, label, items=()):
    """The deal's ``lines`` as a part of ``target`` (their amount's share):
    each line one unit for its share, rounded to cents, the last line taking
    what rounding left, so that they add up to ``target`` exactly.
    ``label`` starts each description ("Deposit 30%")."""
    amounts = [line_amount(line) for line in lines]
    whole = sum(amounts, Decimal(0))
    target = money(target)
    if whole <= 0:
        return []
    by_code = {(i.get("Code") or "").casefold(): i for i in items or [] if i.get("Code")}
    kept = [(line, amount) for line, amount in zip(lines, amounts) if amount]
    out, given = [], Decimal(0)
    for index, (line, amount) in enumerate(kept):
        share = target - given if index == len(kept) - 1 else money(amount * target / whole)
        given += share
        entry = {"Description": ("%s: %s" % (label, (line.get("Description") or "").strip()))
                 [:DESCRIPTION_MAX].rstrip(": "),
                 "Quantity": 1, "UnitAmount": _number(share),
                 "AccountCode": line.get("AccountCode")}
        # One unit of an item at another price would read as a sale of the
        # item: the part names no item, and keeps the tax Xero took from it.
        item = by_code.get((line.get("ItemCode") or "").casefold())
        tax_type = line.get("TaxType") or ((item or {}).get("SalesDetails") or {}).get("TaxType")
        if tax_type:
            entry["TaxType"] = tax_type
        if line.get("Tracking"):
            entry["Tracking"] = line["Tracking"]
        out.append(entry)
    return out


def part_problem(target, left, whole):
    """Why a part of ``target`` cannot be invoiced when ``left`` of the
    deal's ``whole`` is left, or None.  Amounts as floats."""
    if money(target) <= 0:
        return (_lt("Enter the part to invoice: a percentage or an amount above zero."), {})
    if money(left) <= 0:
        return (_lt("Nothing is left to invoice: the opportunity's invoices already add up "
                    "to its total of %(whole)s."), {"whole": "%.2f" % whole})
    if money(target) > money(left):
        return (_lt("This invoice (%(part)s) and the opportunity's earlier ones would add up "
                    "to more than its total of %(whole)s: %(left)s is left to invoice."),
                {"part": "%.2f" % target, "whole": "%.2f" % whole, "left": "%.2f" % left})
    return None


# -- the invoice --------------------------------------------------------------------------

def reference(name, quotation_name=None):
    """The opportunity's name and the quotation number, as Xero's Reference."""
    text = (name or "").strip()
    if quotation_name:
        text = "%s (%s)" % (text, quotation_name) if text else quotation_name
    return text[:REFERENCE_MAX]


def invoice_payload(contact_id, lines, currency_code, line_amounts, reference_text, url,
                    due_date=None, branding_theme_id=None, create=True):
    """The Xero invoice to PUT (create) or POST (update).  Omits TaxType so
    Xero uses each account's default; an update leaves Type and Status alone."""
    invoice = {"Contact": {"ContactID": contact_id}, "LineItems": lines,
               "LineAmountTypes": line_amounts, "CurrencyCode": currency_code,
               "Reference": reference_text}
    if url:
        invoice["Url"] = url
    if due_date:
        invoice["DueDate"] = due_date.isoformat()
    if branding_theme_id:
        invoice["BrandingThemeID"] = branding_theme_id
    if create:
        invoice.update(CREATE_ONLY)
    return invoice


def as_update(payload):
    """An invoice payload as an update sends it (what a create sends too,
    less Type and Status)."""
    return {key: value for key, value in (payload or {}).items() if key not in CREATE_ONLY}


def invoice_values(invoice):
    """What Odoo keeps of a Xero invoice."""
    status = (invoice.get("Status") or "").upper()
    return {
        "invoice_id": invoice.get("InvoiceID"),
        "number": invoice.get("InvoiceNumber") or False,
        "status": status if status in STATUSES else False,
        "reference": invoice.get("Reference") or False,
        "subtotal": float(_amount(invoice.get("SubTotal"))),
        "total_tax": float(_amount(invoice.get("TotalTax"))),
        "total": float(_amount(invoice.get("Total"))),
        "amount_due": float(_amount(invoice.get("AmountDue"))),
        "amount_paid": float(_amount(invoice.get("AmountPaid"))),
        "amount_credited": float(_amount(invoice.get("AmountCredited"))),
        "currency": invoice.get("CurrencyCode") or False,
        # Units of the invoice's currency per unit of the organisation's (1 in it).
        "currency_rate": float(_amount(invoice.get("CurrencyRate")) or 1),
        "lines_amount": lines_amount(invoice.get("LineItems")) if invoice.get("LineItems")
        is not None else None,
        "date": parse_xero_date(invoice.get("Date")) or False,
        "due_date": parse_xero_date(invoice.get("DueDate")) or False,
        "paid_on": parse_xero_date(invoice.get("FullyPaidOnDate")) or False,
    }
