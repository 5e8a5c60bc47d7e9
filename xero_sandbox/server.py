"""The HTTP server: one address serving Xero's login, identity and api hosts.

``SandboxServer`` owns the state (store, auth, limits, faults, call log) and
routes each request by path prefix.  It runs in-process for tests
(``start()`` / ``stop()``) or as ``python -m xero_sandbox``.
"""
import secrets
import socket
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
        reply = self.server.sandbox.dispatch(request)
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


class SandboxServer:
    def __init__(self, host="127.0.0.1", port=0, contacts=60, seed=0,
                 client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET,
                 redirect_uris=(), minute_limit=60, day_limit=5000, concurrent_limit=5,
                 latency_per_call=0.0, latency_per_item=0.0, state_file=None,
                 check_spec=False, spec_path=None):
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
        self.httpd = _HTTPServer((host, port), _Handler)
        self.httpd.sandbox = self
        self._thread = None
        self._closed = False
        self.persistence = Persistence(self, state_file) if state_file else None
        if self.persistence:
            self.persistence.load()
            self.persistence.start()

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
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

    def dispatch(self, request):
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
        """Serve on a background thread; returns self (``.url`` is ready)."""
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever(poll_interval=0.2)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.close()
        if self._thread:
            self._thread.join(5)

    def close(self):
        """Background threads stop; the state file (if any) gets the final state."""
        if self._closed:
            return
        self._closed = True
        self.webhooks.stop()
        if self.persistence is not None:
            self.persistence.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

