"""Pacing under Xero's per-organisation limits, and token isolation between
organisations, when many threads call Xero at once.

Real threads where concurrency is the point, made deterministic with
barriers and events (never with sleeps); the pacer's time-based rules are
checked on a fake clock here and in test_xero_pure.
"""

import concurrent.futures
import sys
import threading
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from ..xero import gateway as gateway_module
from ..xero.errors import XeroRateLimited
from ..xero.gateway import XeroGateway
from ..xero.pacing import BACKGROUND, INTERACTIVE, Pacer
from .test_gateway import DEMO, SECOND, GatewaySandboxCase

CALLS_PER_THREAD = 5
EVENT_TIMEOUT = 10       # bounds a broken run; a passing one never waits this long


def _switch_threads_often():
    """Switch threads as often as possible, so that state shared by mistake
    between threads (the SDK's token holder) is read by the wrong one."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    return lambda: sys.setswitchinterval(interval)


@tagged("crm_xero")
class TestPacerThreads(BaseCase):
    """The pacer's real condition variable, under real threads."""

    def test_concurrency_is_capped_and_waiters_get_in_as_slots_free(self):
        waiters, seen = set(), threading.Condition()
        holder = {}

        def wait(timeout):               # the pacer's own wait, noting who waits
            with seen:
                waiters.add(threading.get_ident())
                seen.notify_all()
            holder["pacer"]._cond.wait(timeout)

        pacer = holder["pacer"] = Pacer(per_minute=1000, background_per_minute=1000,
                                        max_concurrent=3, background_concurrent=2, wait=wait)
        inside, peak, lock = [0], [0], threading.Lock()
        entered = threading.Semaphore(0)
        go = threading.Event()

        def work(_i):
            with pacer.slot("t", BACKGROUND):
                with lock:
                    inside[0] += 1
                    peak[0] = max(peak[0], inside[0])
                entered.release()
                self.assertTrue(go.wait(EVENT_TIMEOUT))
                with lock:
                    inside[0] -= 1

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(work, i) for i in range(6)]
            for _i in range(2):
                self.assertTrue(entered.acquire(timeout=EVENT_TIMEOUT))
            with seen:                   # the four others are all held in acquire()
                self.assertTrue(seen.wait_for(lambda: len(waiters) == 4, EVENT_TIMEOUT))
            self.assertEqual(inside[0], 2)
            self.assertEqual(pacer.snapshot("t")["active_background"], 2)
            # a person's call still finds the slot background work leaves free
            with pacer.slot("t", INTERACTIVE, max_wait=0):
                with self.assertRaises(XeroRateLimited) as caught:
                    pacer.acquire("t", INTERACTIVE, max_wait=0)
                self.assertEqual(caught.exception.problem, "concurrent")
            go.set()
            for future in futures:
                future.result(timeout=EVENT_TIMEOUT)
        self.assertEqual(peak[0], 2)
        self.assertEqual(len(waiters), 4)
        self.assertEqual(pacer.snapshot("t"), {"calls_in_window": 7, "active": 0,
                                               "active_background": 0, "blocked_for": 0.0})

    def test_many_threads_never_pass_the_minute_budget(self):
        pacer = Pacer(per_minute=20, background_per_minute=10, safety_margin=0,
                      max_concurrent=100, background_concurrent=100)
        barrier = threading.Barrier(8)
        outcomes = []

        def work(i):
            priority = BACKGROUND if i % 2 else INTERACTIVE
            barrier.wait(EVENT_TIMEOUT)
            got = 0
            for _j in range(5):
                try:
                    pacer.acquire("t", priority, max_wait=0)
                except XeroRateLimited as error:
                    self.assertEqual(error.problem, "minute")
                    continue
                pacer.release("t", priority)
                got += 1
            outcomes.append((priority, got))

        restore = _switch_threads_often()
        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                list(pool.map(work, range(8)))
        finally:
            restore()
        background = sum(got for priority, got in outcomes if priority == BACKGROUND)
        total = sum(got for _priority, got in outcomes)
        self.assertLessEqual(background, 10)
        self.assertEqual(total, 20)               # 40 asked, exactly the budget granted
        self.assertEqual(pacer.snapshot("t")["calls_in_window"], 20)


