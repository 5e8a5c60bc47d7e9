"""The one place typed Xero errors become what a person reads.

Buttons are decorated with ``@xero_action``: a ``XeroError`` raised anywhere
below (gateway, write path, token refresh) becomes Odoo's own ``UserError``,
its text translated into the user's language.  It must be that very class:
the web client shows a plain dialog for ``odoo.exceptions.UserError`` and its
siblings only, and a traceback ("Oops!") for any subclass defined elsewhere.
"""
import functools

from odoo.exceptions import UserError

from ..xero.errors import XeroError


def xero_message(env, exc):
    """``exc``'s sentence in the user's language."""
    return env._(exc.message, **exc.params) if exc.params else env._(exc.message)


def xero_user_error(env, exc):
    return UserError(xero_message(env, exc))


def xero_action(method):
    """Decorate a button: Xero errors reach the user as a UserError."""
    @functools.wraps(method)
    def button(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except XeroError as exc:
            raise xero_user_error(self.env, exc) from None
    return button
