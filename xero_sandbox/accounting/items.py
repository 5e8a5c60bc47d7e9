"""Items (products and services): ``GET /Items``, ``GET /Items/{ItemID or Code}``,
and what an invoice line's ``ItemCode`` brings to the line.

Xero fills a line from its item only where the line is silent: a line that
gives its own Description or UnitAmount keeps it.  An unknown code refuses the
whole invoice ("Item code 'X' is not valid").
"""
import uuid

from .. import xero_json
from .common import modified_since, not_found, sort_records, where_filter

# (Code, Name, Description, sales price, sales account, purchase price, purchase account)
SEED = [
    ("CONSULT-HR", "Consulting hour", "Consulting, per hour", "150.00", "200", None, None),
    ("SUPPORT-MO", "Support plan (monthly)", "Monthly support plan", "500.00", "200",
     None, None),
    ("WIDGET", "Widget", "Widget, standard size", "25.00", "200", "12.00", "310"),
    ("TRAINING-DAY", "Training day", "On-site training, one day", "900.00", "260",
     None, None),
    ("OFFICE-SUP", "Office supplies", "Office supplies (bought, not sold)", None, None,
     "40.00", "429"),
]
_CODE_MAX, _NAME_MAX = 30, 50


def item_id(tenant_id, code):
    return str(uuid.uuid5(uuid.UUID(tenant_id), "item-" + code.lower()))


def _details(org, price, account_code):
    if price is None:
        return {}
    account = org.account_by_code(account_code)
    return {"UnitPrice": xero_json.to_decimal(price), "AccountCode": account_code,
            "TaxType": account["TaxType"]}


def build_items(org, when):
    items = {}
    for code, name, description, sale, sale_account, cost, cost_account in SEED:
        items[item_id(org.tenant_id, code)] = {
            "ItemID": item_id(org.tenant_id, code), "Code": code, "Name": name,
            "Description": description if sale else "",
            "PurchaseDescription": description if cost else "",
            "SalesDetails": _details(org, sale, sale_account),
            "PurchaseDetails": _details(org, cost, cost_account),
            "IsSold": sale is not None, "IsPurchased": cost is not None,
            "IsTrackedAsInventory": False, "UpdatedDateUTC": when}
    return items


def find_item(org, key):
    """By ItemID or (any case) by Code, as ``GET /Items/{ItemID}`` accepts both."""
    key = (key or "").strip().lower()
    return org.items.get(key) or next(
        (i for i in org.items.values() if i["Code"].lower() == key), None)


def item_json(item):
    out = dict(item, UpdatedDateUTC=xero_json.ms_datetime(item["UpdatedDateUTC"]))
    for key in ("SalesDetails", "PurchaseDetails"):
        details = dict(item[key])
        if "UnitPrice" in details:
            details["UnitPrice"] = xero_json.number(details["UnitPrice"])
        out[key] = details
    return out


def fill_line(org, given, invoice_type, errors):
    """The line with its item's defaults where it gave none (``given`` untouched)."""
    code = given.get("ItemCode")
    if code in (None, ""):
        return given
    item = find_item(org, str(code))
    if item is None:
        errors.append("Item code '%s' is not valid" % code)
        return given
    details = item["SalesDetails"] if invoice_type != "ACCPAY" else item["PurchaseDetails"]
    line = dict(given, ItemCode=item["Code"])
    description = item["Description"] if invoice_type != "ACCPAY" else \
        item["PurchaseDescription"]
    if line.get("Description") in (None, "") and description:
        line["Description"] = description
    for field, source in (("UnitAmount", "UnitPrice"), ("AccountCode", "AccountCode"),
                          ("TaxType", "TaxType")):
        if line.get(field) in (None, "") and details.get(source) is not None:
            line[field] = details[source]
    line["Item"] = {"ItemID": item["ItemID"], "Name": item["Name"], "Code": item["Code"]}
    return line


def get_items(ctx):
    org = ctx.org
    predicate = where_filter(ctx.arg("where"))
    since = modified_since(ctx)
    with org.lock:
        records = [i for i in org.items.values()
                   if (since is None or i["UpdatedDateUTC"] > since)
                   and (predicate is None or predicate(i))]
        records = sort_records(records, ctx.arg("order"), "Code")
        return 200, xero_json.envelope("Items", [item_json(i) for i in records])


def get_item(ctx):
    with ctx.org.lock:
        item = find_item(ctx.org, ctx.params["id"])
        if item is None:
            raise not_found()
        return 200, xero_json.envelope("Items", [item_json(item)])


def upsert(org, data):
    """Add or change an item (the accountant's Products and services screen).

    Returns (item, errors); nothing changes when errors is not empty.
    """
    errors = []
    current = None
    if data.get("ItemID"):
        current = org.items.get(str(data["ItemID"]).lower())
    code = str(data.get("Code") or (current or {}).get("Code") or "").strip()
    if current is None and code:
        current = find_item(org, code)
    if not code:
        errors.append("Item Code must be specified.")
    elif len(code) > _CODE_MAX:
        errors.append("Item Code must not be more than %d characters long." % _CODE_MAX)
    clash = find_item(org, code) if code else None
    if clash is not None and current is not None and clash is not current:
        errors.append("Item code '%s' already exists." % code)
    item = dict(current) if current else {
        "ItemID": item_id(org.tenant_id, code or "x"), "Name": "", "Description": "",
        "PurchaseDescription": "", "SalesDetails": {}, "PurchaseDetails": {},
        "IsSold": False, "IsPurchased": False, "IsTrackedAsInventory": False}
    item["Code"] = code
    for field in ("Name", "Description", "PurchaseDescription", "IsSold", "IsPurchased"):
        if data.get(field) is not None:
            item[field] = data[field]
    if len(item["Name"] or "") > _NAME_MAX:
        errors.append("Item Name must not be more than %d characters long." % _NAME_MAX)
    for key in ("SalesDetails", "PurchaseDetails"):
        if data.get(key) is not None:
            given = data[key] or {}
            account = org.account_by_code(str(given.get("AccountCode") or ""))
            if given.get("AccountCode") and account is None:
                errors.append("Account code '%s' is not a valid code." % given["AccountCode"])
            details = dict(item[key])
            details.update({k: v for k, v in given.items() if v is not None})
            if "UnitPrice" in details:
                details["UnitPrice"] = xero_json.to_decimal(details["UnitPrice"])
            if account and not details.get("TaxType"):
                details["TaxType"] = account["TaxType"]
            item[key] = details
    if errors:
        return None, errors
    item["UpdatedDateUTC"] = xero_json.now()
    org.items[item["ItemID"]] = item
    org.touch()
    return item, []


ROUTES = [
    ("GET", "/Items", get_items, "accounting.settings"),
    ("GET", "/Items/{id}", get_item, "accounting.settings"),
]
