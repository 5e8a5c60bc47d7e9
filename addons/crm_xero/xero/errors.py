"""Typed errors: what went wrong talking to Xero, classified once.

Every error carries
* ``reason``: a short code the models act on (``duplicate_name``,
  ``not_editable``, ``rate_limited``...), never Xero's wording;
* ``message``: an English sentence template for a salesperson, with
  ``%(name)s`` placeholders filled from ``params``.  Templates are marked
  with ``_lt`` so Odoo's translation export finds them; they are translated
  where they are shown (``models/xero_errors.py``), never here;
* ``detail``: technical detail for logs (method, path, status, Xero's body),
  scrubbed of anything that looks like a token or secret.

``error_for_answer()`` is the one table from an HTTP answer to an error, used
by the Accounting API gateway and the identity calls alike.
"""

import datetime
import json
import math
import re
from decimal import Decimal

__all__ = [
    "XeroError", "XeroAuthError", "XeroForbidden", "XeroNotFound",
    "XeroValidationError", "XeroRateLimited", "XeroDayReserved", "XeroUnavailable",
    "XeroTimedOut", "XeroBusy",
    "XeroDuplicateContact",
    "XeroConfigError", "error_for_answer", "error_for_no_answer",
    "retry_after_seconds", "scrub", "validation_messages",
]


def _lt(message):
    """Mark ``message`` for Odoo's translation export (babel extracts _lt
    calls); the models translate it when they show it."""
    return message


_SECRET_KEYS = (r"(?:access_token|refresh_token|id_token|client_secret|code_verifier|code"
                r"|token|password)")
