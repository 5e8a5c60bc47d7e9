"""Pacing under Xero's per-organisation limits, and token isolation between
organisations when many threads call Xero at once."""

import concurrent.futures
import sys
import threading
import time
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from ..xero import gateway as gateway_module
from ..xero.errors import XeroRateLimited
from ..xero.gateway import XeroGateway
from ..xero.pacing import Pacer
from .test_gateway import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES, GatewaySandboxCase


CALLS_PER_THREAD = 5


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
        pacer.reset("a")                      # e.g. after the sandbox's reset
        pacer.acquire("a", max_wait=0)
        pacer.release("a")

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
        # Both tokens come from the same Xero user's grant, so (as in real
        # Xero) either would be accepted for either organisation: the sandbox
        # cannot see a swap by status alone.  Record what goes on the wire.
        sent, real_urlopen = [], gateway_module._POOL.urlopen

        def recording_urlopen(method, url, *args, **kw):
            headers = kw.get("headers") or {}
            sent.append((headers.get("xero-tenant-id"), headers.get("Authorization")))
            return real_urlopen(method, url, *args, **kw)

        patcher = patch.object(gateway_module._POOL, "urlopen", side_effect=recording_urlopen)
        patcher.start()
        self.addCleanup(patcher.stop)
        before = len(self.api_calls())
        barrier = threading.Barrier(12)

        def work(i):
            tenant, token = (tenant_a, token_a) if i % 2 else (tenant_b, token_b)
            # a fresh gateway per call, the way the models build them
            gateway = XeroGateway(self.endpoints, token, tenant, pacer=Pacer(),
                                  timeout=10)
            barrier.wait()
            names = set()
            for _j in range(CALLS_PER_THREAD):
                names.add(gateway.get_organisation()["Name"])
            return tenant, names

        # switch threads as often as possible, so that a token written into
        # shared state by one thread would be read by another (the SDK's race)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            with concurrent.futures.ThreadPoolExecutor(12) as pool:
                results = list(pool.map(work, range(12)))
        finally:
            sys.setswitchinterval(interval)
        expected = {tenant_a: {"Demo Company (Global)"}, tenant_b: {"Sandbox Second Org Ltd"}}
        for tenant, names in results:
            self.assertEqual(names, expected[tenant])
        calls = self.api_calls(before)
        self.assertEqual(len(calls), 12 * CALLS_PER_THREAD)
        self.assertEqual({c.get("status") for c in calls}, {200})
        for call in calls:
            self.assertIn(call.get("tenant_id"), (tenant_a, tenant_b))
        self.assertEqual(sorted(c["tenant_id"] for c in calls), sorted(t for t, _a in sent))
        bearer = {tenant_a: "Bearer " + token_a, tenant_b: "Bearer " + token_b}
        self.assertEqual(len(sent), 12 * CALLS_PER_THREAD)
        mixed = sum(1 for tenant, authorization in sent if authorization != bearer[tenant])
        self.assertEqual(mixed, 0, "calls sent with the other organisation's token")

    def test_auth_headers_stay_with_their_gateway_under_contention(self):
        """The SDK's own auth step (the one that goes wrong with a shared
        OAuth2Token), hammered from 8 threads for two gateways, no network."""
        gateways = {name: self.gateway(access_token="token-" + name, tenant_id=name)
                    for name in ("a", "b")}
        mixed = []
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)

        def hammer(i):
            name = "ab"[i % 2]
            api_client = gateways[name]._api.api_client
            for _j in range(3000):
                headers = {}
                api_client.update_params_for_auth(headers, [], ["OAuth2"])
                if headers["Authorization"] != "Bearer token-" + name:
                    mixed.append(name)

        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                list(pool.map(hammer, range(8)))
        finally:
            sys.setswitchinterval(interval)
        self.assertEqual(mixed, [])

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
