"""In-memory state: organisations with their data, and the OAuth grants.

Each organisation has its own re-entrant lock: handlers hold it for the whole
read-modify-write of a request, so concurrent requests to one organisation are
serialised (as Xero's own per-organisation consistency appears to clients) and
requests to different organisations never wait on each other.  The OAuth state
is small and shares one lock.
"""
import threading
import uuid

DEMO_ORG_NAME = "Demo Company (Global)"
SECOND_ORG_NAME = "Sandbox Second Org Ltd"
DEMO_USER = {"name": "Demo User", "given_name": "Demo", "family_name": "User",
             "email": "demo.user@example.com"}
DEMO_USER_ID = str(uuid.uuid5(uuid.NAMESPACE_DNS, "demo.user@xero-sandbox.local"))


def tenant_id_for(name):
    """Deterministic tenant ids: the same org name always has the same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


class Org:
    def __init__(self, name, short_code, base_currency, country_code, currencies):
        self.tenant_id = tenant_id_for(name)
        self.name = name
        self.short_code = short_code
        self.base_currency = base_currency
        self.country_code = country_code
        self.enabled_currencies = list(currencies)
        self.lock = threading.RLock()
        self.organisation = {}
        self.accounts = []
        self.tax_rates = []
        self.currencies = []
        self.contacts = {}            # ContactID -> record
        self.invoices = {}            # InvoiceID -> record
        self.history = {}             # ContactID/InvoiceID -> [record]
        self.contact_names = {}       # lower(Name) -> ContactID (archived included)
        self.account_numbers = {}     # lower(AccountNumber) -> ContactID
        self.contact_numbers = {}     # lower(ContactNumber) -> ContactID
        self.invoice_numbers = {}     # InvoiceNumber (ACCREC) -> InvoiceID
        self.invoices_by_contact = {}  # ContactID -> set(InvoiceID)
        self.invoice_seq = 0
        self.payments = {}            # PaymentID -> the dict in its invoice's Payments
        self.credit_notes = {}        # CreditNoteID -> record
        self.credit_notes_by_contact = {}  # ContactID -> set(CreditNoteID)
        self.credit_note_seq = 0
        self.items = {}               # ItemID -> record
        self.tracking = []            # tracking categories, each with its Options
        self.branding_themes = []
        self.quotes = {}              # QuoteID -> record (accounting/quotes.py)
        self.quote_numbers = {}       # QuoteNumber -> QuoteID
        self.quote_seq = 0
        self.currency_rates = {}      # code -> Decimal, overrides of currencies.DEFAULT_RATES
        self.on_event = None          # set by the Store: webhooks hear of every change
        self.version = 0              # bumped on every write: caches key on it
        self._sorted_cache = {}

    # --- lookups used by the resource modules -------------------------------
    def account_by_code(self, code):
        return next((a for a in self.accounts if a["Code"] == code), None)

    def tax_rate(self, tax_type):
        return next((t for t in self.tax_rates if t["TaxType"] == tax_type), None)

    def touch(self):
        self.version += 1

    def emit(self, category, event_type, resource_id, data=None):
        """A change webhook subscribers hear of (CONTACT, INVOICE, CREDITNOTE)."""
        if self.on_event is not None:
            self.on_event(self, category, event_type, resource_id, data)

    def cached(self, key, build):
        """Memoise an expensive derived list (e.g. contacts sorted by name)
        until the next write; listing 10,000 contacts page by page stays fast."""
        hit = self._sorted_cache.get(key)
        if hit and hit[0] == self.version:
            return hit[1]
        value = build()
        if any(version != self.version for version, _v in self._sorted_cache.values()):
            # what an earlier write made stale is never read again
            self._sorted_cache = {k: v for k, v in self._sorted_cache.items()
                                  if v[0] == self.version}
        self._sorted_cache[key] = (self.version, value)
        return value

    def summary(self):
        return {"tenant_id": self.tenant_id, "name": self.name,
                "short_code": self.short_code, "base_currency": self.base_currency}


class Grant:
    """A user's consent to the app: the connections it opened and its tokens."""

    def __init__(self, client_id, user_id):
        self.id = str(uuid.uuid4())
        self.client_id = client_id
        self.user_id = user_id
        self.active = True
        self.connections = {}         # tenant_id -> connection dict
        self.scopes = set()
        self.last_auth_event = None


class AuthState:
    """Authorize requests, codes, grants and tokens, reset together."""

    def __init__(self):
        self.lock = threading.RLock()
        self.pending = {}             # request_id -> authorize params
        self.codes = {}               # code -> dict
        self.grants = {}              # grant id -> Grant
        self.refresh_tokens = {}      # token -> dict(grant, scope, created, used)
        self.access_tokens = {}       # jti -> dict(grant, exp, expired)

    def user_grant(self, client_id, user_id):
        return next((g for g in self.grants.values() if g.active
                     and g.client_id == client_id and g.user_id == user_id), None)

    def revoke(self, grant):
        grant.active = False
        grant.connections.clear()
        for info in self.refresh_tokens.values():
            if info["grant"] is grant:
                info["revoked"] = True
        for info in self.access_tokens.values():
            if info["grant"] is grant:
                info["expired"] = True


class Store:
    def __init__(self, contacts=60, seed=0):
        self.lock = threading.RLock()
        self.event_sink = None        # webhooks.publish, once a server owns the store
        self.reset(contacts, seed)

    def attach(self, orgs):
        """Changes in these organisations reach the event sink (seeding came first)."""
        for org in orgs:
            org.on_event = self._event
        return orgs

    def _event(self, org, *event):
        if self.event_sink is not None:
            self.event_sink(org, *event)

    def reset(self, contacts=None, seed=None):
        from .seed import build_orgs  # seed imports the resource modules
        with self.lock:
            if contacts is not None:
                self.contact_count = int(contacts)
            if seed is not None:
                self.seed = seed
            orgs = self.attach(build_orgs(self.contact_count, self.seed))
            self.orgs = {org.tenant_id: org for org in orgs}
            self.auth = AuthState()

    def add_orgs(self, count, contacts, prefix):
        """``count`` more organisations named "<prefix> <n>" (first free numbers)."""
        from .seed import build_extra_org
        with self.lock:
            taken = {org.name for org in self.orgs.values()}
            added, number = [], 0
            while len(added) < count:
                number += 1
                name = "%s %d" % (prefix, number)
                if name not in taken:
                    added.append(build_extra_org(name, contacts, self.seed))
            self.attach(added)
            # Swap in a new dict: other threads may be iterating the old one.
            self.orgs = dict(self.orgs, **{org.tenant_id: org for org in added})
            return added

    def org(self, tenant_id):
        return self.orgs.get((tenant_id or "").strip().lower())
