"""The HTTP servers: Xero's login, identity, api and go hosts on two addresses.

* ``url`` (HTTPS, with the certificate of a local CA, ``tls.py``): everything,
  and the only way to Xero's identity (token, revocation) and API hosts
  (connections, Accounting API), as with Xero, which is https only;
* ``browser_url`` (plain HTTP, meant for 127.0.0.1): the pages a person's
  browser opens (the consent page, links into Xero's web app, online
  invoices) and the control API, so that a browser that does not trust the
  local CA shows no certificate warning.  Token, revocation, connections and
  API calls are refused there (403).

``SandboxServer`` owns the state (store, auth, limits, faults, call log) and
routes each request by path prefix.  It runs in-process for tests
(``start()`` / ``stop()``) or as ``python -m xero_sandbox``.
"""
import secrets
import shutil
import socket
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import xero_json
from .api import PREFIX, Api
from .calls import CallLog
from .control import Control
from .deep_links import DeepLinks
from .faults import Faults
from .latency import Latency
from .limits import Idempotency, Limits
from .oauth import OAuth
from .persistence import Persistence
from .spec_check import SpecCheck
from .store import Store
from .web import Request, json_reply
from .webhooks import Webhooks

DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"


@dataclass
class Config:
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    redirect_uris: list = field(default_factory=list)
    app_name: str = "CRM Xero (sandbox app)"
    jwt_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive: SDK and requests sessions reuse connections, which
    # matters when a benchmark makes hundreds of calls.
    protocol_version = "HTTP/1.1"
    server_version = "XeroSandbox/1.0"

    def _serve(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, parts.path, parts.query, dict(self.headers), body)
        reply = self.server.sandbox.dispatch(request, secure=self.server.secure)
        if reply.drop:
            # The write is committed; the client sees the connection vanish.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format, *args):   # the call log replaces access logs
        pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    secure = False


class _HTTPSServer(_HTTPServer):
    """TLS on each accepted connection, in that connection's own thread: a
    slow handshake never holds the accepting loop."""

    secure = True
    handshake_timeout = 10

    def __init__(self, address, handler, context):
        super().__init__(address, handler)
        self.context = context

    def finish_request(self, request, client_address):
        request.settimeout(self.handshake_timeout)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (OSError, ValueError):   # not TLS, or the client gave up
            return
        try:
            tls.settimeout(None)
            super().finish_request(tls, client_address)
        finally:
            # The plain socket was handed over to ``tls``: close this one.
            self.shutdown_request(tls)


# What Xero serves on its identity and API hosts only, which are https only.
_HTTPS_ONLY = ("/connect/", "/connections", "/api.xro/")


