"""Shared plumbing for Accounting API handlers: request context, paging, errors."""
from dataclasses import dataclass, field

from .. import xero_json
from ..where import WhereError, compile_where

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class ApiError(Exception):
    """A handler's way to answer with an error status and a Xero-shaped body."""

    def __init__(self, status, body):
        super().__init__(status)
        self.status, self.body = status, body


def not_found(detail="The resource you're looking for cannot be found"):
    return ApiError(404, xero_json.problem(404, "NotFound", detail))


def bad_request(message, error_type="ValidationException", number=10):
    return ApiError(400, {"ErrorNumber": number, "Type": error_type, "Message": message})


@dataclass
class Ctx:
    """What a handler needs: the organisation, parsed query, body, headers."""
    org: object
    query: dict            # lower-cased names -> last value
    headers: dict          # lower-cased names -> value
    body: object = None
    params: dict = field(default_factory=dict)   # path parameters
    app_name: str = "Sandbox App"
    base_url: str = ""     # the sandbox's own address, for URLs it hands out

    def arg(self, name, default=None):
        return self.query.get(name.lower(), default)

    def flag(self, name, default=False):
        value = self.arg(name)
        if value is None:
            return default
        return str(value).lower() in ("1", "true", "yes")

    def list_arg(self, name):
        value = self.arg(name)
        if not value:
            return []
        return [v.strip() for v in value.split(",") if v.strip()]

    def body_list(self, key):
        """Xero takes either ``{"Contacts":[...]}`` or a bare object."""
        body = self.body
        if isinstance(body, dict) and isinstance(body.get(key), list):
            return body[key]
        if isinstance(body, dict) and body:
            return [body]
        if isinstance(body, list):
            return body
        raise bad_request("The request body is empty or not valid JSON")


def where_filter(text):
    try:
        return compile_where(text)
    except WhereError as exc:
        raise ApiError(400, {"ErrorNumber": 16, "Type": "QueryParseException",
                             "Message": "Error parsing where clause: %s" % exc})


def order_key(text, default):
    """``order=Name DESC`` -> (field, reverse). One field is all clients send."""
    if not text:
        return default, False
    parts = text.strip().split()
    reverse = len(parts) > 1 and parts[1].upper() == "DESC"
    return parts[0], reverse


def sort_records(records, order_text, default_field):
    name, reverse = order_key(order_text, default_field)
    lowered = name.lower()

    def key(record):
        value = next((v for k, v in record.items() if k.lower() == lowered), None)
        if isinstance(value, str):
            value = value.lower()
        return (value is None, value if value is not None else 0)
    try:
        return sorted(records, key=key, reverse=reverse)
    except TypeError:
        raise ApiError(400, {"ErrorNumber": 16, "Type": "QueryParseException",
                             "Message": "Cannot order by %s" % name})


def paginate(ctx, records):
    """Page like Xero: ``page`` (1-based) and ``pageSize`` up to 1000.

    Without ``page`` Xero returns every record and no pagination element.
    """
    page_arg = ctx.arg("page")
    if page_arg is None:
        return records, None
    try:
        page = max(1, int(page_arg))
        size = int(ctx.arg("pageSize", DEFAULT_PAGE_SIZE))
    except ValueError:
        raise bad_request("page and pageSize must be integers")
    size = max(1, min(size, MAX_PAGE_SIZE))
    total = len(records)
    start = (page - 1) * size
    pagination = {"page": page, "pageSize": size,
                  "pageCount": (total + size - 1) // size, "itemCount": total}
    return records[start:start + size], pagination


def modified_since(ctx):
    return xero_json.parse_http_datetime(ctx.headers.get("if-modified-since"))