_SECRET_PATTERNS = [
    (re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 ***"),
    # JSON members: "token": "value"
    (re.compile(r"(?i)([\"']" + _SECRET_KEYS + r"[\"']\s*:\s*[\"'])[^\"']+"), r"\1***"),
    # form fields and query strings: token=value (not "/connect/token: text")
    (re.compile(r"(?i)(\b" + _SECRET_KEYS + r"\s*=\s*)[^\"'&\s,}]+"), r"\1***"),
]


def scrub(text, limit=2000):
    """``text`` as a string with token-like values masked and capped."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text[:limit] + "..." if len(text) > limit else text


class XeroError(Exception):
    """Base class: something went wrong talking to Xero."""

    reason = "error"
    message = _lt("Xero could not complete the request.")

    def __init__(self, message=None, detail=None, status=None, reason=None, **params):
        self.message = message or type(self).message
        self.reason = reason or type(self).reason
        self.params = params
        self.detail = scrub(detail)
        self.status = status
        super().__init__(self.user_message)

    @property
    def user_message(self):
        """The English sentence (the models show the translated one)."""
        return self.message % self.params if self.params else self.message

    def __str__(self):
        return self.user_message

    def __repr__(self):
        return "%s(%r, reason=%r, status=%r, detail=%r)" % (
            type(self).__name__, self.user_message, self.reason, self.status, self.detail)


class XeroAuthError(XeroError):
    """Xero refused the authorisation.

    ``reason``: ``token_rejected`` (an API call got a 401: refresh and try
    once more), ``invalid_grant`` (the refresh token is spent, revoked or
    expired: only reconnecting in Settings helps)."""

    reason = "token_rejected"
    message = _lt("Xero did not accept Odoo's sign-in for this call; try again in a moment.")

    @property
    def needs_reconnect(self):
        return self.reason == "invalid_grant"


class XeroForbidden(XeroError):
    """403: the organisation is not (or no longer) connected to this app."""

    reason = "forbidden"
    message = _lt("This Xero organisation is no longer connected to Odoo, or the connection "
                  "does not allow this action; an administrator must reconnect Xero in "
                  "Settings.")


class XeroNotFound(XeroError):
    reason = "not_found"
    message = _lt("Xero has no such record; it may have been deleted in Xero.")


# Xero's validation messages -> reasons, first match wins.  The one place
# that reads Xero's wording.
_VALIDATION_REASONS = [
    ("duplicate_name", re.compile(r"is already assigned to another contact|contact name .* "
                                  r"must be unique", re.I)),
    ("duplicate_account_number", re.compile(r"account number already exists", re.I)),
    ("duplicate_contact_number", re.compile(r"contact number already exists", re.I)),
    ("archived_account", re.compile(r"account code .* (has been archived|is not a valid code)",
                                    re.I)),
    ("archived_contact", re.compile(r"contact .* is archived|archived contacts cannot", re.I)),
    ("not_editable", re.compile(r"not of valid status for modification|cannot be edited|"
                                r"cannot be voided|valid status", re.I)),
    ("currency_not_enabled", re.compile(r"not subscribed to currency", re.I)),
    ("unknown_item", re.compile(r"item code .* (not valid|does not exist|could not be found)",
                                re.I)),
    ("tracking_refused", re.compile(r"tracking", re.I)),
    ("branding_theme_refused", re.compile(r"branding ?theme", re.I)),
    ("invalid_email", re.compile(r"email address must be valid", re.I)),
]


# Refusals said in our words rather than Xero's: a ledger code Xero holds in
# another case, or that was given in Xero after our own search.
_OUR_WORDS = {
    "duplicate_account_number": _lt("Xero already has a contact with this ledger code "
                                    "(archived contacts, and the code in capitals or small "
                                    "letters, count too). Choose another ledger code, or link "
                                    "to that contact."),
}


class XeroValidationError(XeroError):
    """400: Xero refused the data.  ``messages``: Xero's own messages, in
    order; ``elements``: per element ``{"index", "messages", "element"}``."""

    reason = "invalid"
    message = _lt("Xero refused the change: %(xero_says)s.")

    def __init__(self, messages=None, elements=None, detail=None, status=400, reason=None):
        self.messages = list(messages or [])
        self.elements = list(elements or [])
        xero_says = "; ".join(m.rstrip(".") for m in self.messages) or "no reason given"
        reason = reason or classify(self.messages)
        super().__init__(_OUR_WORDS.get(reason), detail=detail, status=status, reason=reason,
                         xero_says=xero_says)


def classify(messages):
    """The reason for Xero's validation ``messages``."""
    text = " ".join(messages or [])
    return next((reason for reason, pattern in _VALIDATION_REASONS if pattern.search(text)),
                "invalid")


class XeroRateLimited(XeroError):
    """429, or the local pacer refusing to wait that long.  ``problem``:
    ``minute``, ``day``, ``concurrent`` or ``app``."""

    reason = "rate_limited"

    def __init__(self, retry_after=60, problem="minute", detail=None, status=429, at=None):
        self.retry_after = max(0, int(math.ceil(retry_after or 0)))
        self.problem = (problem or "minute").lower()
        if self.problem.startswith("app"):
            self.problem = "app"
        params = {"wait": human_wait(self.retry_after)}
        if self.problem == "day":
            message = _lt("This Xero organisation has used up its daily allowance of API "
                          "calls; Xero takes calls again at %(at)s (in %(wait)s).")
            # when Xero takes calls again (naive UTC): given, or from now
            params["at"] = Moment(at or datetime.datetime.utcnow()
                                  + datetime.timedelta(seconds=self.retry_after))
        elif self.problem == "concurrent":
            message = _lt("Xero is busy right now (too many requests at once); try again in "
                          "%(wait)s.")
        else:
            message = _lt("Xero is busy right now (rate limit reached); try again in %(wait)s.")
        super().__init__(message, detail, status, **params)


class XeroDayReserved(XeroRateLimited):
    """Background work stops here: what is left of the organisation's day
    of calls is kept for people's clicks (xero/day_budget.py)."""

    def __init__(self, retry_after=3600, detail=None):
        super().__init__(retry_after, "reserve", detail, status=None)
        self.message = _lt("Background work waits: the Xero calls left today are kept for "
                           "people's clicks; it goes on in %(wait)s.")


class XeroUnavailable(XeroError):
    """Xero could not be reached or failed on its side (5xx, refused
    connection, timeout).

    ``maybe_committed``: a write was sent but its answer was lost, so Xero
    may have saved it (reason ``unconfirmed``): retry with the same
    Idempotency-Key and Xero replays its first answer."""

    reason = "unavailable"
    message = _lt("Xero could not be reached right now; try again in a few minutes.")

    def __init__(self, message=None, detail=None, status=None, maybe_committed=False,
                 retry_after=None, **params):
        self.maybe_committed = maybe_committed
        self.retry_after = retry_after
        if maybe_committed and not message:
            message = _lt("Xero did not confirm the change before the connection was lost; it "
                          "may have been saved. Try again in a moment: the retry will not "
                          "create a duplicate.")
        super().__init__(message, detail, status,
                         reason="unconfirmed" if maybe_committed else None, **params)


class XeroTimedOut(XeroUnavailable):
    """The request's deadline (``deadline.py``) passed before Xero answered:
    nothing more is sent.  Writes whose call went out say so with the
    "may have been saved" words of ``XeroUnavailable`` instead."""

    reason = "deadline"
    message = _lt("Xero is not answering; nothing was changed. Try again in a few minutes.")


class XeroDuplicateContact(XeroError):
    """Xero already has a contact with this name or ledger code, not linked
    to this account: the person chooses to link to it, or to change theirs.
    ``contact``: Xero's contact; ``linked_to``, ``linked_id``: the name and
    id of the Odoo account already linked to it, if any."""

    def __init__(self, contact, field, value, linked_to=None, linked_id=None):
        self.contact, self.field, self.linked_to = contact, field, linked_to
        self.linked_id = linked_id
        archived = contact.get("ContactStatus") == "ARCHIVED"
        if field == "AccountNumber":
            message = (_lt("Xero already has an archived contact, %(name)s, with the ledger code "
                           "%(value)s.") if archived else
                       _lt("Xero already has a contact, %(name)s, with the ledger code "
                           "%(value)s."))
            reason = "duplicate_account_number"
        else:
            message = (_lt("Xero already has an archived contact named %(name)s.") if archived
                       else _lt("Xero already has a contact named %(name)s."))
            reason = "duplicate_name"
        super().__init__(message, reason=reason, name=contact.get("Name") or "", value=value)


class XeroBusy(XeroError):
    """Another click (or job) is writing the same record to Xero right now."""

    reason = "busy"
    message = _lt("Someone else (or a double click) is sending this record to Xero right now "
                  "and Xero has not answered yet. Reload the page in a moment to see the "
                  "result.")


class XeroConfigError(XeroError):
    """The integration is not configured (missing client id, bad URL...)."""

    reason = "not_configured"
    message = _lt("The Xero integration is not set up; an administrator can complete it in "
                  "Settings > CRM > Xero.")


class Worded(str):
    """A message parameter that is words itself ("2 minutes"): English as a
    string, and its template and count kept for the models to translate."""

    def __new__(cls, template, **params):
        worded = super().__new__(cls, template % params if params else template)
        worded.template, worded.params = template, params
        return worded


class Moment(str):
    """A message parameter that is a moment (a naive UTC datetime): English
    as "14:35 UTC"; the models write it in the user's time zone."""

    def __new__(cls, moment):
        worded = super().__new__(cls, moment.strftime("%H:%M UTC"))
        worded.moment = moment
        return worded


def human_wait(seconds):
    seconds = int(seconds)
    if seconds <= 1:
        return Worded(_lt("a second"))
    if seconds < 90:
        return Worded(_lt("%(count)d seconds"), count=seconds)
    minutes = int(math.ceil(seconds / 60.0))
    if minutes < 90:
        return Worded(_lt("%(count)d minutes"), count=minutes)
    # 90 minutes and more: always two hours or more
    return Worded(_lt("%(count)d hours"), count=int(math.ceil(seconds / 3600.0)))


# -- from an HTTP answer -----------------------------------------------------

def retry_after_seconds(headers, default=None):
    """Xero's ``Retry-After`` (seconds), or ``default``."""
    value = header_value(headers, "Retry-After")
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError, OverflowError):   # absent, garbage, "inf", "nan"
        return default


