"""Pacing under Xero's per-organisation limits, and token isolation between
organisations when many threads call Xero at once."""

import concurrent.futures
import threading
import time

from odoo.tests import BaseCase, tagged

from ..xero.errors import XeroForbidden, XeroRateLimited
from ..xero.gateway import XeroGateway
from ..xero.pacing import Pacer
from .test_gateway import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES, GatewaySandboxCase


def _max_in_window(times, window):
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@tagged("crm_xero")
class TestPacer(BaseCase):
    """The pacer on its own, with a one-second window so the test is fast."""

    def test_background_budget_leaves_room_for_people(self):
        pacer = Pacer(per_minute=6, background_per_minute=4, window=1.0, safety_margin=0)
        for _i in range(4):
            pacer.acquire("t", "background")
            pacer.release("t", "background")
        start = time.monotonic()
        pacer.acquire("t", "interactive", max_wait=0.1)   # no wait: headroom
        pacer.release("t", "interactive")
        self.assertLess(time.monotonic() - start, 0.05)
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("t", "background", max_wait=0.1)
        self.assertEqual(caught.exception.problem, "minute")
        pacer.acquire("t", "background")                  # waits for the window
        self.assertGreater(time.monotonic() - start, 0.8)
        pacer.release("t", "background")

    def test_tenants_have_separate_budgets(self):
        pacer = Pacer(per_minute=2, background_per_minute=2, window=30.0, safety_margin=0)
        for _i in range(2):
            pacer.acquire("a", max_wait=0)
            pacer.release("a")
        with self.assertRaises(XeroRateLimited):
            pacer.acquire("a", max_wait=0)
        pacer.acquire("b", max_wait=0)
        pacer.release("b")

    def test_concurrency_is_capped(self):
        pacer = Pacer(per_minute=1000, background_per_minute=1000, max_concurrent=3,
                      background_concurrent=2, window=60.0, safety_margin=0)
        active, peak, lock = [0], [0], threading.Lock()

        def work(_i):
            with pacer.slot("t", "background"):
                with lock:
                    active[0] += 1
                    peak[0] = max(peak[0], active[0])
                time.sleep(0.05)
                with lock:
                    active[0] -= 1

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(work, range(16)))
        self.assertEqual(peak[0], 2)
        # interactive calls still find the slot background work leaves free
        with pacer.slot("t", "background"), pacer.slot("t", "background"):
            with pacer.slot("t", "interactive", max_wait=0):
                pass
            with self.assertRaises(XeroRateLimited) as caught:
                with pacer.slot("t", "background", max_wait=0):
                    pass
            self.assertEqual(caught.exception.problem, "concurrent")

    def test_xero_remaining_count_wins(self):
        pacer = Pacer(per_minute=60, background_per_minute=50, window=60.0)
        pacer.observe("t", 8)     # someone else spent 52 of Xero's 60
        self.assertEqual(pacer.snapshot("t")["calls_in_window"], 52)
        with self.assertRaises(XeroRateLimited):
            pacer.acquire("t", "background", max_wait=0)
        pacer.acquire("t", "interactive", max_wait=0)
        pacer.release("t", "interactive")


