"""The far side of every test: one real Xero sandbox for the whole test run.

`sandbox_url()` starts `python -m xero_sandbox` on free 127.0.0.1 ports the first
time it is called (or uses XERO_SANDBOX_URL when set) and stops it by its process
id when the test process exits. It serves Xero's identity and API hosts over
HTTPS with the certificate of the local CA in var/ca (XERO_SANDBOX_CA names
another), and the browser's pages also on plain HTTP (`SandboxClient.browser_url`).
`SandboxClient` drives the sandbox's control API (/_sandbox/..., over HTTPS,
trusting that CA) and plays the browser on its consent page.
"""
import atexit
import base64
import collections
import contextlib
import hashlib
import os
import secrets
import socket
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse, urlsplit

import psutil
import requests

REPO_ROOT = Path(__file__).resolve().parents[3]
# The local CA that `make` (scripts/bootstrap.sh) creates; a sandbox started
# here makes it if missing.
TLS_DIR = REPO_ROOT / "var" / "ca"
CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
REDIRECT_URI = "http://127.0.0.1:8069/crm_xero/oauth/callback"
SCOPES = ["openid", "profile", "email", "offline_access", "accounting.contacts",
          "accounting.settings.read", "accounting.invoices"]
TIMEOUT = 30
DEMO_CONTACTS = 60   # the sandbox's default demo organisation size

_sandbox = {}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Starts the sandbox and says its pid: the sandbox is then no child of the test
# process, whose children Odoo 19.0 terminates at the end of each test class
# (harness.py), while this one sandbox serves the whole run.
_LAUNCHER = "import subprocess, sys; print(subprocess.Popen(sys.argv[1:]).pid, flush=True)"


def _stop_sandbox():
    pid = _sandbox.get("pid")
    if not pid:
        return
    with contextlib.suppress(psutil.NoSuchProcess):   # gone already
        process = psutil.Process(pid)
        process.terminate()
        gone, _alive = psutil.wait_procs([process], timeout=10)
        if not gone and process.status() != psutil.STATUS_ZOMBIE:
            process.kill()


def sandbox_url():
    """HTTPS URL of the test run's sandbox, started on first use."""
    if os.environ.get("XERO_SANDBOX_URL"):
        return os.environ["XERO_SANDBOX_URL"].rstrip("/")
    if "url" not in _sandbox:
        port = _free_port()
        launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER,
             sys.executable, "-m", "xero_sandbox", "--host", "127.0.0.1", "--port", str(port),
             "--browser-port", "0", "--tls-dir", str(TLS_DIR),
             "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
             # every request checked against Xero's OpenAPI spec, reported on stderr
             "--check-spec"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
        )
        _sandbox["pid"] = int(launcher.stdout.readline())
        launcher.wait()
        atexit.register(_stop_sandbox)
        # The sandbox prints its addresses and CA once it listens.
        line = launcher.stdout.readline()
        if "listening on" not in line:
            _stop_sandbox()
            raise RuntimeError(f"xero_sandbox did not start (said {line!r})")
        _sandbox["url"] = line.rsplit(" ", 1)[-1].strip()
        # Whatever else it prints is read and dropped for as long as it runs:
        # its pipe never fills up, nor is it closed under it.
        threading.Thread(target=collections.deque, args=(launcher.stdout, 0), daemon=True,
                         name="xero-sandbox-stdout").start()
    return _sandbox["url"]


def sandbox_ca_file():
    """The CA certificate the sandbox's HTTPS certificate comes from."""
    return os.environ.get("XERO_SANDBOX_CA") or str(TLS_DIR / "ca.pem")


def sandbox_tls_dir():
    """Where that CA and the sandbox's certificate and key are."""
    return os.path.dirname(sandbox_ca_file())


class _InputCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def _form_inputs(html):
    collector = _InputCollector()
    collector.feed(html)
    return collector.inputs


