"""One overall deadline for everything a person waits on.

A click, the import preview or the first opening of an account may make
several Xero calls, and each call may wait: for the pacer, for Xero's
answer, for a retry's backoff, for a token refresh or for another click's
lock on the same record.  Each of those has its own limit, and a slow or
hanging Xero multiplies them, past Odoo's ``limit_time_real``: the worker is
killed and the browser gets a dropped connection, no message.  So a request
has one deadline (``within``), and every wait is cut to what is left of it
(``cap``); when nothing is left, ``XeroTimedOut`` says so in words.

The deadline belongs to the thread that set it.  A gateway captures it when
it is built (``current``), so that reads it runs on other threads (the
import's read-ahead) keep to the deadline of the request that started them.
Background jobs set their own, longer one.
"""
import contextlib
import threading
import time

from .errors import XeroTimedOut

_local = threading.local()


def current():
    """The current thread's deadline (a ``time.monotonic()`` instant), or None."""
    return getattr(_local, "at", None)


@contextlib.contextmanager
def within(seconds, at=None):
    """Everything in the block ends within ``seconds`` (or by the instant
    ``at``).  A deadline set inside another one never extends it."""
    outer = current()
    mine = at if at is not None else time.monotonic() + seconds
    _local.at = mine if outer is None else min(outer, mine)
    try:
        yield _local.at
    finally:
        _local.at = outer


def left(at=None):
    """Seconds left before ``at`` (default: the current deadline); None
    when there is none."""
    at = current() if at is None else at
    return None if at is None else at - time.monotonic()


def cap(seconds, at=None):
    """``seconds`` (None: as long as needed), cut to what is left before the
    deadline; raises XeroTimedOut when nothing is left."""
    remaining = left(at)
    if remaining is None:
        return seconds
    if remaining <= 0:
        raise XeroTimedOut(detail="deadline passed")
    return remaining if seconds is None else min(seconds, remaining)
