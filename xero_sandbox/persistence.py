"""``--state-file``: the whole sandbox survives a restart of ``make run``.

Organisations and all their records, OAuth grants with their refresh and
access tokens and the JWT signing key, the webhook subscription and the
Idempotency-Key answers are written as one JSON file: shortly after a change
(debounced, from a background thread, so no request waits for the disk) and
at shutdown.  Writes are atomic (a temp file, then ``os.replace``): a crash
mid-write leaves the previous state.  Short-lived things (consent requests,
authorisation codes, the call log, faults) are not kept.
"""
import base64
import datetime as dt
import json
import os
import threading
import time
from decimal import Decimal

from .accounting import contacts
from .store import Grant, Org
from .web import Reply

DEBOUNCE_SECONDS = 1.0
_ORG_FIELDS = ("organisation", "accounts", "tax_rates", "currencies", "contacts", "invoices",
               "history", "invoice_seq", "credit_notes", "credit_note_seq", "items",
               "tracking", "branding_themes", "quotes", "quote_seq", "currency_rates")


def dump(value):
    """Python state -> JSON-safe values (Decimals, dates and sets tagged)."""
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    if isinstance(value, set):
        return {"$set": [dump(v) for v in sorted(value, key=str)]}
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def load(value):
    if isinstance(value, list):
        return [load(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "$d":
            return Decimal(inner)
        if tag == "$dt":
            return dt.datetime.fromisoformat(inner)
        if tag == "$date":
            return dt.date.fromisoformat(inner)
        if tag == "$set":
            return set(load(inner))
    return {k: load(v) for k, v in value.items()}


# --- snapshot ---------------------------------------------------------------------
def _org_state(org):
    with org.lock:
        state = {f: dump(getattr(org, f)) for f in _ORG_FIELDS}
    state.update(name=org.name, short_code=org.short_code, base_currency=org.base_currency,
                 country_code=org.country_code, enabled_currencies=org.enabled_currencies)
    return state


def _auth_state(auth):
    with auth.lock:
        grants = {g.id: {"client_id": g.client_id, "user_id": g.user_id, "active": g.active,
                         "connections": g.connections, "scopes": g.scopes,
                         "last_auth_event": g.last_auth_event} for g in auth.grants.values()}
        refresh = {t: dict(i, grant=i["grant"].id) for t, i in auth.refresh_tokens.items()}
        access = {j: dict(i, grant=i["grant"].id) for j, i in auth.access_tokens.items()}
        return dump({"grants": grants, "refresh_tokens": refresh, "access_tokens": access})


def _idempotency_state(idempotency):
    with idempotency.lock:
        done = [(k, e["reply"]) for k, e in idempotency.entries.items() if e["reply"]]
    return [{"tenant_id": tenant, "key": key, "status": reply.status,
             "body": base64.b64encode(reply.body).decode(), "headers": reply.headers}
            for (tenant, key), reply in done]


def snapshot(sandbox):
    store = sandbox.store
    with store.lock:
        orgs = list(store.orgs.values())
        contact_count, seed = store.contact_count, store.seed
    with sandbox.webhooks.cond:
        webhooks = {"subscription": sandbox.webhooks.subscription,
                    "sequence": sandbox.webhooks.sequence}
    return {"version": 1, "saved_at": time.time(), "contact_count": contact_count,
            "seed": seed, "orgs": [_org_state(o) for o in orgs],
            "jwt_key": base64.b64encode(sandbox.config.jwt_key).decode(),
            "auth": _auth_state(store.auth), "webhooks": webhooks,
            "idempotency": _idempotency_state(sandbox.idempotency)}


# --- restore ----------------------------------------------------------------------
def _org_from(state):
    org = Org(state["name"], state["short_code"], state["base_currency"],
              state["country_code"], state["enabled_currencies"])
    for field in _ORG_FIELDS:
        if field in state:      # a file saved before the field existed keeps its default
            setattr(org, field, load(state[field]))
    # Indexes are derived, never stored: rebuild them from the records.
    for record in org.contacts.values():
        contacts.index(org, record)
    for invoice in org.invoices.values():
        if invoice["Type"] == "ACCREC" and invoice.get("InvoiceNumber"):
            org.invoice_numbers[invoice["InvoiceNumber"]] = invoice["InvoiceID"]
        org.invoices_by_contact.setdefault(invoice["ContactID"], set()).add(
            invoice["InvoiceID"])
        for payment in invoice["Payments"]:
            org.payments[payment["PaymentID"]] = payment     # the very same dict
    for quote in org.quotes.values():
        org.quote_numbers[quote["QuoteNumber"]] = quote["QuoteID"]
    for credit in org.credit_notes.values():
        org.credit_notes_by_contact.setdefault(credit["ContactID"], set()).add(
            credit["CreditNoteID"])
    return org


def restore(sandbox, state):
    store, auth = sandbox.store, sandbox.store.auth
    with store.lock:
        store.contact_count, store.seed = state["contact_count"], state["seed"]
        orgs = store.attach([_org_from(o) for o in state["orgs"]])
        store.orgs = {org.tenant_id: org for org in orgs}
    sandbox.config.jwt_key = base64.b64decode(state["jwt_key"])
    saved = load(state["auth"])
    with auth.lock:
        auth.grants = {}
        for grant_id, values in saved["grants"].items():
            grant = Grant(values["client_id"], values["user_id"])
            grant.id, grant.active = grant_id, values["active"]
            grant.connections, grant.scopes = values["connections"], values["scopes"]
            grant.last_auth_event = values["last_auth_event"]
            auth.grants[grant_id] = grant
        for name in ("refresh_tokens", "access_tokens"):
            setattr(auth, name, {token: dict(info, grant=auth.grants[info["grant"]])
                                 for token, info in saved[name].items()})
    webhooks = state["webhooks"]
    with sandbox.webhooks.cond:
        sandbox.webhooks.sequence = webhooks["sequence"]
    if webhooks["subscription"]:
        sandbox.webhooks.subscribe(**webhooks["subscription"])
    for entry in state["idempotency"]:
        reply = Reply(entry["status"], base64.b64decode(entry["body"]),
                      headers=entry["headers"])
        sandbox.idempotency.remember(entry["tenant_id"], entry["key"], reply)


class Persistence:
    """Loads the state file at start, saves it after changes and at shutdown."""

    def __init__(self, sandbox, path):
        self.sandbox, self.path = sandbox, os.path.abspath(path)
        self.cond = threading.Condition()
        self.dirty_since, self.stopped = None, False
        self.write_lock = threading.Lock()
        self.thread = None

    def load(self):
        if not os.path.exists(self.path):
            return False
        with open(self.path, encoding="utf-8") as handle:
            restore(self.sandbox, json.load(handle))
        return True

    def start(self):
        self.thread = threading.Thread(target=self._run, name="state-file", daemon=True)
        self.thread.start()

    def mark_dirty(self):
        with self.cond:
            if self.dirty_since is None:
                self.dirty_since = time.monotonic()
                self.cond.notify_all()

    def save(self):
        text = json.dumps(snapshot(self.sandbox), separators=(",", ":"))
        with self.write_lock:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            temp = "%s.tmp-%d" % (self.path, os.getpid())
            with open(temp, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)

    def _run(self):
        while True:
            with self.cond:
                while not self.stopped and self.dirty_since is None:
                    self.cond.wait()
                if self.stopped:
                    return
                # At most DEBOUNCE_SECONDS after the first change: a stream of
                # changes cannot postpone the save forever.
                wait = self.dirty_since + DEBOUNCE_SECONDS - time.monotonic()
                if wait > 0:
                    self.cond.wait(wait)
                    continue
                self.dirty_since = None
            self.save()

    def close(self):
        """Stop the saver and write the final state."""
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        if self.thread is not None:
            self.thread.join(5)
        self.save()
