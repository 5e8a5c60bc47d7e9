"""Typed errors raised by the Xero gateway and OAuth helpers.

Every error carries two texts:

* ``user_message``: plain English a salesperson can act on; ``str(error)``
  returns it, so ``UserError(str(error))`` is enough in a button.
* ``detail``: technical detail for logs and support (HTTP method, path,
  status, Xero's error body).  It is scrubbed of anything that looks like a
  token or secret before it is stored.
"""

import math
import re

__all__ = [
    "XeroError",
    "XeroAuthError",
    "XeroForbidden",
    "XeroNotFound",
    "XeroValidationError",
    "XeroRateLimited",
    "XeroUnavailable",
    "XeroConfigError",
    "scrub",
]

_SECRET_PATTERNS = [
    # Authorization headers
    (re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 ***"),
    # JSON members and form fields carrying secrets
    (
        re.compile(
            r"(?i)([\"']?\b(?:access_token|refresh_token|id_token|client_secret|"
            r"code_verifier|code|token|password)[\"']?\s*[:=]\s*[\"']?)"
            r"[^\"'&\s,}]+"
        ),
        r"\1***",
    ),
]


def scrub(text, limit=2000):
    """Return ``text`` as a string with token-like values masked and capped."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    if len(text) > limit:
        text = text[:limit] + "..."
    return text


class XeroError(Exception):
    """Base class: something went wrong talking to Xero."""

    default_message = "Xero could not complete the request."

    def __init__(self, user_message=None, detail=None, status=None):
        self.user_message = user_message or self.default_message
        self.detail = scrub(detail)
        self.status = status
        super().__init__(self.user_message)

    def __str__(self):
        return self.user_message

    def __repr__(self):
        return "%s(%r, status=%r, detail=%r)" % (
            type(self).__name__, self.user_message, self.status, self.detail)


class XeroAuthError(XeroError):
    """Xero no longer accepts the stored authorisation (401, invalid_grant,
    revoked grant).

    ``reason`` is one of ``token_expired`` (the access token is stale: refresh
    it and try again), ``invalid_token``, ``invalid_grant``, ``revoked``.
    ``needs_reconnect`` is True when only an administrator reconnecting Xero
    in Settings can fix it.
    """

    default_message = (
        "Xero no longer accepts Odoo's connection; an administrator must "
        "reconnect Xero in Settings."
    )

    def __init__(self, user_message=None, detail=None, status=401,
                 reason="invalid_token"):
        self.reason = reason
        super().__init__(user_message, detail, status)

    @property
    def needs_reconnect(self):
        return self.reason != "token_expired"


class XeroForbidden(XeroError):
    """403: the organisation is not (or no longer) connected to this app, or
    the granted scopes do not allow the call."""

    default_message = (
        "This Xero organisation is not connected to Odoo, or the connection "
        "does not allow this action; an administrator must reconnect Xero in "
        "Settings."
    )


class XeroNotFound(XeroError):
    """404: the record does not exist in Xero (any more)."""

    default_message = (
        "Xero has no such record; it may have been deleted in Xero.")


class XeroValidationError(XeroError):
    """400: Xero refused the data.

    ``messages``: Xero's validation messages, in order, without duplicates.
    ``elements``: per-element errors, a list of
    ``{"index": i, "messages": [...], "element": <Xero's element dict>}``.
    """

    default_message = "Xero refused the data."

    def __init__(self, messages=None, elements=None, detail=None, status=400,
                 user_message=None):
        self.messages = list(messages or [])
        self.elements = list(elements or [])
        if not user_message:
            if self.messages:
                user_message = "Xero refused the change: %s" % "; ".join(
                    m.rstrip(".") for m in self.messages) + "."
            else:
                user_message = self.default_message
        super().__init__(user_message, detail, status)


class XeroRateLimited(XeroError):
    """429 (or the local pacer refusing to wait that long).

    ``retry_after``: seconds to wait; ``problem``: ``minute``, ``day``,
    ``concurrent`` or ``app`` (Xero's ``X-Rate-Limit-Problem``)."""

    def __init__(self, retry_after=60, problem="minute", detail=None,
                 status=429, user_message=None):
        self.retry_after = max(0, int(math.ceil(retry_after or 0)))
        self.problem = (problem or "minute").lower()
        if not user_message:
            user_message = self._message()
        super().__init__(user_message, detail, status)

    def _message(self):
        wait = _human_wait(self.retry_after)
        if self.problem == "day":
            return (
                "This Xero organisation has used up its daily allowance of "
                "API calls; try again in %s." % wait)
        if self.problem == "concurrent":
            return (
                "Xero is busy right now (too many requests at once); try "
                "again in %s." % wait)
        return "Xero is busy right now (rate limit reached); try again in %s." % wait


class XeroUnavailable(XeroError):
    """Xero could not be reached or failed on its side (5xx, refused
    connection, timeout).

    ``maybe_committed`` is True when a write was sent but its answer was
    lost: Xero may have saved it.  Retry with the same Idempotency-Key
    (``idempotency_key``) and Xero replays the first answer instead of saving
    twice.
    """

    default_message = (
        "Xero could not be reached right now; try again in a few minutes.")

    def __init__(self, user_message=None, detail=None, status=None,
                 maybe_committed=False, retry_after=None, idempotency_key=None):
        self.maybe_committed = maybe_committed
        #: seconds Xero asked us to wait (503 Retry-After), if any
        self.retry_after = retry_after
        #: the Idempotency-Key the lost write carried: retry with it
        self.idempotency_key = idempotency_key
        if not user_message and maybe_committed:
            user_message = (
                "Xero did not confirm the change before the connection was "
                "lost; it may have been saved. Try again in a moment: the "
                "retry will not create a duplicate.")
        super().__init__(user_message, detail, status)


class XeroConfigError(XeroError):
    """The integration is not configured (missing client id, bad URL...)."""

    default_message = (
        "The Xero integration is not set up; an administrator can complete "
        "it in Settings > CRM > Xero.")


def _human_wait(seconds):
    seconds = int(seconds)
    if seconds <= 1:
        return "a second"
    if seconds < 90:
        return "%d seconds" % seconds
    minutes = int(math.ceil(seconds / 60.0))
    if minutes < 90:
        return "%d minutes" % minutes
    hours = int(math.ceil(seconds / 3600.0))
    return "%d hour%s" % (hours, "s" if hours > 1 else "")
