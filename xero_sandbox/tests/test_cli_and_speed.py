"""``python -m xero_sandbox`` as make run and the benchmarks start it."""
import os
import signal
import socket
import subprocess
import sys
import time

import requests

from xero_sandbox import DEMO_TENANT_ID, SandboxServer

from .conftest import CA_FILE, SPECS, TLS_DIR
from .helpers import XeroHttp, connect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_prints_ready_line_serves_and_stops_on_sigterm():
    port, browser_port = _free_port(), _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "xero_sandbox", "--host", "127.0.0.1", "--port", str(port),
         "--browser-port", str(browser_port), "--tls-dir", TLS_DIR,
         "--contacts", "25", "--seed", "3", "--client-id", "cli-id",
         "--client-secret", "cli-secret", "--redirect-uri", "http://127.0.0.1:9/cb",
         "--latency-per-call", "0.05", "--latency-per-item", "0.001",
         "--check-spec", "--spec", str(SPECS / "xero_accounting.yaml")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line == "xero_sandbox listening on https://127.0.0.1:%d" % port
        browser = "http://127.0.0.1:%d" % browser_port
        assert process.stdout.readline().strip() == "xero_sandbox browser pages on " + browser
        assert process.stdout.readline().strip() == "xero_sandbox CA certificate " + CA_FILE
        url = "https://127.0.0.1:%d" % port
        assert requests.get(url + "/_sandbox/health").json() == {"status": "ok"}
        assert requests.get(browser + "/_sandbox/info").json() == {
            "url": url, "browser_url": browser, "ca_file": CA_FILE}
        assert requests.get(url + "/_sandbox/latency").json() == {"per_call": 0.05,
                                                                 "per_item": 0.001}
        spec = requests.get(url + "/_sandbox/spec").json()
        assert spec["enabled"] and spec["spec"] == str(SPECS / "xero_accounting.yaml")
        page = requests.get(url + "/identity/connect/authorize", params={
            "response_type": "code", "client_id": "cli-id", "scope": "openid",
            "redirect_uri": "http://127.0.0.1:8069/other"})
        assert page.status_code == 400           # only the registered redirect URI
        ok = requests.get(url + "/identity/connect/authorize", params={
            "response_type": "code", "client_id": "cli-id", "scope": "openid",
            "redirect_uri": "http://127.0.0.1:9/cb"})
        assert ok.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


def test_ten_thousand_contacts_seed_fast_and_list_1000_per_page(accounting_spec):
    started = time.monotonic()
    server = SandboxServer(port=0, contacts=10000, seed=1, tls_dir=TLS_DIR).start()
    seeded = time.monotonic() - started
    try:
        assert seeded < 8, "seeding 10,000 contacts took %.1fs" % seeded
        tokens = connect(server.url, tenants=[DEMO_TENANT_ID])
        api = XeroHttp(server.url, accounting_spec, tokens["access_token"], DEMO_TENANT_ID)
        requests.post(server.url + "/_sandbox/faults", json={"minute_limit": 1000})
        seen, timings = set(), []
        for page in range(1, 12):
            begin = time.monotonic()
            answer = api.get("/Contacts", params={"page": page, "pageSize": 1000,
                                                  "includeArchived": "true"}, validate=False)
            timings.append(time.monotonic() - begin)
            contacts = answer.json()["Contacts"]
            if not contacts:
                break
            seen.update(c["ContactID"] for c in contacts)
        assert len(seen) == 10000
        assert answer.json()["pagination"]["pageCount"] == 10
        assert max(timings) < 0.8, timings
        # One full page checked against the spec (slow validator, so only once).
        api.get("/Contacts", params={"page": 3, "pageSize": 1000})
    finally:
        server.stop()
