"""The Accounting API pipeline: auth, tenant, scope, limits, faults, idempotency.

Order matters and follows what a client of real Xero observes: a bad token is
401 before anything else, an unconnected tenant 403, then rate limits (429),
then the operation itself.  Every call, refused or not, lands in the call log.
"""
import gzip
import hashlib
import re
import time
import traceback

from . import xero_json
from .accounting import (
    branding,
    contacts,
    credit_notes,
    currencies,
    invoices,
    items,
    payments,
    quotes,
    settings,
    tracking,
)
from .accounting.common import ApiError, Ctx
from .latency import count_items
from .web import Reply, json_reply

PREFIX = "/api.xro/2.0"
_READ_SCOPES = {
    "accounting.contacts": {"accounting.contacts", "accounting.contacts.read"},
    "accounting.settings": {"accounting.settings", "accounting.settings.read"},
    "accounting.invoices": {"accounting.invoices", "accounting.invoices.read",
                            "accounting.transactions", "accounting.transactions.read"},
    # Granular scopes put payments apart from invoices.
    "accounting.payments": {"accounting.payments", "accounting.payments.read",
                            "accounting.transactions", "accounting.transactions.read"},
}
_WRITE_SCOPES = {
    "accounting.contacts": {"accounting.contacts"},
    "accounting.settings": {"accounting.settings"},
    "accounting.invoices": {"accounting.invoices", "accounting.transactions"},
    "accounting.payments": {"accounting.payments", "accounting.transactions"},
}


def _compile(routes):
    table = []
    for method, template, handler, scope in routes:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        table.append((method, re.compile("^%s/?$" % pattern, re.I), template, handler, scope))
    return table


ROUTES = _compile(settings.ROUTES + items.ROUTES + tracking.ROUTES + branding.ROUTES
                  + contacts.ROUTES + invoices.ROUTES + credit_notes.ROUTES + payments.ROUTES
                  + quotes.ROUTES + currencies.ROUTES)


def match(method, path):
    """(handler, params, operation name, scope) or an error status."""
    allowed = False
    for route_method, regex, template, handler, scope in ROUTES:
        found = regex.match(path)
        if found:
            if route_method == method:
                return handler, found.groupdict(), "%s %s" % (method, template), scope
            allowed = True
    return 405 if allowed else 404


def _compress(request, reply):
    """Xero gzips its answers for clients that ask (``Accept-Encoding: gzip``);
    what it sends is then what is counted as downloaded."""
    asked = (request.header("accept-encoding") or "").lower()
    if reply.body and "gzip" in [part.split(";")[0].strip() for part in asked.split(",")]:
        reply.body = gzip.compress(reply.body, compresslevel=6, mtime=0)
        reply.headers["Content-Encoding"] = "gzip"
        reply.headers["Vary"] = "Accept-Encoding"


