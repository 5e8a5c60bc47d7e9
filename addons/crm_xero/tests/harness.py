"""What Odoo's test framework does differently on 18.0 and 19.0, for these
tests, in one place (the addon's own differences are in ../compat.py).

* Requests: a test class sends every `requests` call through its
  ``_request_handler``; 19.0's also stretches short timeouts to 10 s and fails
  on (connect, read) pairs.  ``LocalRequests`` sends local ones as they are.
* The test server: 18.0 serves any request during an HttpCase, each on the
  test cursor under ``registry.test_lock``; 19.0 holds that lock in the test's
  thread and serves only requests carrying the test's cookie, within
  ``HttpCase.allow_requests``.  ``open_test_server`` makes 19.0 serve as
  18.0 does for a block; ``cursor_lock_of`` is the lock to take to use the
  test's cursor meanwhile.
* Child processes: 19.0 terminates a test process's children at the end of
  each test class, so the test run's sandbox is started as no child of it
  (common.sandbox_url).
"""
from contextlib import nullcontext
from urllib.parse import urlparse

from odoo.tests import common


class LocalRequests:
    """For Odoo test classes: `requests` to this machine (the sandbox, a stub
    Xero, the test server) go out as the addon sends them, so the deadline
    tests see their own timeouts.  Other hosts are refused by Odoo's rule."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if urlparse(r.url).hostname in ("127.0.0.1", "localhost"):
            return common._super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)


def open_test_server(case, browser=None):
    """A block during which the test server of ``case`` (an HttpCase) serves
    every request, with or without the test's cookie: ``browser``'s, the
    sandbox's webhook deliveries, a plain HTTP client's.  Not nested, and no
    ``url_open`` inside it (which opens the server itself on 19.0)."""
    allow = getattr(case, "allow_requests", None)   # 19.0
    return allow(browser=browser, all_requests=True) if allow else nullcontext()


def cursor_lock_of(case):
    """The lock the test server's requests take to use the test's cursor:
    the test's thread takes it to use the cursor while they may come."""
    return getattr(case.registry, "test_lock", None) or common._registry_test_lock
