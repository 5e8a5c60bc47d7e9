"""Process-wide pacing of Accounting API calls, per Xero organisation.

Xero allows, per organisation (tenant): 60 calls in any minute and 5 calls in
flight at once.  The pacer keeps every gateway of this process under those
limits, with headroom for people:

* interactive calls (buttons) may use the whole minute budget (``per_minute``)
  and every concurrent slot;
* background calls (imports, scheduled actions) stop at
  ``background_per_minute`` calls in the window and one concurrent slot short
  of the maximum, so a salesperson's click never queues behind an import.

Xero's own view wins: ``observe()`` takes ``X-MinLimit-Remaining`` from each
answer (other processes or apps may share the budget) and ``block()`` takes a
429's ``Retry-After``.

Interactive callers pass ``max_wait``: if a slot is further away than that,
``acquire`` raises ``XeroRateLimited`` at once instead of hanging the button.
"""

import collections
import contextlib
import math
import threading
import time

from . import limits
from .errors import XeroRateLimited

INTERACTIVE = "interactive"
BACKGROUND = "background"
PRIORITIES = (INTERACTIVE, BACKGROUND)


class _TenantState:
    __slots__ = ("calls", "active", "active_background", "blocked_until",
                 "blocked_problem")

    def __init__(self):
        # Finish times of calls in the window.  A call counts from the moment
        # it starts (``active``) until ``window`` seconds after its answer
        # came back: Xero saw it somewhere in between, so a slot is only
        # reused once Xero's own window has surely moved past it, whatever
        # the network latency.  Appended in time order.
        self.calls = collections.deque()
        self.active = 0
        self.active_background = 0
        self.blocked_until = 0.0
        self.blocked_problem = "minute"