class Api:
    def __init__(self, sandbox):
        self.sandbox = sandbox

    def handle(self, request):
        sandbox = self.sandbox
        if sandbox.spec_check is not None:
            sandbox.spec_check.check(request)     # observes only, never refuses
        path = request.path[len(PREFIX):] or "/"
        tenant_id = (request.header("xero-tenant-id") or "").strip().lower() or None
        key = request.header("idempotency-key")
        found = match(request.method, path)
        operation = found[2] if isinstance(found, tuple) else "%s %s" % (request.method, path)
        reply = self._run(request, path, tenant_id, key, found)
        if not reply.drop:
            _compress(request, reply)
        sandbox.calls.record(tenant_id, request.method, request.path, request.query_string,
                             reply.status, key, operation,
                             bytes_sent=0 if reply.drop else len(reply.body),
                             modified_since=request.header("if-modified-since"))
        return reply

    def _run(self, request, path, tenant_id, key, found):
        sandbox = self.sandbox
        token, problem = sandbox.oauth.bearer(request)
        if problem:
            return json_reply(401, problem, {"WWW-Authenticate": "Bearer"})
        org = sandbox.store.org(tenant_id)
        if org is None or org.tenant_id not in token["grant"].connections:
            return json_reply(403, xero_json.problem(403, "Forbidden",
                                                     "AuthenticationUnsuccessful"))
        if not isinstance(found, tuple):
            return json_reply(found, xero_json.problem(
                found, "NotFound" if found == 404 else "MethodNotAllowed",
                "The resource you're looking for cannot be found"))
        handler, params, operation, scope = found
        write = request.method in ("PUT", "POST")
        needed = (_WRITE_SCOPES if write else _READ_SCOPES)[scope]
        if not needed & token["scopes"]:
            return json_reply(401, xero_json.problem(401, "Unauthorized",
                                                     "AuthorizationUnsuccessful"))
        if key is not None and (len(key) > 128 or not key.strip()):
            return json_reply(400, {"ErrorNumber": 10, "Type": "ValidationException",
                                    "Message": "Idempotency-Key must be 1 to 128 characters."})
        retry_after = sandbox.faults.injected_rate_limit(org.tenant_id)
        if retry_after is not None:
            headers = sandbox.limits.headers(org.tenant_id)
            headers.update({"Retry-After": str(retry_after), "X-Rate-Limit-Problem": "minute"})
            return json_reply(429, xero_json.problem(429, "Too Many Requests",
                                                     "Rate limit exceeded"), headers)
        problem, headers = sandbox.limits.acquire(org.tenant_id)
        if problem:
            return json_reply(429, xero_json.problem(429, "Too Many Requests",
                                                     "Rate limit exceeded: %s" % problem),
                              headers)
        try:
            reply = self._execute(request, org, handler, params, key if write else None)
            # Outside the organisation's lock, inside the concurrency slot.
            wait = sandbox.latency.seconds(reply.items)
            if wait:
                time.sleep(wait)
        finally:
            sandbox.limits.release(org.tenant_id)
        reply.headers.update(headers)
        return reply

    def _execute(self, request, org, handler, params, key):
        sandbox = self.sandbox
        delay = sandbox.faults.delay(org.tenant_id)
        if delay and sandbox.faults.pause(delay):
            # The slow Xero was switched off while this call waited: it was
            # never run, and never answers (the client gave up long ago).
            reply = json_reply(503, xero_json.problem(503, "Service Unavailable", "Cleared"))
            reply.drop = True
            return reply
        status = sandbox.faults.injected_error(org.tenant_id)
        if status:
            return json_reply(status, xero_json.problem(status, "Service Unavailable"
                                                        if status == 503 else "Server Error",
                                                        "Injected fault"))
        if key:
            fingerprint = hashlib.sha256(b"%s %s " % (request.method.encode(),
                                                      request.path.encode())
                                         + (request.body or b"")).hexdigest()
            mode, stored = sandbox.idempotency.begin(org.tenant_id, key, fingerprint)
            if mode == "conflict":
                return json_reply(400, {
                    "ErrorNumber": 10, "Type": "ValidationException",
                    "Message": "Idempotency-Key %s was already used with a different request."
                               % key})
            if mode == "replay":
                reply = stored.copy()
                # A flaky line loses replayed answers as well; a hung Xero holds them.
                if sandbox.faults.drop_after_commit(org.tenant_id):
                    reply.drop = True
                else:
                    hang = sandbox.faults.hang_after_commit(org.tenant_id)
                    if hang is not None:
                        sandbox.faults.pause(hang)
                        reply.drop = True
                return reply
        reply = None
        try:
            reply = self._call(request, org, handler, params)
        finally:
            if key:
                # 5xx and crashes are not remembered: a retry must run again.
                keep = reply.copy() if reply is not None and reply.status < 500 else None
                sandbox.idempotency.finish(org.tenant_id, key, keep)
        if request.method in ("PUT", "POST") and reply.status == 200:
            if sandbox.faults.drop_after_commit(org.tenant_id):
                reply.drop = True    # stored, but the client never hears back
            else:
                hang = sandbox.faults.hang_after_commit(org.tenant_id)
                if hang is not None:
                    # Stored; the answer never comes (outside the org lock, still
                    # in flight for the concurrency limit, as a hung Xero call is).
                    sandbox.faults.pause(hang)
                    reply.drop = True
        return reply

    def _call(self, request, org, handler, params):
        try:
            body = request.json() if request.method in ("PUT", "POST") else None
        except (ValueError, UnicodeDecodeError) as exc:
            return json_reply(400, {"ErrorNumber": 14, "Type": "PostDataInvalidException",
                                    "Message": "Invalid JSON: %s" % exc})
        query = {k.lower(): v[-1] for k, v in request.query.items()}
        ctx = Ctx(org=org, query=query, headers=request.headers, body=body, params=params,
                  app_name=self.sandbox.config.app_name, base_url=self.sandbox.browser_url)
        try:
            status, payload = handler(ctx)
        except ApiError as exc:
            return json_reply(exc.status, exc.body)
        except Exception:   # a sandbox bug must surface as Xero's 500, loudly
            traceback.print_exc()
            return json_reply(500, {"ErrorNumber": 500, "Type": "UnknownErrorException",
                                    "Message": "An error occurred in the sandbox"})
        if isinstance(payload, Reply):     # not JSON (the invoice PDF)
            return payload
        reply = json_reply(status, payload)
        if request.method == "GET":
            reply.items = count_items(payload)
        return reply

