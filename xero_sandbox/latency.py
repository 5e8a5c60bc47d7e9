"""Realistic latency: a delay per call plus a delay per item a list returns.

Real Xero takes longer to answer a page of 1,000 contacts than a single
organisation read, and two calls in flight for one organisation overlap in
wall time.  So the sleep happens after the handler has released the
organisation's lock but while the call still holds its concurrency slot
(Xero's 5-in-flight limit counts it).  Off by default.
"""
import threading

LIST_KEYS = ("Contacts", "Invoices", "CreditNotes", "Payments", "Quotes")


class Latency:
    def __init__(self, per_call=0.0, per_item=0.0):
        self.lock = threading.Lock()
        self.set(per_call, per_item)

    def set(self, per_call=None, per_item=None):
        with self.lock:
            if per_call is not None:
                self.per_call = max(0.0, float(per_call))
            if per_item is not None:
                self.per_item = max(0.0, float(per_item))
            return self.describe()

    def reset(self):
        self.set(0.0, 0.0)

    def describe(self):
        return {"per_call": self.per_call, "per_item": self.per_item}

    def seconds(self, items):
        with self.lock:
            return self.per_call + self.per_item * items


def count_items(payload):
    """How many records a list answer carries (0 for anything else)."""
    if not isinstance(payload, dict):
        return 0
    return sum(len(payload[k]) for k in LIST_KEYS if isinstance(payload.get(k), list))
