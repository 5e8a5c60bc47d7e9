"""An organisation's day of Xero calls, shared by every worker.

Xero allows each organisation (and app) 5,000 calls in a rolling day (1,000
on the Starter plan) and says on every answer how many are left
(``X-DayLimit-Remaining``); once they are spent it answers 429 with
``X-Rate-Limit-Problem: day`` and ``Retry-After``.  ``DayBudget`` keeps what
Xero last said where every worker of every Odoo process reads it (``store``:
the database, models/xero_sync_state.py), and before each call decides:

* the day is spent (Xero said so, and its ``Retry-After`` has not passed):
  no call, ``XeroRateLimited`` (day) at once, saying when Xero takes calls
  again: the first worker to meet the 429 is the only one;
* background work (imports, scheduled jobs) stops once what is left is down
  to the reserve kept for people's clicks (``XeroDayReserved``); clicks use
  the whole day.

What is left is Xero's last word plus the calls that have left the rolling
window since: each call made is counted in the hour it was made (by people
or in the background), and a call of hour H has surely left the window by
H + 25 h.  Plain Python: the store and the clock are given.
"""
import datetime
import math

from .errors import XeroDayReserved, XeroRateLimited, header_value

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
#: Xero's day for an organisation, and the share kept for people by default.
DAY_LIMIT = 5000
RESERVE_SHARE = 0.20
#: Hours of call counts kept (two days: the window, and the display).
KEEP_HOURS = 48
#: A call held in flight longer than this has surely ended (its worker died).
IN_FLIGHT_FOR = datetime.timedelta(minutes=2)
PEOPLE, BACKGROUND = 0, 1
#: ``record``'s exhausted_until when an answer says nothing of it: kept as it is.
KEEP = "keep"


def hour_key(moment):
    """The hour bucket of a naive-UTC ``moment``: "2026-12-02T14"."""
    return moment.strftime("%Y-%m-%dT%H")


def hour_start(key):
    return datetime.datetime.strptime(key, "%Y-%m-%dT%H")


class DayState:
    """What the store holds: Xero's last ``remaining`` (when ``seen_at``),
    ``exhausted_until`` (a day 429's Retry-After), and ``calls`` made per
    hour bucket, ``{hour_key: [by people, in the background]}``."""

    __slots__ = ("remaining", "seen_at", "exhausted_until", "calls")

    def __init__(self, remaining=None, seen_at=None, exhausted_until=None, calls=None):
        self.remaining, self.seen_at = remaining, seen_at
        self.exhausted_until, self.calls = exhausted_until, dict(calls or {})

    def exhausted_for(self, now):
        """Seconds until Xero takes calls again, or 0."""
        if self.exhausted_until and self.exhausted_until > now:
            return (self.exhausted_until - now).total_seconds()
        return 0

    def left(self, now, day_limit):
        """Calls left now (an estimate), or None before Xero ever said."""
        if self.remaining is None or self.seen_at is None:
            return None
        if now - self.seen_at >= DAY:
            return day_limit
        freed = sum(sum(counts) for key, counts in self.calls.items()
                    if self.seen_at < hour_start(key) + DAY + HOUR <= now)
        return max(0, min(day_limit, self.remaining + freed))

    def next_free(self, now):
        """When the oldest of the calls still in the window frees up: Xero's
        own word after a day 429, else the oldest counted hour + 25 h."""
        if self.exhausted_for(now):
            return self.exhausted_until
        frees = [hour_start(key) + DAY + HOUR for key, counts in self.calls.items()
                 if sum(counts) and hour_start(key) + DAY + HOUR > now]
        return min(frees) if frees else None

    def made(self, now, who=None):
        """Calls counted in the last 24 hours (``who``: PEOPLE or BACKGROUND)."""
        since = now - DAY - HOUR
        return sum(counts[who] if who is not None else sum(counts)
                   for key, counts in self.calls.items() if hour_start(key) > since)


class DayBudget:
    """Admit or refuse each call, and learn from each answer.

    ``store``: ``load() -> DayState``; ``hold(decide, now) -> token``: under
    the store's lock, ``decide(state, calls in flight)`` raises or the call
    is counted in flight (workers admitting background calls at once never
    pass the reserve together); ``record(priority, remaining,
    exhausted_until (or KEEP), counted, now, token)``: an answer (the call
    no longer in flight).  ``clock``: naive UTC now."""

    def __init__(self, store, day_limit=DAY_LIMIT, reserve_share=RESERVE_SHARE,
                 clock=datetime.datetime.utcnow):
        self.store = store
        self.day_limit = max(1, int(day_limit))
        self.reserve_share = min(max(float(reserve_share), 0.0), 1.0)
        self.clock = clock

    @property
    def reserve(self):
        """Calls kept for people's clicks."""
        return int(math.ceil(self.day_limit * self.reserve_share))

    def admit(self, priority):
        """Raise instead of calling when the day is spent, or when background
        work would eat into the people's reserve.  Returns the token of a
        background call held in flight (None for a click)."""
        now = self.clock()
        if priority != "background":
            self._check_spent(self.store.load(), now)
            return None

        def decide(state, in_flight):
            self._check_spent(state, now)
            left = state.left(now, self.day_limit)
            if left is not None and left - in_flight <= self.reserve:
                frees = state.next_free(now)
                raise XeroDayReserved(
                    retry_after=(frees - now).total_seconds() if frees else 3600,
                    detail="%s calls left of the day (%s in flight), %s kept for people"
                           % (left, in_flight, self.reserve))
        return self.store.hold(decide, now)

    @staticmethod
    def _check_spent(state, now):
        wait = state.exhausted_for(now)
        if wait:
            raise XeroRateLimited(retry_after=wait, problem="day", at=state.exhausted_until,
                                  detail="the organisation's day of calls is spent "
                                         "(shared budget)")

    def observe(self, priority, status, headers, token=None):
        """What Xero said in an answer (any status): calls left, or the day spent."""
        remaining = header_value(headers, "X-DayLimit-Remaining")
        try:
            remaining = int(remaining) if remaining is not None else None
        except (TypeError, ValueError):
            remaining = None
        now = self.clock()
        exhausted_until = None
        if status is None:   # no answer: nothing learnt; the call is no longer in flight
            if token is not None:
                self.store.record(priority, None, KEEP, False, now, token)
            return
        if status == 429:
            problem = (header_value(headers, "X-Rate-Limit-Problem") or "").lower()
            if problem != "day":
                self.store.record(priority, remaining, KEEP, False, now, token)
                return
            try:
                wait = max(1, int(float(header_value(headers, "Retry-After") or 3600)))
            except (TypeError, ValueError, OverflowError):
                wait = 3600
            exhausted_until = now + datetime.timedelta(seconds=wait)
            remaining = 0
        self.store.record(priority, remaining, exhausted_until, status != 429, now, token)
