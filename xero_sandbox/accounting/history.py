"""History and notes (``/{Resource}/{id}/History``), shared by contacts and invoices."""
from .. import xero_json
from .common import bad_request, not_found


def add_history(org, object_id, changes, details, user):
    org.history.setdefault(object_id, []).append(
        {"Changes": changes, "DateUTC": xero_json.now(), "User": user, "Details": details})


def _history_json(item):
    return dict(item, DateUTC=xero_json.ms_datetime(item["DateUTC"]))


def history_json(org, object_id):
    """An object's history as the API shows it (the control API reuses it)."""
    return [_history_json(h) for h in org.history.get(object_id, [])]


def history_routes(resource, finder, scope):
    """GET and PUT handlers for one resource's history; ``finder(org, id)``."""
    id_field = resource[:-1] + "ID"

    def get_history(ctx):
        with ctx.org.lock:
            record = finder(ctx.org, ctx.params["id"])
            if record is None:
                raise not_found()
            items = [_history_json(h) for h in ctx.org.history.get(record[id_field], [])]
        return 200, xero_json.envelope("HistoryRecords", items)

    def put_history(ctx):
        notes = ctx.body_list("HistoryRecords")
        with ctx.org.lock:
            record = finder(ctx.org, ctx.params["id"])
            if record is None:
                raise not_found()
            created = []
            for note in notes:
                details = str((note or {}).get("Details") or "").strip()
                if not details:
                    raise bad_request("The Details of a history record must be specified.")
                if len(details) > 2500:
                    raise bad_request("The Details of a history record must not be more "
                                      "than 2500 characters long.")
                add_history(ctx.org, record[id_field], "Note", details, ctx.app_name)
                created.append(ctx.org.history[record[id_field]][-1])
        return 200, xero_json.envelope("HistoryRecords", [_history_json(h) for h in created])

    return [("GET", "/%s/{id}/History" % resource, get_history, scope),
            ("PUT", "/%s/{id}/History" % resource, put_history, scope)]
