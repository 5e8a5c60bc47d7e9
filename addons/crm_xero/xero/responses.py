"""Translation between the SDK and the rest of the addon: request bodies in,
plain dicts out, HTTP failures into the typed errors of ``errors.py``."""

import datetime
import json
import re
from decimal import Decimal

import urllib3
from xero_python.api_client.serializer import serialize

from .errors import (XeroAuthError, XeroError, XeroForbidden, XeroNotFound,
                     XeroRateLimited, XeroUnavailable, XeroValidationError)

_CONNECT_ERRORS = (urllib3.exceptions.NewConnectionError,
                   urllib3.exceptions.ConnectTimeoutError)
_TIMEOUT_ERRORS = (urllib3.exceptions.TimeoutError,)


def clean(value):
    """A request body as the SDK's serializer accepts it: drop ``None``
    members (the serializer rejects them; Xero clears a field with "")."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value if v is not None]
    return value


_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_xero_datetime(value):
    """A Xero date as a naive UTC datetime (Odoo's convention), or None.

    Accepts what ``to_dict`` produces (``/Date(1747977561887+0000)/``; the
    offset only tells the organisation's zone, the milliseconds are UTC) and
    ISO 8601 strings."""
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    else:
        match = _MS_DATE.match(str(value).strip())
        if match:
            return datetime.datetime(1970, 1, 1) + datetime.timedelta(
                milliseconds=int(match.group(1)))
        try:
            moment = datetime.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def parse_xero_date(value):
    """A Xero date (invoice Date, DueDate...) as a ``datetime.date``, or None."""
    moment = parse_xero_datetime(value)
    return moment.date() if moment else None


def body(value):
    """``clean(value)`` turned into JSON-ready data (dates as ISO strings,
    Decimals as floats).  A value the SDK cannot send (a set, a record...)
    raises ValueError here, before anything goes out: a bug in the caller,
    not a Xero problem."""
    return serialize(clean(value))


def to_dict(model):
    """An SDK model as Xero's JSON: PascalCase keys, dates as Xero writes
    them (``/Date(ms+0000)/``), numbers as floats."""
    if model is None:
        return {}
    data = serialize(model)
    return data if isinstance(data, dict) else {"value": data}


def _body(exc):
    raw = getattr(exc.http_resp, "data", None) if exc.http_resp else None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    raw = raw or ""
    try:
        return raw, json.loads(raw, parse_float=Decimal)
    except ValueError:
        return raw, None


def _header(exc, name):
    try:
        return (exc.headers or {}).get(name)
    except AttributeError:
        return None


def _seconds(value, default):
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return default


def validation_messages(body):
    """(messages, elements) from a Xero 400 body (or a 200 body with
    per-element ValidationErrors)."""
    messages, elements = [], []
    if not isinstance(body, dict):
        return messages, elements
    for index, element in enumerate(body.get("Elements") or []):
        element_messages = []
        _collect(element, element_messages)
        if element_messages:
            elements.append({"index": index, "messages": element_messages,
                             "element": element})
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


def error_from_status(exc, method, path, write):
    """The typed error for an HTTP error answer from the Accounting API."""
    status = exc.http_resp.status if exc.http_resp else exc.status
    raw, body = _body(exc)
    detail = "%s %s -> %s %s" % (method, path, status, raw[:1000])
    if status == 400:
        messages, elements = validation_messages(body)
        if not messages and raw and body is None:
            messages = [raw.strip()[:300]]
        return XeroValidationError(messages, elements, detail=detail)
    if status == 401:
        text = raw.lower() + str(_header(exc, "WWW-Authenticate") or "").lower()
        reason = "token_expired" if "expired" in text else "invalid_token"
        message = None
        if reason == "token_expired":
            message = ("The Xero sign-in expired and could not be renewed "
                       "automatically; try again, or ask an administrator to "
                       "reconnect Xero in Settings.")
        return XeroAuthError(message, detail=detail, status=401, reason=reason)
    if status == 403:
        return XeroForbidden(detail=detail, status=403)
    if status == 404:
        return XeroNotFound(detail=detail, status=404)
    if status == 429:
        return XeroRateLimited(
            _seconds(_header(exc, "Retry-After"), 60),
            _problem(_header(exc, "X-Rate-Limit-Problem")), detail=detail)
    if status and status >= 500:
        # A 503 means Xero did not take the request; after any other 5xx a
        # write may have been saved before the failure.
        maybe_committed = bool(write and status != 503)
        message = None if maybe_committed else (
            "Xero is having a problem on its side (error %s); try again in a "
            "few minutes." % status)
        retry_after = _header(exc, "Retry-After")
        return XeroUnavailable(
            message, detail=detail, status=status, maybe_committed=maybe_committed,
            retry_after=_seconds(retry_after, None) if retry_after else None)
    return XeroError(
        "Xero refused the request (error %s)." % status, detail=detail, status=status)


def _problem(value):
    value = (value or "minute").strip().lower()
    if value.startswith("app"):
        return "app"
    return value


def error_from_network(exc, method, path, write):
    """The typed error for a request that got no HTTP answer."""
    reason = getattr(exc, "reason", None) or exc
    connect_failed = isinstance(reason, _CONNECT_ERRORS) or isinstance(
        exc, ConnectionRefusedError)
    timed_out = isinstance(reason, _TIMEOUT_ERRORS) and not connect_failed
    detail = "%s %s: no answer (%s: %s)" % (
        method, path, type(reason).__name__, reason)
    if connect_failed:
        message = "Xero could not be reached (connection failed); check the " \
                  "internet connection or try again in a few minutes."
    elif timed_out and not write:
        message = "Xero did not answer in time; try again in a few minutes."
    else:
        message = None
    return XeroUnavailable(message, detail=detail,
                           maybe_committed=bool(write and not connect_failed))


__all__ = ["clean", "body", "parse_xero_datetime", "parse_xero_date", "to_dict", "validation_messages", "error_from_status",
           "error_from_network", "XeroError"]
