"""The actions Xero buttons answer with (plain dicts, no model)."""

RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}
CLOSE = {"type": "ir.actions.act_window_close"}
RELOAD_PAGE = {"type": "ir.actions.client", "tag": "reload"}


def notification(message, kind="success", next_action=None):
    """A notification; ``next_action`` runs after it (close, reload).
    Warnings and errors stay until read."""
    params = {"message": message, "type": kind, "sticky": kind in ("warning", "danger")}
    if next_action:
        params["next"] = next_action
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}


def dialog(name, record, context=None):
    """Open ``record`` (a wizard) in a dialog."""
    return {"type": "ir.actions.act_window", "name": name, "res_model": record._name,
            "res_id": record.id, "view_mode": "form", "target": "new",
            "context": context or {}}


def new_dialog(name, model, context=None):
    """Open a new ``model`` record (a wizard) in a dialog, with defaults."""
    return {"type": "ir.actions.act_window", "name": name, "res_model": model,
            "view_mode": "form", "target": "new", "context": context or {}}


def open_url(url):
    return {"type": "ir.actions.act_url", "url": url, "target": "new"}
