"""Xero's webhooks: the signature check and the events (no Odoo).

Xero signs each delivery: ``x-xero-signature`` is the base64 HMAC-SHA256 of
the raw body with the app's webhook key.  Events are thin (which resource
changed, not how): the addon re-reads the resources from Xero and never
trusts the body beyond the ids.  See xero-webhooks.yaml and XERO.md.
"""
import base64
import hashlib
import hmac
import json

from .responses import parse_xero_datetime

CATEGORIES = ("CONTACT", "INVOICE", "CREDITNOTE")


def signature(body, key):
    """What Xero sends in ``x-xero-signature`` for ``body`` (bytes)."""
    digest = hmac.new((key or "").encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed(body, key, header):
    """Whether ``header`` is Xero's signature of ``body`` with ``key``,
    compared in constant time.  No key, no header: not signed."""
    if not key or not header:
        return False
    return hmac.compare_digest(signature(body, key), header.strip())


def events(body):
    """The events of a delivery, as dicts with the fields Odoo keeps, the
    categories it handles only; a body that is not Xero's shape gives none.

    ``{"tenant_id", "category", "event_type", "resource_id", "event_date"}``"""
    try:
        payload = json.loads(body.decode("utf-8")) if body else {}
    except (ValueError, UnicodeDecodeError):
        return []
    out = []
    for event in (payload.get("events") or []) if isinstance(payload, dict) else []:
        if not isinstance(event, dict):
            continue
        category = str(event.get("eventCategory") or "").upper()
        resource_id = str(event.get("resourceId") or "").strip().lower()
        tenant_id = str(event.get("tenantId") or "").strip().lower()
        if category not in CATEGORIES or not resource_id or not tenant_id:
            continue
        out.append({
            "tenant_id": tenant_id, "category": category, "resource_id": resource_id,
            "event_type": str(event.get("eventType") or "").upper()[:20],
            "event_date": parse_xero_datetime(event.get("eventDateUtc")),
        })
    return out