class Pacer:
    """Thread-safe rolling-window and concurrency limiter, keyed by tenant."""

    def __init__(self, per_minute=limits.MINUTE_LIMIT,
                 background_per_minute=limits.BACKGROUND_MINUTE_LIMIT,
                 max_concurrent=limits.CONCURRENT_LIMIT,
                 background_concurrent=limits.BACKGROUND_CONCURRENT_LIMIT, window=60.0,
                 safety_margin=1, clock=time.monotonic, wait=None,
                 app_per_minute=limits.APP_MINUTE_LIMIT):
        """``clock`` and ``wait(timeout)`` can be replaced (tests use a fake
        clock whose wait moves time on, so no test really sleeps).  The
        default wait is the condition's own, woken when a slot frees."""
        if background_per_minute > per_minute:
            raise ValueError("background budget exceeds the minute limit")
        self.xero_per_minute = per_minute
        self.per_minute = per_minute - safety_margin
        self.background_per_minute = min(background_per_minute, self.per_minute)
        self.max_concurrent = max_concurrent
        self.background_concurrent = max(1, min(background_concurrent, max_concurrent))
        self.window = float(window)
        self._clock = clock
        self._cond = threading.Condition()
        self._wait = wait or self._cond.wait
        self._tenants = {}
        # Xero's app-wide limit, across every organisation of this process:
        # calls in flight count as the per-tenant ones do.
        self.app_per_minute = max(1, app_per_minute - min(safety_margin, app_per_minute - 1))
        self._app_calls = collections.deque()
        self._app_active = 0

    # -- public ------------------------------------------------------------
    @contextlib.contextmanager
    def slot(self, tenant_id, priority=INTERACTIVE, max_wait=None):
        self.acquire(tenant_id, priority, max_wait)
        try:
            yield
        finally:
            self.release(tenant_id, priority)

    def acquire(self, tenant_id, priority=INTERACTIVE, max_wait=None):
        """Wait for a call slot; raise XeroRateLimited if it is further away
        than ``max_wait`` seconds (None: wait as long as needed)."""
        background = priority == BACKGROUND
        limit = self.background_per_minute if background else self.per_minute
        concurrency = self.background_concurrent if background else self.max_concurrent
        with self._cond:
            state = self._tenants.setdefault(tenant_id, _TenantState())
            deadline = None if max_wait is None else self._clock() + max_wait
            while True:
                now = self._clock()
                self._prune(state, now)
                problem = None
                wait = None
                in_window = len(state.calls) + state.active
                if state.blocked_until > now:
                    problem = state.blocked_problem
                    wait = state.blocked_until - now
                elif len(self._app_calls) + self._app_active >= self.app_per_minute:
                    problem = "app"
                    # the oldest finished call leaves the window first; with
                    # every slot in flight, a release wakes us instead
                    wait = self._app_calls[0] + self.window - now if self._app_calls else None
                elif in_window >= limit:
                    problem = "minute"
                    # the oldest finished calls that must leave the window
                    excess = in_window - limit + 1
                    if excess <= len(state.calls):
                        wait = state.calls[excess - 1] + self.window - now
                elif state.active >= self.max_concurrent or (
                        background and state.active_background >= concurrency):
                    problem = "concurrent"
                else:
                    state.active += 1
                    self._app_active += 1
                    if background:
                        state.active_background += 1
                    return
                if deadline is not None:
                    left = deadline - now
                    if (wait is not None and wait > left) or left <= 0:
                        raise XeroRateLimited(
                            retry_after=math.ceil(wait if wait is not None else 1),
                            problem=problem,
                            detail="local pacer: tenant budget reached "
                                   "(%s, %s)" % (problem, priority))
                timeout = wait if wait is not None else 1.0
                if deadline is not None:
                    timeout = min(timeout, max(deadline - now, 0.001))
                self._wait(max(timeout, 0.001))

    def release(self, tenant_id, priority=INTERACTIVE):
        with self._cond:
            state = self._tenants.setdefault(tenant_id, _TenantState())
            if state.active > 0:
                state.active -= 1
                self._app_active = max(0, self._app_active - 1)
                finished = self._clock()
                state.calls.append(finished)
                self._app_calls.append(finished)
            if priority == BACKGROUND:
                state.active_background = max(0, state.active_background - 1)
            self._cond.notify_all()

    def observe(self, tenant_id, min_remaining):
        """Align with Xero's ``X-MinLimit-Remaining``: if Xero says fewer
        calls are left than we think, count the difference as spent now."""
        try:
            remaining = int(min_remaining)
        except (TypeError, ValueError):
            return
        with self._cond:
            state = self._tenants.setdefault(tenant_id, _TenantState())
            now = self._clock()
            self._prune(state, now)
            spent_at_xero = self.xero_per_minute - remaining
            missing = spent_at_xero - len(state.calls) - state.active
            if missing > 0:
                # padding is the newest entry, so the deque stays ordered
                state.calls.extend([now] * min(missing, self.xero_per_minute))

    def block(self, tenant_id, seconds, problem="minute"):
        """Hold every call for this tenant for ``seconds`` (after a 429)."""
        with self._cond:
            state = self._tenants.setdefault(tenant_id, _TenantState())
            until = self._clock() + max(0.0, float(seconds))
            if until > state.blocked_until:
                state.blocked_until = until
                state.blocked_problem = problem or "minute"
            self._cond.notify_all()

    def reset(self, tenant_id=None):
        """Forget the counts (of one tenant, or all): for tests that reset
        the sandbox's own counters.  Calls in flight keep their slots."""
        with self._cond:
            for key, state in list(self._tenants.items()):
                if tenant_id is None or key == tenant_id:
                    state.calls.clear()
                    state.blocked_until = 0.0
            if tenant_id is None:
                self._app_calls.clear()
            self._cond.notify_all()

    def snapshot(self, tenant_id):
        """Counters for one tenant (for tests and benchmarks)."""
        with self._cond:
            state = self._tenants.get(tenant_id) or _TenantState()
            self._prune(state, self._clock())
            return {
                "calls_in_window": len(state.calls) + state.active,
                "active": state.active,
                "active_background": state.active_background,
                "blocked_for": max(0.0, state.blocked_until - self._clock()),
            }

    # -- internals ---------------------------------------------------------
    def _prune(self, state, now):
        horizon = now - self.window
        for calls in (state.calls, self._app_calls):
            while calls and calls[0] <= horizon:
                calls.popleft()


#: The pacer every gateway of this process shares unless given another.
DEFAULT_PACER = Pacer()
