"""Request and reply values passed between the HTTP layer and the handlers."""
import json
from urllib.parse import parse_qs

from . import xero_json


class Request:
    def __init__(self, method, path, query_string, headers, body):
        self.method = method
        self.path = path
        self.query_string = query_string
        self.query = parse_qs(query_string, keep_blank_values=True)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body or b""

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def form(self):
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json(self):
        if not self.body.strip():
            return None
        return json.loads(self.body.decode("utf-8"))


class Reply:
    """Status, headers and body bytes.  ``drop`` closes the socket unanswered."""

    def __init__(self, status, body=b"", content_type="application/json; charset=utf-8",
                 headers=None, drop=False):
        self.status = status
        self.body = body if isinstance(body, bytes) else xero_json.dumps(body)
        self.headers = dict(headers or {})
        if self.body or status not in (204, 302):
            self.headers.setdefault("Content-Type", content_type)
        self.drop = drop
        self.items = 0        # records a list answer carries (for latency)

    def copy(self):
        return Reply(self.status, self.body, headers=dict(self.headers))


def json_reply(status, body, headers=None):
    if status == 204:
        return Reply(204, b"", headers=headers)
    return Reply(status, xero_json.dumps(body), headers=headers)


def html_reply(status, body):
    return Reply(status, body, content_type="text/html; charset=utf-8")


def redirect(location):
    return Reply(302, b"", headers={"Location": location})
