"""The call log and counters behind ``/_sandbox/calls`` and ``/_sandbox/stats``."""
import collections
import threading
import time


class CallLog:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.calls = []
            self.seq = 0
            self.tokens = collections.Counter()
            self.revocations = 0

    def record(self, tenant_id, method, path, query, status, key, operation, bytes_sent=0,
               modified_since=None):
        with self.lock:
            self.seq += 1
            self.calls.append({
                "seq": self.seq, "time": time.time(), "tenant_id": tenant_id,
                "method": method, "path": path, "query": query, "status": status,
                "idempotency_key": key, "operation": operation,
                "rate_limited": status == 429, "bytes": bytes_sent,
                "if_modified_since": modified_since})

    def count_token(self, grant_type):
        with self.lock:
            self.tokens[grant_type or "unknown"] += 1

    def count_revocation(self):
        with self.lock:
            self.revocations += 1

    def list(self, since=0):
        with self.lock:
            return [dict(c) for c in self.calls if c["seq"] > since]

    def clear(self):
        with self.lock:
            self.calls = []

    def stats(self):
        with self.lock:
            calls = list(self.calls)
            tokens = dict(self.tokens)
            revocations = self.revocations
        by_operation = collections.Counter(c["operation"] for c in calls)
        bytes_by_operation = collections.Counter()
        by_tenant = {}
        accepted = collections.defaultdict(list)
        for call in calls:
            bytes_by_operation[call["operation"]] += call["bytes"]
            if call["tenant_id"]:
                tenant = by_tenant.setdefault(call["tenant_id"], {
                    "api_calls": 0, "bytes_sent": 0, "rate_limited": 0})
                tenant["api_calls"] += 1
                tenant["bytes_sent"] += call["bytes"]
                tenant["rate_limited"] += call["status"] == 429
            if call["status"] != 429 and call["tenant_id"]:
                accepted[call["tenant_id"]].append(call["time"])
        return {
            "api_calls": len(calls),
            "by_operation": dict(by_operation),
            # What clients downloaded: answer bodies as sent (gzipped when asked)
            "bytes_sent": sum(bytes_by_operation.values()),
            "bytes_by_operation": dict(bytes_by_operation),
            "by_tenant": by_tenant,
            "rate_limited": sum(1 for c in calls if c["status"] == 429),
            "max_calls_in_any_minute": max((_busiest_minute(t) for t in accepted.values()),
                                           default=0),
            # all organisations together: Xero's app-wide limit
            "max_app_calls_in_any_minute": _busiest_minute(sorted(
                moment for times in accepted.values() for moment in times)),
            "token_requests": {"authorization_code": tokens.get("authorization_code", 0),
                               "refresh_token": tokens.get("refresh_token", 0)},
            "revocations": revocations,
        }


def _busiest_minute(times):
    """Most calls inside any rolling 60 s window (times ascending)."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 60:
            start += 1
        best = max(best, end - start + 1)
    return best
