"""Translation between the SDK and the rest of the addon: request bodies in,
plain dicts out, Xero's dates as Python dates."""

import datetime
import re

from xero_python.api_client.serializer import serialize


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


__all__ = ["clean", "body", "parse_xero_datetime", "parse_xero_date", "to_dict"]
