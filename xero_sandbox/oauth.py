"""Xero's identity and login hosts: consent, codes, tokens, revocation, connections.

Access tokens are HS256 JWTs signed with a per-process key, *and* registered by
their ``jti`` so the sandbox can expire or revoke them on demand (control API),
which a pure signature check could not do.  Refresh tokens are opaque, single
use, and die with their grant.
"""
import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from urllib.parse import urlencode, urlsplit

from . import pages, xero_json
from .store import DEMO_USER, DEMO_USER_ID, Grant
from .web import html_reply, json_reply, redirect

ACCESS_TOKEN_SECONDS = 1800
# A spent refresh token may be sent again this long, until its successor is used.
REFRESH_RETRY_SECONDS = 1800
CODE_SECONDS = 300
REFRESH_IDLE_SECONDS = 60 * 24 * 3600
KNOWN_SCOPES = set(pages.SCOPE_LABELS) | {
    "accounting.attachments", "accounting.attachments.read", "accounting.budgets.read",
    "accounting.journals.read", "accounting.reports.read", "accounting.banktransactions",
    "accounting.banktransactions.read", "accounting.manualjournals",
    "accounting.manualjournals.read", "paymentservices"}


def _b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jwt(key, claims):
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (header, payload, _b64(signature))


def read_jwt(key, token):
    """Claims of a token signed by us, or None."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(key, ("%s.%s" % (header, payload)).encode(),
                            hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        return json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return None


class OAuth:
    def __init__(self, sandbox):
        self.sandbox = sandbox

    @property
    def auth(self):
        return self.sandbox.store.auth

    @property
    def config(self):
        return self.sandbox.config

    # --- login host ----------------------------------------------------------
    def redirect_allowed(self, uri):
        if self.config.redirect_uris:
            return uri in self.config.redirect_uris
        parts = urlsplit(uri or "")
        return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1",
                                                                        "localhost")

    def authorize_get(self, request):
        args = {k: v[-1] for k, v in request.query.items()}
        if args.get("client_id") != self.config.client_id:
            return html_reply(400, pages.error_page("unauthorized_client",
                                                    "Unknown client or client not enabled"))
        redirect_uri = args.get("redirect_uri", "")
        if not self.redirect_allowed(redirect_uri):
            return html_reply(400, pages.error_page("invalid_request",
                                                    "Invalid redirect_uri"))
        state = args.get("state")
        scopes = [s for s in args.get("scope", "").split() if s]
        problem = None
        if args.get("response_type") != "code":
            problem = ("unsupported_response_type", "response_type must be code")
        elif not scopes or any(s not in KNOWN_SCOPES for s in scopes):
            problem = ("invalid_scope", "Unknown or missing scope")
        elif args.get("code_challenge") and args.get("code_challenge_method") != "S256":
            problem = ("invalid_request", "code_challenge_method must be S256")
        if problem:
            return redirect(self._back(redirect_uri, error=problem[0],
                                       error_description=problem[1], state=state))
        request_id = secrets.token_urlsafe(16)
        with self.auth.lock:
            self.auth.pending[request_id] = dict(
                redirect_uri=redirect_uri, state=state, scopes=scopes,
                challenge=args.get("code_challenge"), nonce=args.get("nonce"),
                expires=time.time() + 1800)
        return self._consent(request_id, scopes)

    def _consent(self, request_id, scopes, error=None, status=200):
        return html_reply(status, pages.consent_page(
            self.config.app_name, DEMO_USER, scopes, list(self.sandbox.store.orgs.values()),
            request_id, error))

    @staticmethod
    def _back(uri, **params):
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return uri + ("&" if "?" in uri else "?") + query

    def authorize_post(self, request):
        form = {k: v for k, v in request.form().items()}
        request_id = (form.get("request_id") or [""])[-1]
        with self.auth.lock:
            pending = self.auth.pending.get(request_id)
            if pending is None or pending["expires"] < time.time():
                return html_reply(400, pages.error_page(
                    "invalid_request", "This authorisation request has expired"))
            decision = (form.get("decision") or [""])[-1]
            if decision != "allow":
                del self.auth.pending[request_id]
                return redirect(self._back(pending["redirect_uri"], error="access_denied",
                                           state=pending["state"]))
            tenants = [t for t in form.get("tenant_id", []) if self.sandbox.store.org(t)]
            wants_org = any(s.startswith("accounting.") for s in pending["scopes"])
            if wants_org and not tenants:
                return self._consent(request_id, pending["scopes"],
                                     "Select at least one organisation to connect.", 400)
            del self.auth.pending[request_id]
            grant = self._grant_for(tenants, pending["scopes"])
            code = secrets.token_urlsafe(32)
            self.auth.codes[code] = dict(pending, grant=grant, used=False,
                                         auth_event_id=grant.last_auth_event,
                                         expires=time.time() + CODE_SECONDS)
        return redirect(self._back(pending["redirect_uri"], code=code,
                                   scope=" ".join(pending["scopes"]), state=pending["state"],
                                   session_state=secrets.token_urlsafe(12)))

    def _grant_for(self, tenant_ids, scopes):
        grant = self.auth.user_grant(self.config.client_id, DEMO_USER_ID)
        if grant is None:
            grant = Grant(self.config.client_id, DEMO_USER_ID)
            self.auth.grants[grant.id] = grant
        grant.scopes |= set(scopes)
        grant.last_auth_event = str(uuid.uuid4())
        # Real Xero omits the zone ("...19.5165400"); the spec says date-time,
        # so the sandbox adds "Z": both parse with isoparse/fromisoformat.
        stamp = xero_json.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for tenant_id in tenant_ids:
            org = self.sandbox.store.org(tenant_id)
            connection = grant.connections.get(org.tenant_id) or {
                "id": str(uuid.uuid4()), "tenantId": org.tenant_id,
                "tenantType": "ORGANISATION", "createdDateUtc": stamp}
            connection.update(authEventId=grant.last_auth_event, tenantName=org.name,
                              updatedDateUtc=stamp)
            grant.connections[org.tenant_id] = connection
        return grant

    # --- identity host -------------------------------------------------------
    def _client_ok(self, request, form):
        client_id = secret = None
        auth = request.header("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:].strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
        else:
            client_id = (form.get("client_id") or [None])[-1]
            secret = (form.get("client_secret") or [None])[-1]
        return client_id == self.config.client_id and secret is not None and \
            hmac.compare_digest(secret, self.config.client_secret)

    def token(self, request):
        form = request.form()
        grant_type = (form.get("grant_type") or [""])[-1]
        self.sandbox.calls.count_token(grant_type)
        delay = self.sandbox.faults.token_delay()
        if delay:
            self.sandbox.faults.pause(delay)
        if not self._client_ok(request, form):
            return json_reply(401, {"error": "invalid_client"})
        def value(name):
            return (form.get(name) or [""])[-1]
        with self.auth.lock:
            if grant_type == "authorization_code":
                return self._code_grant(value("code"), value("redirect_uri"),
                                        value("code_verifier"))
            if grant_type == "refresh_token":
                return self._refresh_grant(value("refresh_token"))
        return json_reply(400, {"error": "unsupported_grant_type"})

    def _code_grant(self, code, redirect_uri, verifier):
        info = self.auth.codes.get(code)
        if info is None or info["used"] or info["expires"] < time.time():
            return json_reply(400, {"error": "invalid_grant"})
        info["used"] = True      # single use, even when the rest fails
        if info["redirect_uri"] != redirect_uri or not info["grant"].active:
            return json_reply(400, {"error": "invalid_grant"})
        if info["challenge"]:
            digest = _b64(hashlib.sha256(verifier.encode()).digest())
            if not verifier or not hmac.compare_digest(digest, info["challenge"]):
                return json_reply(400, {"error": "invalid_grant"})
        return self._issue(info["grant"], info["scopes"], info["auth_event_id"],
                           info.get("nonce"))

    def _refresh_grant(self, token):
        info = self.auth.refresh_tokens.get(token)
        now = time.time()
        if (info is None or info.get("revoked")
                or info["last_used"] + REFRESH_IDLE_SECONDS < now
                or not info["grant"].active):
            return json_reply(400, {"error": "invalid_grant"})
        if info["used"]:
            # Spent, but Xero takes it again for 30 minutes while the token it
            # was rotated into is unused: the client may never have heard back.
            successor = self.auth.refresh_tokens.get(info.get("successor")) or {}
            if successor.get("used") or now - info.get("used_at", 0) > REFRESH_RETRY_SECONDS:
                return json_reply(400, {"error": "invalid_grant"})
        info["used"], info["used_at"] = True, now      # rotation: the old token is spent
        reply = self._issue(info["grant"], info["scopes"], info["auth_event_id"], None)
        info["successor"] = json.loads(reply.body).get("refresh_token")
        return reply

    def _issue(self, grant, scopes, auth_event_id, nonce):
        now = int(time.time())
        jti = uuid.uuid4().hex
        claims = {"nbf": now, "iat": now, "exp": now + ACCESS_TOKEN_SECONDS,
                  "iss": self.sandbox.url + "/identity", "aud": self.sandbox.url + "/resources",
                  "client_id": grant.client_id, "sub": DEMO_USER_ID, "auth_time": now,
                  "xero_userid": DEMO_USER_ID, "global_session_id": grant.id,
                  "authentication_event_id": auth_event_id, "jti": jti, "scope": scopes}
        self.auth.access_tokens[jti] = {"grant": grant, "exp": now + ACCESS_TOKEN_SECONDS,
                                        "expired": False, "scopes": set(scopes)}
        body = {"access_token": sign_jwt(self.config.jwt_key, claims),
                "expires_in": ACCESS_TOKEN_SECONDS, "token_type": "Bearer",
                "scope": " ".join(scopes)}
        if "offline_access" in scopes:
            refresh = secrets.token_urlsafe(32)
            self.auth.refresh_tokens[refresh] = {
                "grant": grant, "scopes": scopes, "auth_event_id": auth_event_id,
                "used": False, "created": now, "last_used": now}
            body["refresh_token"] = refresh
        if "openid" in scopes:
            id_claims = {"nbf": now, "iat": now, "exp": now + 300, "aud": grant.client_id,
                         "iss": self.sandbox.url + "/identity", "sub": DEMO_USER_ID,
                         "xero_userid": DEMO_USER_ID, "global_session_id": grant.id,
                         "preferred_username": DEMO_USER["email"],
                         "email": DEMO_USER["email"], "given_name": DEMO_USER["given_name"],
                         "family_name": DEMO_USER["family_name"], "name": DEMO_USER["name"]}
            if nonce:
                id_claims["nonce"] = nonce
            body["id_token"] = sign_jwt(self.config.jwt_key, id_claims)
        return json_reply(200, body, {"Cache-Control": "no-store"})

    def revocation(self, request):
        form = request.form()
        self.sandbox.calls.count_revocation()
        if not self._client_ok(request, form):
            return json_reply(401, {"error": "invalid_client"})
        with self.auth.lock:
            info = self.auth.refresh_tokens.get((form.get("token") or [""])[-1])
            if info is not None:
                self.auth.revoke(info["grant"])
        return json_reply(200, {})

    # --- bearer tokens (api host) --------------------------------------------
    def bearer(self, request):
        """(token info, None) for a live access token, else (None, 401 body)."""
        auth = request.header("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        claims = read_jwt(self.config.jwt_key, token) if token else None
        info = self.auth.access_tokens.get(claims.get("jti")) if claims else None
        if info is None:
            return None, xero_json.problem(401, "Unauthorized", "TokenInvalidSignature")
        if info["expired"] or info["exp"] <= time.time() or not info["grant"].active:
            stamp = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(info["exp"]))
            return None, xero_json.problem(
                401, "Unauthorized", "TokenExpired: token expired at %s" % stamp)
        return info, None

    def connections(self, request, connection_id=None):
        info, problem = self.bearer(request)
        if problem:
            return json_reply(401, problem, {"WWW-Authenticate": "Bearer"})
        grant = info["grant"]
        with self.auth.lock:
            if request.method == "DELETE" and connection_id:
                tenant = next((t for t, c in grant.connections.items()
                               if c["id"] == connection_id.lower()), None)
                if tenant is None:
                    return json_reply(404, xero_json.problem(404, "NotFound",
                                                             "Connection not found"))
                del grant.connections[tenant]
                return json_reply(204, b"")
            if request.method != "GET" or connection_id:
                return json_reply(405, xero_json.problem(405, "MethodNotAllowed", ""))
            event = (request.query.get("authEventId") or [None])[-1]
            items = [dict(c) for c in grant.connections.values()
                     if not event or c["authEventId"] == event]
        return json_reply(200, items)