class SandboxServer:
    def __init__(self, host="127.0.0.1", port=0, contacts=60, seed=0,
                 client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET,
                 redirect_uris=(), minute_limit=60, day_limit=5000, concurrent_limit=5,
                 latency_per_call=0.0, latency_per_item=0.0, state_file=None,
                 check_spec=False, spec_path=None, tls_dir=None, browser_port=0,
                 tls_names=()):
        """``tls_dir``: where the local CA and the certificate are (made if
        missing; default: a temporary directory, removed at ``close()``).
        ``browser_port``: the plain-HTTP address's port (0: a free one)."""
        self.config = Config(client_id=client_id, client_secret=client_secret,
                             redirect_uris=list(redirect_uris))
        self.store = Store(contacts, seed)
        self.limits = Limits(minute_limit, day_limit, concurrent_limit)
        self.faults = Faults()
        self.latency = Latency(latency_per_call, latency_per_item)
        self.idempotency = Idempotency()
        self.calls = CallLog()
        # Parsed before serving: the first request must not wait for the YAML.
        self.spec_check = SpecCheck(spec_path) if check_spec else None
        self.webhooks = Webhooks(self)
        self.store.event_sink = self.webhooks.publish
        self.oauth = OAuth(self)
        self.api = Api(self)
        self.control = Control(self)
        self.deep_links = DeepLinks(self)
        # Imported here: ``python -m xero_sandbox.tls`` must find it unimported.
        from .tls import ensure as ensure_tls
        from .tls import server_context
        self._own_tls_dir = None
        if tls_dir is None:
            tls_dir = self._own_tls_dir = tempfile.mkdtemp(prefix="xero_sandbox_ca_")
        self.tls_dir = tls_dir
        self.ca_file = ensure_tls(tls_dir, tls_names)
        self.httpd = _HTTPSServer((host, port), _Handler, server_context(tls_dir))
        self.httpd.sandbox = self
        self.browser_httpd = _HTTPServer((host, browser_port), _Handler)
        self.browser_httpd.sandbox = self
        self._threads = []
        self._closed = False
        self.persistence = Persistence(self, state_file) if state_file else None
        if self.persistence:
            self.persistence.load()
            self.persistence.start()

    @property
    def url(self):
        """HTTPS: Xero's identity and API hosts (and everything else)."""
        host, port = self.httpd.server_address[:2]
        return "https://%s:%d" % (host, port)

    @property
    def browser_url(self):
        """Plain HTTP: the pages a browser opens, and the control API."""
        host, port = self.browser_httpd.server_address[:2]
        return "http://%s:%d" % (host, port)

    @property
    def tenant_ids(self):
        return [org.tenant_id for org in self.store.orgs.values()]

    def reset(self, contacts=None, seed=None):
        self.store.reset(contacts, seed)
        self.limits.reset()
        self.faults.reset()
        self.latency.reset()
        self.webhooks.reset()
        self.idempotency.reset()
        self.calls.reset()
        xero_json.reset_clock()
        self._changed()

    def _changed(self):
        if self.persistence is not None:
            self.persistence.mark_dirty()

    def dispatch(self, request, secure=True):
        if not secure and request.path.lower().startswith(_HTTPS_ONLY):
            return json_reply(403, {
                "error": "https_required",
                "error_description": "Xero's identity and API hosts answer over HTTPS only: "
                                     "use %s" % self.url})
        reply = self._route(request)
        # Every state change arrives as a POST, PUT or DELETE (API, OAuth, control).
        if request.method in ("POST", "PUT", "DELETE"):
            self._changed()
        return reply

    def _route(self, request):
        path = request.path
        lowered = path.lower()
        try:
            if lowered.startswith(PREFIX.lower() + "/"):
                request.path = PREFIX + path[len(PREFIX):]
                return self.api.handle(request)
            if lowered.startswith("/_sandbox/"):
                return self.control.handle(request)
            if self.deep_links.handles(lowered):
                return self.deep_links.handle(request)
            if lowered == "/identity/connect/authorize":
                if request.method == "POST":
                    return self.oauth.authorize_post(request)
                return self.oauth.authorize_get(request)
            if lowered == "/connect/token" and request.method == "POST":
                return self.oauth.token(request)
            if lowered == "/connect/revocation" and request.method == "POST":
                return self.oauth.revocation(request)
            parts = [p for p in lowered.split("/") if p]
            if parts and parts[0] == "connections" and len(parts) <= 2:
                # The SDK writes /Connections/{id}, Xero documents /connections.
                connection_id = parts[1] if len(parts) == 2 else None
                reply = self.oauth.connections(request, connection_id)
                operation = "%s /connections%s" % (request.method,
                                                   "/{id}" if connection_id else "")
                self.calls.record(None, request.method, path, request.query_string,
                                  reply.status, None, operation)
                return reply
        except Exception:   # a sandbox bug: answer 500 and show the traceback
            traceback.print_exc()
            return json_reply(500, {"error": "sandbox error"})
        return json_reply(404, xero_json.problem(404, "NotFound", "No route for %s" % path))

    # --- lifecycle -------------------------------------------------------------
    def start(self):
        """Serve on background threads; returns self (``.url`` is ready)."""
        for httpd in (self.httpd, self.browser_httpd):
            thread = threading.Thread(target=httpd.serve_forever,
                                      kwargs={"poll_interval": 0.1}, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def serve_forever(self):
        """Both addresses, until ``shutdown()`` (from another thread)."""
        browser = threading.Thread(target=self.browser_httpd.serve_forever,
                                   kwargs={"poll_interval": 0.2}, daemon=True)
        browser.start()
        self._threads.append(browser)
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self):
        for httpd in (self.httpd, self.browser_httpd):
            httpd.shutdown()

    def server_close(self):
        for httpd in (self.httpd, self.browser_httpd):
            httpd.server_close()

    def stop(self):
        self.shutdown()
        self.server_close()
        self.close()
        for thread in self._threads:
            thread.join(5)

    def close(self):
        """Background threads stop; the state file (if any) gets the final state."""
        if self._closed:
            return
        self._closed = True
        self.webhooks.stop()
        if self.persistence is not None:
            self.persistence.close()
        if self._own_tls_dir:
            shutil.rmtree(self._own_tls_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

