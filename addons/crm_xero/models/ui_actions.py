"""Client actions the Xero buttons answer with (plain dicts, no model)."""

RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}
CLOSE = {"type": "ir.actions.act_window_close"}
RELOAD_PAGE = {"type": "ir.actions.client", "tag": "reload"}


def xero_notification(message, kind="success", next_action=None):
    """A notification; `next_action` runs after it (close, reload). Warnings and
    errors stay until read."""
    params = {"message": message, "type": kind, "sticky": kind in ("warning", "danger")}
    if next_action:
        params["next"] = next_action
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
