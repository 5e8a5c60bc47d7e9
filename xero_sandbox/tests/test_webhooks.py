"""Webhooks as Xero sends them, caught by a small local receiver."""
import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from xero_sandbox import DEMO_TENANT_ID

from .helpers import WebhookDelivery

KEY = "webhook-key-123"
SPEC_NAMES = {"CONTACT": "contacts", "INVOICE": "invoices", "CREDITNOTE": "creditNotes"}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        time.sleep(server.delay)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with server.lock:
            server.received.append((time.monotonic(), headers, body))
            status = server.script.pop(0) if server.script else None
        if status is None:                # a receiver that checks, as Xero asks
            expected = base64.b64encode(hmac.new(KEY.encode(), body, hashlib.sha256)
                                        .digest()).decode()
            good = hmac.compare_digest(expected, self.headers.get("x-xero-signature", ""))
            status = 200 if good else 401
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.received, server.script, server.delay, server.lock = [], [], 0.0, threading.Lock()
    server.url = "http://127.0.0.1:%d/xero/webhook" % server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _subscribe(sandbox, receiver, **options):
    body = {"url": receiver.url, "key": KEY, "batch_seconds": 0.3}
    body.update(options)
    answer = requests.post(sandbox.url + "/_sandbox/webhooks", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _wait(predicate, seconds=8):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _deliveries(sandbox):
    return requests.get(sandbox.url + "/_sandbox/webhooks").json()["deliveries"]


def _act(sandbox, path, body=None):
    answer = requests.post("%s/_sandbox/orgs/%s/%s" % (sandbox.url, DEMO_TENANT_ID, path),
                           json=body or {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_subscription_is_set_read_and_removed(sandbox, receiver):
    assert requests.get(sandbox.url + "/_sandbox/webhooks").json() == {
        "subscription": None, "deliveries": []}
    made = _subscribe(sandbox, receiver, retry_seconds=[1, 3])["subscription"]
    assert made == {"url": receiver.url, "key": KEY, "batch_seconds": 0.3,
                    "retry_seconds": [1.0, 3.0]}
    assert requests.get(sandbox.url + "/_sandbox/webhooks").json()["subscription"] == made
    assert requests.post(sandbox.url + "/_sandbox/webhooks", json={"url": "x"}) \
        .status_code == 400
    requests.delete(sandbox.url + "/_sandbox/webhooks")
    assert requests.get(sandbox.url + "/_sandbox/webhooks").json()["subscription"] is None


def test_api_writes_and_accountant_actions_arrive_in_one_signed_batch(
        sandbox, api, receiver, webhooks_spec):
    _subscribe(sandbox, receiver, batch_seconds=0.6)
    contact_id = api.put("/Contacts", {"Contacts": [{"Name": "Hooked Ltd"}]}) \
        .json()["Contacts"][0]["ContactID"]
    invoice = _act(sandbox, "invoices", {"ContactID": contact_id, "LineItems": [
        {"Description": "x", "UnitAmount": 100, "AccountCode": "200"}]})
    _act(sandbox, "invoices/%s/approve" % invoice["InvoiceID"])
    _act(sandbox, "invoices/%s/pay" % invoice["InvoiceID"], {"amount": 15})
    credit = _act(sandbox, "credit-notes", {"invoice_id": invoice["InvoiceID"], "amount": 10})
    assert _wait(lambda: receiver.received)
    time.sleep(0.3)
    assert len(receiver.received) == 1, "all within batch_seconds: one POST"
    _, headers, body = receiver.received[0]
    assert headers["x-xero-signature"] == base64.b64encode(
        hmac.new(KEY.encode(), body, hashlib.sha256).digest()).decode()
    payload = json.loads(body)
    assert re.fullmatch(r"[A-Z]{20}", payload["entropy"])
    events = payload["events"]
    assert [(e["eventCategory"], e["eventType"]) for e in events] == [
        ("CONTACT", "CREATE"), ("INVOICE", "CREATE"), ("INVOICE", "UPDATE"),
        ("INVOICE", "UPDATE"), ("CREDITNOTE", "CREATE"), ("INVOICE", "UPDATE")]
    assert payload["lastEventSequence"] - payload["firstEventSequence"] == 5
    assert events[0]["resourceUrl"] == "%s/api.xro/2.0/Contacts/%s" % (sandbox.url, contact_id)
    assert events[4]["resourceId"] == credit["CreditNoteID"]
    assert events[4]["data"] == {"Type": "ACCRECCREDIT", "Status": "PAID"}
    assert {(e["tenantId"], e["tenantType"]) for e in events} == {(DEMO_TENANT_ID,
                                                                   "ORGANISATION")}
    stamp = dt.datetime.fromisoformat(events[0]["eventDateUtc"].replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.timezone.utc) - stamp).total_seconds()) < 30
    for category, name in SPEC_NAMES.items():     # each category against its webhook
        part = dict(payload, events=[e for e in events if e["eventCategory"] == category])
        webhooks_spec.validate_request(WebhookDelivery(name, headers, json.dumps(part)
                                                       .encode()))
    fetched = api.session.get(events[1]["resourceUrl"]).json()["Invoices"][0]
    assert fetched["InvoiceID"] == invoice["InvoiceID"] and fetched["AmountDue"] == 90.0
    [delivery] = _deliveries(sandbox)
    assert (delivery["first_sequence"], delivery["last_sequence"], delivery["attempts"],
            delivery["status"], delivery["delivered"]) == (
        payload["firstEventSequence"], payload["lastEventSequence"], 1, 200, True)
    assert delivery["events"] == events


def test_later_batches_continue_the_sequence(sandbox, api, receiver):
    _subscribe(sandbox, receiver, batch_seconds=0.1)
    api.put("/Contacts", {"Contacts": [{"Name": "First Batch Ltd"}]})
    assert _wait(lambda: len(receiver.received) == 1)
    api.put("/Contacts", {"Contacts": [{"Name": "Second A Ltd"}, {"Name": "Second B Ltd"}]})
    assert _wait(lambda: len(receiver.received) == 2)
    first, second = [json.loads(body) for _, _, body in receiver.received]
    assert first["firstEventSequence"] == first["lastEventSequence"]
    assert second["firstEventSequence"] == first["lastEventSequence"] + 1
    assert second["lastEventSequence"] == second["firstEventSequence"] + 1
    assert first["entropy"] != second["entropy"]


def test_a_500_is_retried_after_each_wait(sandbox, api, receiver):
    receiver.script = [500, 500]
    _subscribe(sandbox, receiver, batch_seconds=0.05, retry_seconds=[0.3, 0.3, 5])
    api.put("/Contacts", {"Contacts": [{"Name": "Retried Ltd"}]})
    assert _wait(lambda: _deliveries(sandbox) and _deliveries(sandbox)[0]["delivered"])
    times = [t for t, _, _ in receiver.received]
    assert len({body for _, _, body in receiver.received}) == 1     # the same payload
    assert len(times) == 3 and min(b - a for a, b in zip(times, times[1:])) >= 0.28
    [delivery] = _deliveries(sandbox)
    assert (delivery["attempts"], delivery["status"], delivery["failed"]) == (3, 200, False)


def test_failure_is_recorded_after_the_last_retry(sandbox, api, receiver):
    receiver.script = [500] * 10
    _subscribe(sandbox, receiver, batch_seconds=0.05, retry_seconds=[0.1, 0.1])
    api.put("/Contacts", {"Contacts": [{"Name": "Never Delivered Ltd"}]})
    assert _wait(lambda: _deliveries(sandbox) and _deliveries(sandbox)[0]["failed"])
    [delivery] = _deliveries(sandbox)
    assert (delivery["attempts"], delivery["status"], delivery["delivered"]) == (3, 500, False)
    assert len(receiver.received) == 3
    requests.post(sandbox.url + "/_sandbox/webhooks", json={
        "url": "http://127.0.0.1:9/closed", "key": KEY, "batch_seconds": 0.05,
        "retry_seconds": []})
    api.put("/Contacts", {"Contacts": [{"Name": "Nobody Listening Ltd"}]})
    assert _wait(lambda: len(_deliveries(sandbox)) == 2 and _deliveries(sandbox)[1]["failed"])
    assert _deliveries(sandbox)[1]["status"].startswith("error: ")


def test_delivery_never_holds_up_the_api_call(sandbox, api, receiver):
    receiver.delay = 1.5
    _subscribe(sandbox, receiver, batch_seconds=0)
    started = time.monotonic()
    api.put("/Contacts", {"Contacts": [{"Name": "Slow Receiver Ltd"}]})
    _act(sandbox, "contacts", {"Name": "Slow Receiver Two Ltd"})
    assert time.monotonic() - started < 1.0
    assert _wait(lambda: len(receiver.received) >= 1)


def test_intent_to_receive(sandbox, receiver):
    assert requests.post(sandbox.url + "/_sandbox/webhooks/intent").status_code == 409
    _subscribe(sandbox, receiver)
    answer = requests.post(sandbox.url + "/_sandbox/webhooks/intent").json()
    assert answer == {"good_status": 200, "bad_status": 401, "passed": True}
    bodies = [json.loads(body) for _, _, body in receiver.received]
    assert [(b["events"], b["firstEventSequence"], b["lastEventSequence"]) for b in bodies] \
        == [([], 0, 0), ([], 0, 0)]
    receiver.script = [200, 200]                  # a receiver that never checks
    careless = requests.post(sandbox.url + "/_sandbox/webhooks/intent").json()
    assert careless == {"good_status": 200, "bad_status": 200, "passed": False}


def test_reset_removes_the_subscription_and_deliveries(sandbox, api, receiver):
    _subscribe(sandbox, receiver, batch_seconds=0)
    api.put("/Contacts", {"Contacts": [{"Name": "Before Reset Ltd"}]})
    assert _wait(lambda: _deliveries(sandbox))
    sandbox.reset()
    assert requests.get(sandbox.url + "/_sandbox/webhooks").json() == {
        "subscription": None, "deliveries": []}
