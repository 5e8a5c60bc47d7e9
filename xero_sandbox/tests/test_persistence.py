"""--state-file: a restart of make run needs no reconnect and forgets nothing."""
import json
import os
import signal
import subprocess
import sys
import time

import requests

from xero_sandbox import DEMO_TENANT_ID, SandboxServer

from .conftest import TLS_DIR
from .helpers import connect, refresh
from .test_cli_and_speed import ROOT, _free_port


def _start(state_file):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "xero_sandbox", "--port", str(port), "--contacts", "20",
         "--state-file", state_file, "--tls-dir", TLS_DIR, "--browser-port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    assert line.endswith(":%d" % port), line
    return process, "https://127.0.0.1:%d" % port


def _stop(process):
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0


def _api(url, token, method, path, headers=None, **kwargs):
    return requests.request(method, url + "/api.xro/2.0" + path, headers=dict({
        "Authorization": "Bearer " + token, "xero-tenant-id": DEMO_TENANT_ID,
        "Accept": "application/json"}, **(headers or {})), **kwargs)


def test_restart_keeps_tokens_and_records(tmp_path):
    state_file = str(tmp_path / "state" / "sandbox.json")
    process, url = _start(state_file)
    try:
        tokens = connect(url, tenants=[DEMO_TENANT_ID])
        created = _api(url, tokens["access_token"], "PUT", "/Contacts",
                       json={"Contacts": [{"Name": "Survives Restart Ltd"}]})
        contact_id = created.json()["Contacts"][0]["ContactID"]
        # Saved shortly after the change, not only at exit.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (
                os.path.exists(state_file) and contact_id in open(state_file).read()):
            time.sleep(0.1)
        assert contact_id in open(state_file).read()
    finally:
        _stop(process)
    assert not [n for n in os.listdir(tmp_path / "state") if ".tmp" in n]
    process, url = _start(state_file)
    try:
        # The access token from before the restart still works (same signing key)...
        old = _api(url, tokens["access_token"], "GET", "/Contacts/" + contact_id)
        assert old.status_code == 200
        # ...and the refresh token still refreshes, once (its successor used).
        renewed = refresh(url, tokens["refresh_token"])
        assert renewed.status_code == 200, renewed.text
        assert refresh(url, renewed.json()["refresh_token"]).status_code == 200
        contact = _api(url, renewed.json()["access_token"], "GET", "/Contacts/" + contact_id)
        assert contact.json()["Contacts"][0]["Name"] == "Survives Restart Ltd"
        listed = requests.get("%s/_sandbox/orgs/%s/contacts" % (url, DEMO_TENANT_ID)).json()
        assert len(listed["Contacts"]) == 21
    finally:
        _stop(process)
    process, url = _start(state_file)
    try:
        assert refresh(url, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    finally:
        _stop(process)


def test_everything_else_survives_too(tmp_path):
    state_file = str(tmp_path / "sandbox.json")
    first = SandboxServer(port=0, contacts=30, seed=4, state_file=state_file,
                          tls_dir=TLS_DIR).start()
    try:
        tokens = connect(first.url, tenants=[DEMO_TENANT_ID])
        org_path = "%s/_sandbox/orgs/%s/" % (first.url, DEMO_TENANT_ID)
        requests.post(first.url + "/_sandbox/webhooks", json={
            "url": "http://127.0.0.1:9/hook", "key": "k", "retry_seconds": []})
        contact_id = requests.post(org_path + "contacts", json={"Name": "Kept Ltd"}) \
            .json()["ContactID"]
        invoice = requests.post(org_path + "invoices", json={"ContactID": contact_id,
                                "LineItems": [{"ItemCode": "WIDGET", "Quantity": 8,
                                               "Tracking": [{"Name": "Region",
                                                             "Option": "North"}]}]}).json()
        requests.post(org_path + "invoices/%s/approve" % invoice["InvoiceID"])
        requests.post(org_path + "invoices/%s/pay" % invoice["InvoiceID"], json={"amount": 30})
        requests.post(org_path + "credit-notes", json={"invoice_id": invoice["InvoiceID"],
                                                       "amount": 10})
        requests.post(org_path + "tracking-categories/Region/options/South",
                      json={"status": "ARCHIVED"})
        body = {"Contacts": [{"Name": "Idempotent Ltd"}]}
        once = _api(first.url, tokens["access_token"], "PUT", "/Contacts", json=body,
                    headers={"Idempotency-Key": "keep-me"})
        before = {name: requests.get(org_path + name).json()
                  for name in ("contacts", "invoices", "credit-notes", "payments", "items",
                               "tracking-categories", "branding-themes")}
        sequence = first.webhooks.sequence
    finally:
        first.stop()
    again = SandboxServer(port=0, contacts=60, seed=0, state_file=state_file,
                          tls_dir=TLS_DIR).start()
    try:
        org_path = "%s/_sandbox/orgs/%s/" % (again.url, DEMO_TENANT_ID)
        after = {name: requests.get(org_path + name).json() for name in before}
        assert after == before
        hooks = requests.get(again.url + "/_sandbox/webhooks").json()
        assert hooks["subscription"]["url"] == "http://127.0.0.1:9/hook"
        assert again.webhooks.sequence == sequence
        replay = _api(again.url, tokens["access_token"], "PUT", "/Contacts", json=body,
                      headers={"Idempotency-Key": "keep-me"})
        assert replay.json() == once.json()
        names = [c["Name"] for c in requests.get(org_path + "contacts").json()["Contacts"]]
        assert names.count("Idempotent Ltd") == 1
        # The restored records obey the same rules: names stay unique.
        duplicate = requests.post(org_path + "contacts", json={"Name": "kept ltd"})
        assert duplicate.status_code == 400
        saved = json.load(open(state_file))
        assert saved["version"] == 1 and saved["contact_count"] == 30
    finally:
        again.stop()
