"""The one place typed Xero errors become what a person reads.

Buttons are decorated with ``@xero_action``: a ``XeroError`` raised anywhere
below (gateway, write path, token refresh) becomes Odoo's own ``UserError``,
its text translated into the user's language.  It must be that very class:
the web client shows a plain dialog for ``odoo.exceptions.UserError`` and its
siblings only, and a traceback ("Oops!") for any subclass defined elsewhere.
"""
import functools

from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

from ..xero.errors import Moment, Worded, XeroError
from .xero_deadline import in_time


def xero_message(env, exc):
    """``exc``'s sentence in the user's language (its worded parameters too)."""
    if not exc.params:
        return env._(exc.message)
    params = {key: _translated(env, value) for key, value in exc.params.items()}
    return env._(exc.message, **params)


def _translated(env, value):
    if isinstance(value, Moment):   # a moment, in the user's time zone and language
        return format_datetime(env, value.moment, tz=env.user.tz or "UTC", dt_format="short")
    if not isinstance(value, Worded):
        return value
    return env._(value.template, **value.params) if value.params else env._(value.template)


def xero_user_error(env, exc):
    return UserError(xero_message(env, exc))


def xero_action(method):
    """Decorate a button: its Xero calls share the request's deadline
    (models/xero_deadline.py), and Xero errors reach the user as a UserError."""
    in_time_method = in_time(method)

    @functools.wraps(method)
    def button(self, *args, **kwargs):
        try:
            return in_time_method(self, *args, **kwargs)
        except XeroError as exc:
            raise xero_user_error(self.env, exc) from None
    return button