@tagged("crm_xero")
class TestGatewayPacing(GatewaySandboxCase):

    def test_background_calls_stay_within_the_background_budget(self):
        pacer = self.clock.pacer(per_minute=6, background_per_minute=4, safety_margin=0)
        background = self.gateway(pacer=pacer, priority="background")
        for _i in range(4):
            background.get_tax_rates()
        self.assertEqual(self.clock.waits, [])
        # the background budget is spent; a salesperson's click does not wait
        self.gateway(pacer=pacer).get_organisation()
        self.assertEqual(self.clock.waits, [])
        for _i in range(6):
            background.get_tax_rates()
        # 4 calls (and the click), a minute's wait, 4 calls, a minute's wait, 2 calls
        self.assertEqual(self.clock.waits, [60.0, 60.0])
        self.assertEqual([c["operation"] for c in self.api_calls()],
                         ["GET /TaxRates"] * 4 + ["GET /Organisation"] + ["GET /TaxRates"] * 6)
        self.assertEqual({c["status"] for c in self.api_calls()}, {200})

    def test_calls_spent_elsewhere_count_against_the_budget(self):
        """Another Odoo worker (another process) spent 20 calls this minute:
        Xero's X-MinLimit-Remaining tells this process's pacer."""
        other_worker = self.gateway(pacer=self.clock.pacer())
        for _i in range(20):
            other_worker.get_currencies()
        self.gateway().get_currencies()
        self.assertEqual(self.pacer.snapshot(self.tenant_id)["calls_in_window"], 21)
        self.assertEqual(len(self.api_calls()), 21)

    def test_a_burst_never_trips_xeros_limits(self):
        """A burst from 8 threads against Xero's real 5-concurrent rule, each
        call held at the sandbox so that calls overlap: no 429 at the sandbox."""
        self.sandbox.set_faults(tenant_id=self.tenant_id, delay=0.1)
        gateway = self.gateway(pacer=Pacer())     # the real pacer, the default limits
        restore = _switch_threads_often()
        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _i: gateway.get_currencies(), range(16)))
        finally:
            restore()
        calls = self.api_calls()
        self.assertEqual([c["status"] for c in calls], [200] * 16)
        self.assertEqual(self.sandbox.stats()["rate_limited"], 0)
        self.assertEqual(self.sleeps, [])


@tagged("crm_xero")
class TestTokenIsolation(GatewaySandboxCase):

    def test_two_organisations_from_many_threads_never_mix_tokens(self):
        tenant_a, tenant_b = self.tenant_id, self.second_org["tenant_id"]
        # one token per organisation, each consented for its own organisation
        token_a = self.sandbox.connect(tenant_ids=[tenant_a])["access_token"]
        token_b = self.sandbox.connect(tenant_ids=[tenant_b])["access_token"]
        self.assertNotEqual(token_a, token_b)
        # Both tokens come from the same Xero user's grant, so (as in real
        # Xero) either would be accepted for either organisation: the sandbox
        # cannot see a swap by status alone.  Record what goes on the wire.
        pool = gateway_module._pool(self.endpoints.tls_verify(self.endpoints.accounting_url))
        sent, real_urlopen, lock = [], pool.urlopen, threading.Lock()

        def recording_urlopen(method, url, *args, **kw):
            headers = kw.get("headers") or {}
            with lock:
                sent.append((headers.get("xero-tenant-id"), headers.get("Authorization")))
            return real_urlopen(method, url, *args, **kw)

        patcher = patch.object(pool, "urlopen", side_effect=recording_urlopen)
        patcher.start()
        self.addCleanup(patcher.stop)
        pacer = Pacer()        # shared by every gateway, as the process's pacer is
        barrier = threading.Barrier(12)

        def work(i):
            tenant, token = (tenant_a, token_a) if i % 2 else (tenant_b, token_b)
            # a fresh gateway per unit of work, the way the models build them
            gateway = XeroGateway(self.endpoints, token, tenant, pacer=pacer, timeout=10,
                                  sleep=self.sleeps.append)
            barrier.wait(EVENT_TIMEOUT)
            return tenant, {gateway.get_organisation()["Name"]
                            for _j in range(CALLS_PER_THREAD)}

        restore = _switch_threads_often()
        try:
            with concurrent.futures.ThreadPoolExecutor(12) as pool:
                results = list(pool.map(work, range(12)))
        finally:
            restore()
        expected = {tenant_a: {DEMO}, tenant_b: {SECOND}}
        for tenant, names in results:
            self.assertEqual(names, expected[tenant])
        calls = self.api_calls()
        self.assertEqual(len(calls), 12 * CALLS_PER_THREAD)
        self.assertEqual({c["status"] for c in calls}, {200})
        self.assertEqual(sorted(c["tenant_id"] for c in calls), sorted(t for t, _a in sent))
        bearer = {tenant_a: "Bearer " + token_a, tenant_b: "Bearer " + token_b}
        self.assertEqual(len(sent), 12 * CALLS_PER_THREAD)
        mixed = [tenant for tenant, authorization in sent if authorization != bearer[tenant]]
        self.assertEqual(mixed, [], "calls sent with the other organisation's token")

    def test_auth_headers_stay_with_their_gateway_under_contention(self):
        """The SDK's own auth step (the one that goes wrong with a shared
        OAuth2Token), hammered from 8 threads for two gateways, no network."""
        gateways = {name: self.gateway(access_token="token-" + name, tenant_id=name)
                    for name in ("a", "b")}
        mixed = []
        barrier = threading.Barrier(8)

        def hammer(i):
            name = "ab"[i % 2]
            api_client = gateways[name]._api.api_client
            barrier.wait(EVENT_TIMEOUT)
            for _j in range(3000):
                headers = {}
                api_client.update_params_for_auth(headers, [], ["OAuth2"])
                if headers["Authorization"] != "Bearer token-" + name:
                    mixed.append(name)

        restore = _switch_threads_often()
        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                list(pool.map(hammer, range(8)))
        finally:
            restore()
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
