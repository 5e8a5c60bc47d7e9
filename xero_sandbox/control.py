"""``/_sandbox/...``: the plain-JSON control API for tests and benchmarks.

No authentication: the sandbox only listens on 127.0.0.1 and exists to be
driven by tests.  Besides resetting, observing and injecting faults, it reads
an organisation's records directly (``control_reads``) and acts as an
accountant in Xero's own UI (``control_accountant``): neither is an API call,
so neither is logged nor rate limited.
"""
import hashlib
import re
import time
from urllib.parse import unquote

from . import (
    control_accountant,
    control_churn,
    control_currencies,
    control_quotes,
    control_reads,
    xero_json,
)
from .accounting.common import ApiError
from .control_reads import ControlError
from .web import json_reply

_ORG_ROUTE = re.compile(r"^/orgs/([^/]+)/(.+)$")


def _compile(routes):
    table = []
    for method, template, handler in routes:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        table.append((method, re.compile("^%s$" % pattern), handler))
    return table


ORG_ROUTES = _compile(control_reads.ROUTES + control_accountant.ROUTES + control_churn.ROUTES
                      + control_quotes.ROUTES + control_currencies.ROUTES)


def fingerprint(token):
    """What ``GET /_sandbox/grants`` shows of a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class Control:
    def __init__(self, sandbox):
        self.sandbox = sandbox

    def handle(self, request):
        route = request.path[len("/_sandbox"):].rstrip("/")
        method = request.method
        try:
            body = request.json() or {}
        except ValueError:
            return json_reply(400, {"error": "body must be JSON"})
        if not isinstance(body, dict):
            return json_reply(400, {"error": "body must be a JSON object"})
        found = _ORG_ROUTE.match(route)
        if found:
            return self._org_route(method, found.group(1), found.group(2), request, body)
        handlers = {
            ("POST", "/reset"): self.reset,
            ("GET", "/orgs"): self.orgs,
            ("POST", "/orgs"): self.add_orgs,
            ("GET", "/calls"): self.calls,
            ("DELETE", "/calls"): self.clear_calls,
            ("GET", "/stats"): self.stats,
            ("GET", "/faults"): self.get_faults,
            ("POST", "/faults"): self.set_faults,
            ("DELETE", "/faults"): self.clear_faults,
            ("POST", "/tokens/expire"): self.expire_tokens,
            ("GET", "/grants"): self.grants,
            ("POST", "/idempotency/forget"): self.forget_idempotency_keys,
            ("POST", "/grants/revoke"): self.revoke_grants,
            ("GET", "/clock"): self.clock,
            ("POST", "/clock"): self.advance_clock,
            ("GET", "/latency"): lambda r, b: json_reply(200, self.sandbox.latency.describe()),
            ("POST", "/latency"): self.set_latency,
            ("GET", "/webhooks"): lambda r, b: json_reply(200, self.sandbox.webhooks.describe()),
            ("POST", "/webhooks"): self.subscribe,
            ("DELETE", "/webhooks"): self.unsubscribe,
            ("POST", "/webhooks/intent"): self.intent,
            ("GET", "/spec"): self.spec,
            ("DELETE", "/spec"): self.clear_spec,
            ("GET", "/health"): lambda r, b: json_reply(200, {"status": "ok"}),
            ("GET", "/info"): lambda r, b: json_reply(200, {
                "url": self.sandbox.url, "browser_url": self.sandbox.browser_url,
                "ca_file": self.sandbox.ca_file}),
        }
        handler = handlers.get((method, route))
        if handler is None:
            return json_reply(404, {"error": "unknown control route %s %s" % (method, route)})
        return handler(request, body)

    def _org_route(self, method, tenant_id, rest, request, body):
        org = self.sandbox.store.org(tenant_id)
        if org is None:
            return json_reply(404, {"error": "unknown tenant_id %s" % tenant_id})
        for route_method, regex, handler in ORG_ROUTES:
            found = regex.match(rest)
            if found and route_method == method:
                params = {k: unquote(v) for k, v in found.groupdict().items()}
                try:
                    with org.lock:
                        return json_reply(200, handler(org, params, request.query, body))
                except ControlError as exc:
                    return json_reply(exc.status, exc.body())
                except ApiError as exc:      # a rule shared with the API refused it
                    return json_reply(exc.status, {"error": exc.body.get("Message"),
                                                   "xero": exc.body})
        return json_reply(404, {"error": "unknown control route %s orgs/{tenant_id}/%s"
                                % (method, rest)})

    def reset(self, request, body):
        self.sandbox.reset(contacts=body.get("contacts"), seed=body.get("seed"))
        return json_reply(200, {"status": "reset", "orgs": self._orgs()})

    def _orgs(self):
        return [org.summary() for org in self.sandbox.store.orgs.values()]

    def orgs(self, request, body):
        return json_reply(200, self._orgs())

    def add_orgs(self, request, body):
        try:
            count, contacts = int(body.get("count", 1)), int(body.get("contacts", 0))
        except (TypeError, ValueError):
            return json_reply(400, {"error": "count and contacts must be integers"})
        prefix = str(body.get("name_prefix") or "Bench Org").strip()
        if not 0 < count <= 200 or not 0 <= contacts <= 20000:
            return json_reply(400, {"error": "count must be 1-200, contacts 0-20000"})
        added = self.sandbox.store.add_orgs(count, contacts, prefix)
        return json_reply(200, {"orgs": [org.summary() for org in added]})

    def calls(self, request, body):
        since = int((request.query.get("since") or ["0"])[-1] or 0)
        return json_reply(200, {"calls": self.sandbox.calls.list(since)})

    def clear_calls(self, request, body):
        self.sandbox.calls.clear()
        return json_reply(200, {"status": "cleared"})

    def stats(self, request, body):
        stats = self.sandbox.calls.stats()
        # What each organisation has left of its day, whoever spent it.
        for org in self.sandbox.store.orgs.values():
            stats["by_tenant"].setdefault(org.tenant_id, {
                "api_calls": 0, "bytes_sent": 0, "rate_limited": 0})["day_remaining"] = \
                self.sandbox.limits.day_remaining(org.tenant_id)
        return json_reply(200, stats)

    def clock(self, request, body):
        return json_reply(200, {"now": xero_json.now().isoformat(),
                                "offset_seconds": xero_json.clock_offset()})

    def advance_clock(self, request, body):
        try:
            xero_json.advance_clock(float(body.get("advance_seconds") or 0))
        except (TypeError, ValueError):
            return json_reply(400, {"error": "advance_seconds must be a number"})
        return self.clock(request, body)

    def get_faults(self, request, body):
        return json_reply(200, {"faults": self.sandbox.faults.describe(),
                                "limits": self.sandbox.limits.overrides_json()})

    def set_faults(self, request, body):
        tenant_id = (body.get("tenant_id") or "").lower() or None
        if tenant_id and self.sandbox.store.org(tenant_id) is None:
            return json_reply(404, {"error": "unknown tenant_id"})
        faults = self.sandbox.faults.set(tenant_id, body)
        self.sandbox.limits.configure(tenant_id, minute=body.get("minute_limit"),
                                      day=body.get("day_limit"),
                                      concurrent=body.get("concurrent_limit"))
        answer = {"tenant_id": tenant_id, "faults": faults}
        if body.get("day_remaining") is not None:
            # The organisation's day already partly spent: what is left of it.
            try:
                remaining = int(body["day_remaining"])
            except (TypeError, ValueError):
                return json_reply(400, {"error": "day_remaining must be an integer"})
            tenants = [tenant_id] if tenant_id else self.sandbox.tenant_ids
            answer["day_remaining"] = {
                t: int(self.sandbox.limits.set_day_remaining(t, remaining)
                       ["X-DayLimit-Remaining"]) for t in tenants}
        return json_reply(200, answer)

    def clear_faults(self, request, body):
        self.sandbox.faults.reset()
        self.sandbox.limits.clear_overrides()
        return json_reply(200, {"status": "cleared"})

    def set_latency(self, request, body):
        try:
            return json_reply(200, self.sandbox.latency.set(body.get("per_call"),
                                                            body.get("per_item")))
        except (TypeError, ValueError):
            return json_reply(400, {"error": "per_call and per_item must be numbers"})

    def subscribe(self, request, body):
        if not body.get("url") or not body.get("key"):
            return json_reply(400, {"error": "url and key are required"})
        try:
            subscription = self.sandbox.webhooks.subscribe(
                body["url"], body["key"], body.get("batch_seconds", 0.2),
                body.get("retry_seconds", [1, 2, 5, 10]))
        except (TypeError, ValueError):
            return json_reply(400, {"error": "batch_seconds and retry_seconds must be numbers"})
        return json_reply(200, {"subscription": subscription})

    def unsubscribe(self, request, body):
        self.sandbox.webhooks.unsubscribe()
        return json_reply(200, {"subscription": None})

    def intent(self, request, body):
        result = self.sandbox.webhooks.intent_to_receive()
        if result is None:
            return json_reply(409, {"error": "no webhook subscription"})
        return json_reply(200, result)

    def spec(self, request, body):
        check = self.sandbox.spec_check
        if check is None:
            return json_reply(200, {"enabled": False, "checked": 0, "violations": []})
        return json_reply(200, check.describe())

    def clear_spec(self, request, body):
        if self.sandbox.spec_check is not None:
            self.sandbox.spec_check.clear()
        return self.spec(request, body)

    def expire_tokens(self, request, body):
        auth = self.sandbox.store.auth
        with auth.lock:
            for info in auth.access_tokens.values():
                info["expired"] = True
            count = len(auth.access_tokens)
        return json_reply(200, {"expired": count})

    def grants(self, request, body):
        """Each grant with its connections and tokens: refresh tokens that
        still work (by fingerprint: the first 16 hex digits of their
        SHA-256, so a test can tell which one a client holds without the
        sandbox handing tokens out), spent ones, live and expired access
        tokens."""
        auth = self.sandbox.store.auth
        now = time.time()
        with auth.lock:
            grants = []
            for grant in auth.grants.values():
                refresh = [(token, info) for token, info in auth.refresh_tokens.items()
                           if info["grant"] is grant]
                access = [info for info in auth.access_tokens.values() if info["grant"] is grant]
                live_access = sum(1 for info in access
                                  if not info["expired"] and info["exp"] > now)
                grants.append({
                    "id": grant.id, "active": grant.active,
                    "tenant_ids": sorted(grant.connections),
                    "live_refresh_tokens": sorted(
                        fingerprint(token) for token, info in refresh
                        if not info["used"] and not info.get("revoked")),
                    "spent_refresh_tokens": sum(1 for _t, info in refresh if info["used"]),
                    "live_access_tokens": live_access,
                    "expired_access_tokens": len(access) - live_access})
        return json_reply(200, {"grants": grants})

    def forget_idempotency_keys(self, request, body):
        tenant_id = (body.get("tenant_id") or "").lower() or None
        return json_reply(200, {"forgotten": self.sandbox.idempotency.forget(tenant_id)})

    def revoke_grants(self, request, body):
        tenant_id = (body.get("tenant_id") or "").lower() or None
        auth = self.sandbox.store.auth
        revoked = 0
        with auth.lock:
            for grant in list(auth.grants.values()):
                if grant.active and (tenant_id is None or tenant_id in grant.connections):
                    auth.revoke(grant)
                    revoked += 1
        return json_reply(200, {"revoked": revoked})
