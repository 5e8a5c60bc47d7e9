"""The actions Xero buttons answer with (plain dicts, no model)."""

# What the view a button is on does after it: reload the record in place (the
# web client's own reload after a button), closing the dialog the button was
# in, if any.  Not "soft_reload": that restores the action as it was opened,
# a blank "New" form for a record created in that same form, and a pager on
# Settings.
RELOAD = {"type": "ir.actions.act_window_close"}
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


def open_record(record, name=None):
    """Open ``record``'s form in the main window (out of any dialog)."""
    return {"type": "ir.actions.act_window", "name": name or record.display_name,
            "res_model": record._name, "res_id": record.id, "view_mode": "form",
            "views": [(False, "form")], "target": "current"}
