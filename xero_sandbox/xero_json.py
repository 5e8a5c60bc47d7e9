"""Xero's JSON conventions: MS dates, the response envelope, error bodies.

Xero's .NET heritage shows in its JSON: dates are ``/Date(ms+0000)/`` strings,
and every Accounting response is wrapped in an envelope with Id, Status,
ProviderName and DateTimeUTC.  Clients (xero-python included) parse exactly
these shapes, so the sandbox reproduces them byte for byte where it matters.
"""
import datetime as dt
import email.utils
import json
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal

UTC = dt.timezone.utc
PROVIDER_NAME = "Xero Sandbox"
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
CENT = Decimal("0.01")


# The sandbox's clock runs ahead of the machine's by this much (never
# behind): a benchmark simulates a day of Xero in minutes by moving it on
# (``POST /_sandbox/clock``).  Records' UpdatedDateUTC, If-Modified-Since and
# the rate-limit windows all follow it; ``reset`` puts it back.
_clock = {"offset": 0.0}


def now():
    return dt.datetime.now(UTC) + dt.timedelta(seconds=_clock["offset"])


def clock_offset():
    """Seconds the sandbox's clock is ahead of the machine's."""
    return _clock["offset"]


def advance_clock(seconds):
    """Move the sandbox's clock on by ``seconds`` (>= 0); returns the offset."""
    _clock["offset"] += max(0.0, float(seconds))
    return _clock["offset"]


def reset_clock():
    _clock["offset"] = 0.0


def ms_datetime(value):
    """A timezone-aware datetime as Xero's ``/Date(ms+0000)/``."""
    return "/Date(%d+0000)/" % int(value.timestamp() * 1000)


def ms_date(value):
    """A date as Xero writes transaction dates: midnight UTC, with offset."""
    midnight = dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    return ms_datetime(midnight)


def iso_date(value):
    """Xero adds ``DateString``-style twins, e.g. ``2024-05-01T00:00:00``."""
    return value.strftime("%Y-%m-%dT00:00:00")


def parse_date(value):
    """A date from what clients send: ISO date/datetime or ``/Date(ms)/``."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = _MS_DATE.match(text)
    if match:
        return dt.datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).date()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError("Invalid date %r" % value)


def parse_http_datetime(value):
    """``If-Modified-Since``: ISO 8601 (what xero-python sends), HTTP-date, MS date."""
    text = (value or "").strip()
    if not text:
        return None
    match = _MS_DATE.match(text)
    if match:
        return dt.datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if parsed.tzinfo is None:
        # Xero reads naive timestamps as UTC.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def money(value):
    """Round half up to cents, as Xero does for every computed amount."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value, default="0"):
    if value is None or value == "":
        return Decimal(default)
    return Decimal(str(value))


def number(value):
    """Decimals leave the sandbox as JSON numbers, like Xero's 100.00 -> 100.0."""
    return float(value)


def envelope(key, items, pagination=None, warnings=None):
    body = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": PROVIDER_NAME,
        "DateTimeUTC": ms_datetime(now()).replace("+0000", ""),
    }
    if pagination is not None:
        body["pagination"] = pagination
    if warnings:
        body["Warnings"] = warnings
    body[key] = items
    return body


def validation_exception(elements):
    """Xero's 400 body when a write is refused (summarizeErrors true)."""
    return {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": elements,
    }


def problem(status, title, detail):
    """The RFC 7807-ish body Xero's API gateway uses for 401/403/404/429."""
    return {"Type": None, "Title": title, "Status": status, "Detail": detail}


def dumps(body):
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
