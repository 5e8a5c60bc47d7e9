"""Tracking categories: ``GET /TrackingCategories[/{id}]`` and line ``Tracking``.

Xero hides ARCHIVED categories and options unless ``includeArchived=true``,
allows at most two (active) categories per line, and refuses a line naming a
category or option that is not ACTIVE.  Lines name them either by
``Name``/``Option`` or by ``TrackingCategoryID``/``TrackingOptionID``.
"""
import uuid

from .. import xero_json
from .common import not_found, sort_records, where_filter

# (category, status, [(option, status)])
SEED = [
    ("Region", "ACTIVE", [("North", "ACTIVE"), ("South", "ACTIVE"), ("West", "ARCHIVED")]),
    ("Department", "ACTIVE", [("Sales", "ACTIVE"), ("Services", "ACTIVE")]),
    ("Old Projects", "ARCHIVED", [("Apollo", "ACTIVE")]),
]
MAX_PER_LINE = 2


def _id(tenant_id, *names):
    return str(uuid.uuid5(uuid.UUID(tenant_id), "tracking-" + "/".join(names).lower()))


def new_option(org, category, name, status="ACTIVE"):
    return {"TrackingOptionID": _id(org.tenant_id, category["Name"], name), "Name": name,
            "Status": status}


def build_categories(org):
    categories = []
    for name, status, options in SEED:
        category = {"TrackingCategoryID": _id(org.tenant_id, name), "Name": name,
                    "Status": status, "Options": []}
        category["Options"] = [new_option(org, category, o, s) for o, s in options]
        categories.append(category)
    return categories


def category_json(category, include_archived=True):
    options = [dict(o, TrackingCategoryID=category["TrackingCategoryID"])
               for o in category["Options"]
               if include_archived or o["Status"] == "ACTIVE"]
    return dict(category, Options=options)


def get_categories(ctx):
    include_archived = ctx.flag("includeArchived")
    predicate = where_filter(ctx.arg("where"))
    with ctx.org.lock:
        records = [c for c in ctx.org.tracking
                   if (include_archived or c["Status"] == "ACTIVE")
                   and (predicate is None or predicate(c))]
        records = sort_records(records, ctx.arg("order"), "Name")
        items = [category_json(c, include_archived) for c in records]
    return 200, xero_json.envelope("TrackingCategories", items)


def find_category(org, key):
    key = (key or "").strip().lower()
    return next((c for c in org.tracking
                 if c["TrackingCategoryID"] == key or c["Name"].lower() == key), None)


def get_category(ctx):
    with ctx.org.lock:
        category = next((c for c in ctx.org.tracking
                         if c["TrackingCategoryID"] == ctx.params["id"].strip().lower()), None)
        if category is None:
            raise not_found()
        return 200, xero_json.envelope("TrackingCategories", [category_json(category)])


def _pick(items, id_key, wanted_id, wanted_name):
    if wanted_id:
        return next((i for i in items if i[id_key] == str(wanted_id).lower()), None)
    name = str(wanted_name or "").strip().lower()
    return next((i for i in items if i["Name"].lower() == name), None) if name else None


def resolve(org, given, errors):
    """A line's ``Tracking`` as Xero stores it, appending refusals to errors."""
    out, seen = [], set()
    if given in (None, ""):
        return out
    if not isinstance(given, list):
        errors.append("Tracking must be a list of tracking categories.")
        return out
    if len(given) > MAX_PER_LINE:
        errors.append("A line item can have a maximum of %d tracking categories."
                      % MAX_PER_LINE)
    for entry in given:
        entry = entry if isinstance(entry, dict) else {}
        category = _pick(org.tracking, "TrackingCategoryID", entry.get("TrackingCategoryID"),
                         entry.get("Name"))
        label = entry.get("Name") or entry.get("TrackingCategoryID") or ""
        if category is None or category["Status"] != "ACTIVE":
            errors.append("There is no ACTIVE tracking category with the name '%s'." % label)
            continue
        option = _pick(category["Options"], "TrackingOptionID", entry.get("TrackingOptionID"),
                       entry.get("Option"))
        if option is None or option["Status"] != "ACTIVE":
            errors.append("The tracking option '%s' is not an ACTIVE option of the tracking "
                          "category '%s'." % (entry.get("Option") or
                                              entry.get("TrackingOptionID") or "",
                                              category["Name"]))
            continue
        if category["TrackingCategoryID"] in seen:
            errors.append("The tracking category '%s' is used more than once on a line item."
                          % category["Name"])
            continue
        seen.add(category["TrackingCategoryID"])
        out.append({"Name": category["Name"], "Option": option["Name"],
                    "TrackingCategoryID": category["TrackingCategoryID"],
                    "TrackingOptionID": option["TrackingOptionID"]})
    return out


def set_option_status(org, category_name, option_name, status):
    """The accountant archives (or restores, or adds) an option; returns the category."""
    category = find_category(org, category_name)
    if category is None:
        return None, ["There is no tracking category named '%s'." % category_name]
    if status not in ("ACTIVE", "ARCHIVED"):
        return None, ["status must be ACTIVE or ARCHIVED."]
    option = _pick(category["Options"], "TrackingOptionID", None, option_name)
    if option is None:
        category["Options"].append(new_option(org, category, option_name.strip(), status))
    else:
        option["Status"] = status
    org.touch()
    return category, []


ROUTES = [
    ("GET", "/TrackingCategories", get_categories, "accounting.settings"),
    ("GET", "/TrackingCategories/{id}", get_category, "accounting.settings"),
]
