"""Xero's rate limits (per organisation and per app) and Idempotency-Key replay.

Windows are rolling, as Xero documents: a call counts against the minute limit
for 60 s after it was accepted, and against the day's limit for 24 hours.
Refused (429) calls do not consume the limit.  Every answer says what is
left (``X-MinLimit-Remaining``, ``X-DayLimit-Remaining``,
``X-AppMinLimit-Remaining``); a 429 says which limit (``X-Rate-Limit-Problem``:
minute, day, concurrent, appminute) and when to come back (``Retry-After``).
Windows follow the sandbox's clock (``xero_json.advance_clock``), so moving
it on a day frees the day's calls.
"""
import collections
import math
import threading
import time

from . import xero_json

DAY = 86400


def _now():
    return time.monotonic() + xero_json.clock_offset()

APP_MINUTE_LIMIT = 10000


class _TenantWindow:
    def __init__(self):
        self.minute = collections.deque()
        self.day = collections.deque()
        self.in_flight = 0


class Limits:
    def __init__(self, minute=60, day=5000, concurrent=5, app_minute=APP_MINUTE_LIMIT):
        self.lock = threading.Lock()
        self.defaults = {"minute": minute, "day": day, "concurrent": concurrent}
        self.app_minute = app_minute
        self.reset()

    def reset(self):
        with self.lock:
            self.overrides = {}           # tenant_id or None -> {minute, day, concurrent}
            self.windows = collections.defaultdict(_TenantWindow)
            self.app = collections.deque()

    def configure(self, tenant_id=None, **limits):
        with self.lock:
            current = self.overrides.setdefault(tenant_id, {})
            current.update({k: int(v) for k, v in limits.items() if v is not None})

    def overrides_json(self):
        with self.lock:
            return {str(k) if k else "global": dict(v) for k, v in self.overrides.items()}

    def clear_overrides(self):
        with self.lock:
            self.overrides = {}

    def _limits(self, tenant_id):
        merged = dict(self.defaults)
        merged.update(self.overrides.get(None, {}))
        merged.update(self.overrides.get(tenant_id, {}))
        return merged

    @staticmethod
    def _prune(window, span, now):
        while window and window[0] <= now - span:
            window.popleft()

    def set_day_remaining(self, tenant_id, remaining):
        """As if the organisation had already made calls today: ``remaining``
        are left of its day (tests and benchmarks run a day down this way).
        The calls added count from now, so they free up in 24 hours."""
        now = _now()
        with self.lock:
            limit = self._limits(tenant_id)["day"]
            window = self.windows[tenant_id]
            self._prune(window.day, DAY, now)
            used = max(0, limit - max(0, int(remaining)))
            while len(window.day) > used:
                window.day.popleft()
            window.day.extend([now] * (used - len(window.day)))
            return self._headers(self._limits(tenant_id), window)

    def day_remaining(self, tenant_id):
        with self.lock:
            window = self.windows[tenant_id]
            self._prune(window.day, DAY, _now())
            return max(0, self._limits(tenant_id)["day"] - len(window.day))

    def acquire(self, tenant_id):
        """(None, headers) if the call may run, else (problem, headers) for a 429."""
        now = _now()
        with self.lock:
            limits = self._limits(tenant_id)
            window = self.windows[tenant_id]
            self._prune(window.minute, 60, now)
            self._prune(window.day, DAY, now)
            self._prune(self.app, 60, now)
            problem, retry = None, 1
            if window.in_flight >= limits["concurrent"]:
                problem = "concurrent"
            elif len(window.day) >= limits["day"]:
                problem, retry = "day", window.day[0] + DAY - now
            elif len(window.minute) >= limits["minute"]:
                problem, retry = "minute", window.minute[0] + 60 - now
            elif len(self.app) >= self.app_minute:
                problem, retry = "appminute", self.app[0] + 60 - now
            if problem is None:
                window.minute.append(now)
                window.day.append(now)
                self.app.append(now)
                window.in_flight += 1
            headers = self._headers(limits, window)
            if problem:
                headers["Retry-After"] = str(max(1, math.ceil(retry)))
                headers["X-Rate-Limit-Problem"] = problem
            return problem, headers

    def release(self, tenant_id):
        with self.lock:
            window = self.windows[tenant_id]
            window.in_flight = max(0, window.in_flight - 1)

    def headers(self, tenant_id):
        now = _now()
        with self.lock:
            window = self.windows[tenant_id]
            self._prune(window.minute, 60, now)
            self._prune(window.day, DAY, now)
            return self._headers(self._limits(tenant_id), window)

    def _headers(self, limits, window):
        return {"X-MinLimit-Remaining": str(max(0, limits["minute"] - len(window.minute))),
                "X-DayLimit-Remaining": str(max(0, limits["day"] - len(window.day))),
                "X-AppMinLimit-Remaining": str(max(0, self.app_minute - len(self.app)))}


class Idempotency:
    """First response per (tenant, key) is kept and replayed for repeats.

    A repeat that arrives while the first is still running waits for it, so a
    client retrying quickly after a timeout still gets exactly one write.  A
    key sent again with a different request (method, path or body) is
    refused.  Xero keeps keys for a while only: ``forget`` drops them, as
    time would, so a client's lost-answer recovery can be tested past it.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = {}

    def reset(self):
        with self.lock:
            self.entries = {}

    def forget(self, tenant_id=None):
        """Forget the finished keys (of one organisation, or all): a repeat
        after this runs as a new request.  Returns how many."""
        with self.lock:
            gone = [k for k, e in self.entries.items()
                    if e["reply"] is not None and tenant_id in (None, k[0])]
            for key in gone:
                del self.entries[key]
        return len(gone)

    def begin(self, tenant_id, key, request=None):
        """('replay', reply), ('run', None) or ('conflict', None) when the key
        came with another ``request`` (a fingerprint of it) before."""
        while True:
            with self.lock:
                entry = self.entries.get((tenant_id, key))
                if entry is None:
                    self.entries[(tenant_id, key)] = {"done": threading.Event(), "reply": None,
                                                      "request": request}
                    return "run", None
                if None not in (request, entry.get("request")) and request != entry["request"]:
                    return "conflict", None
            entry["done"].wait(60)
            if entry["reply"] is not None:
                return "replay", entry["reply"]

    def remember(self, tenant_id, key, reply):
        """A finished entry (restored from the state file)."""
        done = threading.Event()
        done.set()
        with self.lock:
            self.entries[(tenant_id, key)] = {"done": done, "reply": reply}

    def finish(self, tenant_id, key, reply):
        """Store ``reply`` (or forget the key if None, so a retry runs again)."""
        with self.lock:
            entry = self.entries.get((tenant_id, key))
            if entry is None:
                return
            if reply is None:
                del self.entries[(tenant_id, key)]
            else:
                entry["reply"] = reply
        entry["done"].set()