def fingerprint(token):
    """How the sandbox's ``grants()`` shows a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class SandboxClient:
    """Test-side remote control of the sandbox.  ``url``: its HTTPS address
    (identity, API, control); ``browser_url``: its plain-HTTP one for the
    pages a browser opens (consent, links into Xero)."""

    def __init__(self, url=None, ca_file=None):
        self.url = url or sandbox_url()
        self.ca_file = ca_file or sandbox_ca_file()
        self.http = requests.Session()
        self._info = None

    def _call(self, method, path, **kwargs):
        response = self.http.request(method, f"{self.url}/_sandbox/{path}", timeout=TIMEOUT,
                                     verify=self.ca_file, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    @property
    def browser_url(self):
        if self._info is None:
            self._info = self._call("GET", "info")
        return self._info["browser_url"]

    def endpoint_params(self):
        """crm_xero's system parameters for this sandbox: identity and API on
        its HTTPS address with its CA, the browser's pages on plain HTTP."""
        return {"crm_xero.login_url": self.browser_url, "crm_xero.identity_url": self.url,
                "crm_xero.api_url": self.url, "crm_xero.go_url": self.browser_url,
                "crm_xero.ca_file": self.ca_file}

    def reset(self, contacts=DEMO_CONTACTS, **seed):
        """Back to the seeded state, at the demo size unless told otherwise
        (the sandbox otherwise keeps the last size it was given)."""
        return self._call("POST", "reset", json={"contacts": contacts, **seed})

    def orgs(self):
        return self._call("GET", "orgs")

    def stats(self):
        return self._call("GET", "stats")

    def calls(self, since=None):
        return self._call("GET", "calls", params={"since": since} if since else None)["calls"]

    def clear_calls(self):
        return self._call("DELETE", "calls")

    def set_faults(self, **faults):
        return self._call("POST", "faults", json=faults)

    def clear_faults(self):
        return self._call("DELETE", "faults")

    def expire_tokens(self):
        return self._call("POST", "tokens/expire")

    def grants(self):
        """Each grant, its connections and tokens (refresh tokens that still
        work by ``fingerprint``)."""
        return self._call("GET", "grants")["grants"]

    def revoke_grants(self, tenant_id=None):
        return self._call("POST", "grants/revoke",
                          json={"tenant_id": tenant_id} if tenant_id else None)

    def forget_idempotency_keys(self, tenant_id=None):
        """As Xero does after a while: a key sent again runs as a new request."""
        return self._call("POST", "idempotency/forget",
                          json={"tenant_id": tenant_id} if tenant_id else None)["forgotten"]

    # -- Xero's side, read as it is (not through the addon's gateway) ------------
    def _org(self, method, tenant_id, path, **kwargs):
        return self._call(method, f"orgs/{tenant_id}/{path}", **kwargs)

    def contacts(self, tenant_id, **filters):
        """Every contact of the organisation (archived included), full JSON;
        filters: name=, contact_number=, account_number= (exact, any case)."""
        return self._org("GET", tenant_id, "contacts", params=filters)["Contacts"]

    def contact(self, tenant_id, contact_id):
        """One contact with its "History"."""
        return self._org("GET", tenant_id, f"contacts/{contact_id}")

    def invoices(self, tenant_id, **filters):
        """Invoices, full JSON; filters: contact_id=, status=, reference=."""
        return self._org("GET", tenant_id, "invoices", params=filters)["Invoices"]

    def invoice(self, tenant_id, invoice_id):
        return self._org("GET", tenant_id, f"invoices/{invoice_id}")

    def credit_notes(self, tenant_id, **filters):
        return self._org("GET", tenant_id, "credit-notes", params=filters)["CreditNotes"]

    def items(self, tenant_id):
        return self._org("GET", tenant_id, "items")["Items"]

    def tracking_categories(self, tenant_id):
        return self._org("GET", tenant_id, "tracking-categories")["TrackingCategories"]

    def branding_themes(self, tenant_id):
        return self._org("GET", tenant_id, "branding-themes")["BrandingThemes"]

    # -- what an accountant does in Xero's own screens -------------------------
    def create_contact(self, tenant_id, **fields):
        return self._org("POST", tenant_id, "contacts", json=fields)

    def update_contact(self, tenant_id, contact_id, **fields):
        return self._org("POST", tenant_id, f"contacts/{contact_id}", json=fields)

    def create_invoice(self, tenant_id, **fields):
        return self._org("POST", tenant_id, "invoices", json=fields)

    def approve(self, tenant_id, invoice_id, due_date=None):
        return self._org("POST", tenant_id, f"invoices/{invoice_id}/approve",
                         json={"due_date": due_date} if due_date else {})

    def pay(self, tenant_id, invoice_id, amount=None, date=None):
        body = {k: v for k, v in (("amount", amount), ("date", date)) if v is not None}
        return self._org("POST", tenant_id, f"invoices/{invoice_id}/pay", json=body)

    def void(self, tenant_id, invoice_id):
        return self._org("POST", tenant_id, f"invoices/{invoice_id}/void", json={})

    def credit_note(self, tenant_id, **fields):
        return self._org("POST", tenant_id, "credit-notes", json=fields)

    def set_tracking_option(self, tenant_id, category, option, status):
        return self._org("POST", tenant_id,
                         f"tracking-categories/{category}/options/{option}",
                         json={"status": status})

    # -- quotes and currency rates (Xero's side; the customer's answers) -------
    def quotes(self, tenant_id, **filters):
        """Quotes, full JSON; filters: contact_id=, status=, reference=, number=."""
        return self._org("GET", tenant_id, "quotes", params=filters)["Quotes"]

    def quote(self, tenant_id, quote_id):
        """One quote (id or QuoteNumber) with its "History"."""
        return self._org("GET", tenant_id, f"quotes/{quote_id}")

    def quote_action(self, tenant_id, quote_id, action, **body):
        """send (the accountant), accept / decline (the customer, online),
        invoice (Xero's "Create invoice" on an accepted quote)."""
        return self._org("POST", tenant_id, f"quotes/{quote_id}/{action}", json=body)

    def currency_rates(self, tenant_id, **rates):
        """The organisation's day rates; with ``rates`` (EUR=0.93), set first."""
        if rates:
            return self._org("POST", tenant_id, "currency-rates", json=rates)
        return self._org("GET", tenant_id, "currency-rates")

    # -- webhooks, latency, the spec check --------------------------------------
    def subscribe_webhooks(self, url, key, batch_seconds=0.2, retry_seconds=(1, 2)):
        return self._call("POST", "webhooks", json={
            "url": url, "key": key, "batch_seconds": batch_seconds,
            "retry_seconds": list(retry_seconds)})

    def webhooks(self):
        return self._call("GET", "webhooks")

    def spec(self):
        return self._call("GET", "spec")

    # -- the consent page, as a browser would use it ---------------------------
    def consent(self, authorize_url, tenant_ids=None, decision="allow"):
        """Open `authorize_url`, tick `tenant_ids` (default: the page's default
        choice) and press Allow access or Cancel; return the redirect's query."""
        page = self.http.get(authorize_url, timeout=TIMEOUT, verify=self.ca_file)
        page.raise_for_status()
        inputs = _form_inputs(page.text)
        request_ids = [i["value"] for i in inputs if i.get("name") == "request_id"]
        if not request_ids:
            raise AssertionError(f"no consent form on {authorize_url}: {page.text[:300]}")
        form = {"request_id": request_ids[0], "decision": decision}
        if tenant_ids is None:
            tenant_ids = [i["value"] for i in inputs
                          if i.get("name") == "tenant_id" and "checked" in i]
        form["tenant_id"] = list(tenant_ids)
        page_at = urlsplit(authorize_url)     # the form posts back where the page came from
        answer = self.http.post(f"{page_at.scheme}://{page_at.netloc}/identity/connect/authorize",
                                data=form, allow_redirects=False, timeout=TIMEOUT,
                                verify=self.ca_file)
        if answer.status_code != 302:
            raise AssertionError(f"consent answered {answer.status_code}: {answer.text[:300]}")
        location = answer.headers["Location"]
        return location, {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

    def connect(self, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=REDIRECT_URI,
                scopes=tuple(SCOPES), tenant_ids=None):
        """The whole authorisation-code dance; returns the token response."""
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        authorize_url = f"{self.browser_url}/identity/connect/authorize?" + urlencode({
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
            "scope": " ".join(scopes), "state": state,
            "code_challenge": challenge, "code_challenge_method": "S256",
        })
        _location, query = self.consent(authorize_url, tenant_ids=tenant_ids)
        assert query.get("state") == state, query
        token = self.http.post(f"{self.url}/connect/token", auth=(client_id, client_secret), data={
            "grant_type": "authorization_code", "code": query["code"],
            "redirect_uri": redirect_uri, "code_verifier": verifier,
        }, timeout=TIMEOUT, verify=self.ca_file)
        token.raise_for_status()
        return token.json()