def header_value(headers, name):
    """A response header, or None (no headers, or headers of no known kind)."""
    if not headers:
        return None
    try:
        return headers.get(name)
    except AttributeError:
        return None


def parse_json(raw):
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        return json.loads(raw or "", parse_float=Decimal)
    except ValueError:
        return None


def validation_messages(body):
    """(messages, elements) from a Xero 400 body (or a 200 body whose
    elements carry ValidationErrors)."""
    messages, elements = [], []
    if not isinstance(body, dict):
        return messages, elements
    for index, element in enumerate(body.get("Elements") or []):
        element_messages = []
        _collect(element, element_messages)
        if element_messages:
            elements.append({"index": index, "messages": element_messages, "element": element})
            messages.extend(m for m in element_messages if m not in messages)
    if not messages:
        for key in ("Message", "Detail", "Title", "error_description", "error"):
            if body.get(key):
                messages.append(str(body[key]))
                break
    return messages, elements


def _collect(node, out):
    if isinstance(node, dict):
        for error in node.get("ValidationErrors") or []:
            message = (error or {}).get("Message")
            if message and message not in out:
                out.append(message)
        for key, value in node.items():
            if key != "ValidationErrors" and isinstance(value, (dict, list)):
                _collect(value, out)
    elif isinstance(node, list):
        for item in node:
            _collect(item, out)