@tagged("crm_xero")
class TestGatewayPacing(GatewaySandboxCase):

    def test_background_calls_stay_within_the_background_budget(self):
        pacer = Pacer(per_minute=6, background_per_minute=4, window=1.0, safety_margin=0)
        gateway = self.gateway(pacer=pacer, priority="background")
        before = len(self.api_calls())
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _i: gateway.get_tax_rates(), range(10)))
        elapsed = time.monotonic() - start
        self.assertTrue(all(results))
        calls = self.api_calls(before)
        self.assertEqual(len(calls), 10)
        self.assertTrue(all(c.get("status") == 200 for c in calls), calls)
        self.assertLessEqual(_max_in_window([c["time"] for c in calls], 1.0), 4)
        self.assertGreaterEqual(elapsed, 2.0)   # 10 calls at 4 per second

    def test_calls_spent_elsewhere_count_against_the_budget(self):
        """Another Odoo worker (another process) spent 20 calls this minute:
        Xero's X-MinLimit-Remaining tells this process's pacer."""
        for _i in range(20):
            self.assertEqual(self.raw("GET", "/Currencies").status_code, 200)
        pacer = Pacer()
        self.gateway(pacer=pacer).get_currencies()
        self.assertEqual(pacer.snapshot(self.tenant_id)["calls_in_window"], 21)

    def test_a_burst_never_trips_xeros_limits(self):
        """A real-size burst from 8 threads against the real 5-concurrent rule
        (each call slowed down so that calls overlap): no 429 at the sandbox."""
        self.sandbox.set_faults(tenant_id=self.tenant_id, delay=0.1)
        gateway = self.gateway()   # the default limits: 5 concurrent
        before = len(self.api_calls())
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _i: gateway.get_currencies(), range(16)))
        calls = self.api_calls(before)
        self.assertEqual([c.get("status") for c in calls], [200] * 16)


@tagged("crm_xero")
class TestTokenIsolation(GatewaySandboxCase):

    def test_two_organisations_from_many_threads_never_mix_tokens(self):
        orgs = {org["name"]: org["tenant_id"] for org in self.sandbox.orgs()}
        tenant_a = orgs["Demo Company (Global)"]
        tenant_b = orgs["Sandbox Second Org Ltd"]
        # one token per organisation, each valid for its own organisation only
        token_a = self.sandbox.connect(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES,
                                       tenant_ids=[tenant_a])["access_token"]
        token_b = self.sandbox.connect(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES,
                                       tenant_ids=[tenant_b])["access_token"]
        self.assertNotEqual(token_a, token_b)
        # the far side notices a mix-up: A's token with B's organisation is a 403
        with self.assertRaises(XeroForbidden):
            XeroGateway(self.endpoints, token_a, tenant_b, pacer=Pacer()).get_organisation()
        before = len(self.api_calls())
        barrier = threading.Barrier(12)

        def work(i):
            tenant, token = (tenant_a, token_a) if i % 2 else (tenant_b, token_b)
            # a fresh gateway per call, the way the models build them
            gateway = XeroGateway(self.endpoints, token, tenant, pacer=Pacer(),
                                  timeout=10)
            barrier.wait()
            names = set()
            for _j in range(3):
                names.add(gateway.get_organisation()["Name"])
            return tenant, names

        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            results = list(pool.map(work, range(12)))
        expected = {tenant_a: {"Demo Company (Global)"}, tenant_b: {"Sandbox Second Org Ltd"}}
        for tenant, names in results:
            self.assertEqual(names, expected[tenant])
        calls = self.api_calls(before)
        self.assertEqual(len(calls), 36)
        self.assertEqual({c.get("status") for c in calls}, {200})
        for call in calls:
            self.assertIn(call.get("tenant_id"), (tenant_a, tenant_b))

    def test_the_sdk_shares_one_token_holder_and_the_gateway_does_not(self):
        """What makes isolation necessary: xero-python's Configuration() hands
        out copies of its first instance, all sharing one OAuth2Token."""
        from xero_python.api_client.configuration import Configuration
        from xero_python.api_client.oauth2 import OAuth2Token
        first = Configuration()              # the process-wide default exists now
        mine = OAuth2Token(client_id="mine")
        later = Configuration(oauth2_token=mine)
        self.assertIsNot(later.oauth2_token, mine)   # arguments silently ignored
        self.assertIs(later.oauth2_token, first.oauth2_token)
        one = self.gateway(access_token="token-one")
        two = self.gateway(access_token="token-two")
        config_one = one._api.api_client.configuration
        config_two = two._api.api_client.configuration
        self.assertIsNot(config_one.oauth2_token, config_two.oauth2_token)
        self.assertEqual(one._api.api_client.get_oauth2_token()["access_token"], "token-one")
        self.assertEqual(two._api.api_client.get_oauth2_token()["access_token"], "token-two")
