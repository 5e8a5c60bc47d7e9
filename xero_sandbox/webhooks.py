"""Webhooks the way Xero sends them (xero-webhooks.yaml, XERO.md "Webhooks").

Every change to a contact, invoice or credit note (from the API or from an
accountant's action) becomes a thin event.  Events arriving within
``batch_seconds`` of the first one go out in one signed POST carrying
``firstEventSequence``/``lastEventSequence`` (one sequence for the whole
sandbox, never reused) and a random ``entropy``.  Delivery runs on a
background thread, never inside the request that caused it, with a 5 s
timeout; a non-2xx answer or an error is retried after each of
``retry_seconds`` and then recorded as failed.
"""
import base64
import datetime as dt
import hashlib
import hmac
import json
import random
import string
import threading
import time
import urllib.error
import urllib.request

TIMEOUT = 5
RESOURCES = {"CONTACT": "Contacts", "INVOICE": "Invoices", "CREDITNOTE": "CreditNotes"}
_RANDOM = random.SystemRandom()


def sign(key, body):
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()) \
        .decode("ascii")


def entropy():
    return "".join(_RANDOM.choice(string.ascii_uppercase) for _ in range(20))


def _stamp(moment):
    # Xero writes "2024-06-21T01:15:39.902"; the spec says date-time, so add Z.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def post(url, body, signature):
    """(HTTP status or None, text for the record)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "x-xero-signature": signature,
        "User-Agent": "Xero-Webhooks-Sandbox"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return answer.status, answer.status
    except urllib.error.HTTPError as exc:
        return exc.code, exc.code
    except (OSError, ValueError) as exc:       # refused, timed out, bad URL
        return None, "error: %s" % exc


class Webhooks:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.cond = threading.Condition()
        self.sequence = 0                 # survives reset: receivers dedupe on it
        self.thread = None
        self.stopped = False
        self.reset()

    # --- subscription ----------------------------------------------------------
    def reset(self):
        with self.cond:
            self.subscription = None
            self.pending, self.batch_due = [], None
            self.deliveries, self.retries = [], []
            self.cond.notify_all()

    def subscribe(self, url, key, batch_seconds=0.2, retry_seconds=(1, 2, 5, 10)):
        subscription = {"url": str(url), "key": str(key),
                        "batch_seconds": max(0.0, float(batch_seconds)),
                        "retry_seconds": [max(0.0, float(s)) for s in retry_seconds]}
        with self.cond:
            self.subscription = subscription
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
                self.thread.start()
        return dict(subscription)

    def unsubscribe(self):
        with self.cond:
            for _, delivery in self.retries:
                delivery["failed"] = True        # no one left to deliver to
            self.subscription = None
            self.pending, self.batch_due, self.retries = [], None, []

    def describe(self):
        with self.cond:
            return {"subscription": dict(self.subscription) if self.subscription else None,
                    "deliveries": [self._delivery_json(d) for d in self.deliveries]}

    @staticmethod
    def _delivery_json(delivery):
        return {k: delivery[k] for k in ("first_sequence", "last_sequence", "events",
                                          "attempts", "status", "delivered", "failed")}

    # --- events ----------------------------------------------------------------
    def publish(self, org, category, event_type, resource_id, data=None):
        """Called under the organisation's lock: only queue, never send."""
        with self.cond:
            if self.subscription is None:
                return
            self.sequence += 1
            event = {"resourceUrl": "%s/api.xro/2.0/%s/%s" % (
                self.sandbox.url, RESOURCES[category], resource_id),
                "resourceId": resource_id,
                "eventDateUtc": _stamp(dt.datetime.now(dt.timezone.utc)),
                "eventType": event_type, "eventCategory": category,
                "tenantId": org.tenant_id, "tenantType": "ORGANISATION"}
            if data is not None:
                event["data"] = data
            self.pending.append((self.sequence, event))
            if self.batch_due is None:
                self.batch_due = time.monotonic() + self.subscription["batch_seconds"]
            self.cond.notify_all()

    def intent_to_receive(self):
        """Xero's check before enabling: a good and a badly signed empty payload."""
        with self.cond:
            subscription = self.subscription
        if subscription is None:
            return None
        statuses = []
        for good in (True, False):
            body = json.dumps({"events": [], "firstEventSequence": 0, "lastEventSequence": 0,
                               "entropy": entropy()}, separators=(",", ":")).encode()
            signature = sign(subscription["key"] if good else "not-" + subscription["key"],
                             body)
            statuses.append(post(subscription["url"], body, signature)[1])
        return {"good_status": statuses[0], "bad_status": statuses[1],
                "passed": statuses[0] == 200 and statuses[1] == 401}

    # --- the delivery thread ---------------------------------------------------
    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        if self.thread is not None:
            self.thread.join(TIMEOUT + 1)

    def _next_wake(self, now):
        times = [due for due, _ in self.retries]
        if self.batch_due is not None:
            times.append(self.batch_due)
        return min(times) - now if times else None

    def _take_due(self):
        """Under the lock: close a batch whose window passed; the attempts due now."""
        now = time.monotonic()
        if self.batch_due is not None and now >= self.batch_due and self.pending:
            events = [e for _, e in self.pending]
            payload = {"events": events, "firstEventSequence": self.pending[0][0],
                       "lastEventSequence": self.pending[-1][0], "entropy": entropy()}
            body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
            delivery = {"first_sequence": payload["firstEventSequence"],
                        "last_sequence": payload["lastEventSequence"], "events": events,
                        "attempts": 0, "status": None, "delivered": False, "failed": False,
                        "body": body, "subscription": self.subscription}
            self.deliveries.append(delivery)
            self.retries.append((now, delivery))
            self.pending, self.batch_due = [], None
        due = [d for t, d in self.retries if t <= now]
        self.retries = [(t, d) for t, d in self.retries if t > now]
        return due

    def _run(self):
        while True:
            with self.cond:
                while not self.stopped:
                    due = self._take_due()
                    if due:
                        break
                    self.cond.wait(self._next_wake(time.monotonic()))
                if self.stopped:
                    return
            for delivery in due:
                self._attempt(delivery)

    def _attempt(self, delivery):
        subscription = delivery["subscription"]
        code, status = post(subscription["url"], delivery["body"],
                            sign(subscription["key"], delivery["body"]))
        with self.cond:
            delivery["attempts"] += 1
            delivery["status"] = status
            if code is not None and 200 <= code < 300:
                delivery["delivered"] = True
                return
            waits = subscription["retry_seconds"]
            if delivery["attempts"] <= len(waits) and delivery in self.deliveries \
                    and self.subscription is subscription:
                self.retries.append((time.monotonic() + waits[delivery["attempts"] - 1],
                                     delivery))
            else:
                delivery["failed"] = True