def error_for_answer(status, raw_body, headers, operation, write=False, identity=False):
    """The typed error for an HTTP error answer.

    ``identity``: the answer came from Xero's identity host (token,
    revocation), whose 400/401 bodies are OAuth errors."""
    body = parse_json(raw_body)
    text = raw_body.decode("utf-8", "replace") if isinstance(raw_body, bytes) else (raw_body or "")
    detail = "%s -> %s %s" % (operation, status, text[:1000])
    oauth_error = body.get("error") if isinstance(body, dict) else None
    if identity and status in (400, 401):
        if oauth_error == "invalid_client":
            return XeroConfigError(
                _lt("Xero rejected the app's client id or secret; an administrator can "
                    "correct them in Settings > CRM > Xero."),
                detail=detail, status=status, reason="bad_client")
        if oauth_error in (None, "invalid_grant", "unauthorized_client", "access_denied"):
            return XeroAuthError(
                _lt("Xero no longer accepts this company's connection (it was revoked in "
                    "Xero or has expired). Reconnect Xero in Settings."),
                detail=detail, status=status, reason="invalid_grant")
        return XeroError(
            _lt("Xero refused the sign-in request (%(code)s); an administrator may need to "
                "reconnect Xero in Settings."), detail=detail, status=status, code=oauth_error)
    if status == 400:
        messages, elements = validation_messages(body)
        if not messages and text and body is None:
            messages = [text.strip()[:300]]
        return XeroValidationError(messages, elements, detail=detail)
    if status == 401 and "AuthorizationUnsuccessful" in text:
        # A token Xero knows, without the permission (scope) the call needs:
        # refreshing does not help, reconnecting with the scope does.
        return XeroAuthError(
            _lt("The Xero connection does not allow this (a permission was not granted when "
                "Xero was connected); an administrator can reconnect Xero in Settings to grant "
                "it."), detail=detail, status=401, reason="scope_missing")
    if status == 401:
        return XeroAuthError(detail=detail, status=401)
    if status == 403:
        return XeroForbidden(detail=detail, status=403)
    if status == 404:
        return XeroNotFound(detail=detail, status=404)
    if status == 429:
        return XeroRateLimited(retry_after_seconds(headers, 60),
                               header_value(headers, "X-Rate-Limit-Problem"), detail=detail)
    if status and status >= 500:
        # A 503 means Xero did not take the request; after any other 5xx a
        # write may have been saved before the failure.
        maybe_committed = bool(write and status != 503)
        message = None if maybe_committed else _lt(
            "Xero is having a problem on its side (error %(code)s); try again in a few "
            "minutes.")
        params = {} if maybe_committed else {"code": status}
        return XeroUnavailable(message, detail=detail, status=status,
                               maybe_committed=maybe_committed,
                               retry_after=retry_after_seconds(headers), **params)
    return XeroError(_lt("Xero refused the request (error %(code)s)."), detail=detail,
                     status=status, code=status)


def error_for_no_answer(operation, exc, connect_failed, timed_out, write=False):
    """The typed error for a request that got no HTTP answer."""
    detail = "%s: no answer (%s: %s)" % (operation, type(exc).__name__, exc)
    if connect_failed:
        return XeroUnavailable(
            _lt("Xero could not be reached (connection failed); check the internet "
                "connection or try again in a few minutes."), detail=detail)
    if timed_out and not write:
        return XeroUnavailable(_lt("Xero did not answer in time; try again in a few minutes."),
                               detail=detail)
    return XeroUnavailable(detail=detail, maybe_committed=write)
