"""Where Xero lives, how its certificates are checked, and links into
Xero's web app.

Defaults are real Xero.  Odoo calls two of the hosts, identity (tokens) and
api: https only, everywhere.  The other two are pages the person's browser
opens (the consent page, links into Xero): https, or plain http to this
machine (the local sandbox serves them so, as a browser does not trust its
CA).  Checked per URL where it is used: nothing process-wide is switched on.

Certificates: real Xero's are checked against certifi's authorities.  A
local Xero (the sandbox) is trusted through ``ca_file``, a CA certificate
for the configured identity and API addresses only, never for Xero's own
hosts.  Every call is given the bundle as a path (``tls_verify``), never
``True``, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment, which
requests would take instead of ``True``, cannot change whom Odoo trusts.
"""

import dataclasses
import ipaddress
import os
from urllib.parse import quote, urlsplit

import certifi

from .errors import XeroConfigError, _lt

XERO_DOMAIN = "xero.com"


@dataclasses.dataclass(frozen=True)
class XeroEndpoints:
    login_url: str = "https://login.xero.com"
    identity_url: str = "https://identity.xero.com"
    api_url: str = "https://api.xero.com"
    go_url: str = "https://go.xero.com"
    # A CA certificate (PEM file) to trust for identity_url and api_url when
    # they are not Xero's own: the local sandbox's.
    ca_file: str = None

    def __post_init__(self):
        for field in ("login_url", "identity_url", "api_url", "go_url"):
            value = (getattr(self, field) or "").strip().rstrip("/")
            if not value:
                raise XeroConfigError(
                    _lt("The Xero address %(what)s is empty; an administrator can set it in "
                        "Settings > CRM > Xero."), what=field.replace("_", " "))
            object.__setattr__(self, field, value)
        object.__setattr__(self, "ca_file", (self.ca_file or "").strip() or None)

    @classmethod
    def local(cls, url, browser_url=None, ca_file=None):
        """A local Xero (the sandbox): identity and API on ``url`` (https),
        the browser's pages on ``browser_url`` (default: ``url``)."""
        browser = (browser_url or url).rstrip("/")
        return cls(login_url=browser, identity_url=url, api_url=url, go_url=browser,
                   ca_file=ca_file)

    def tls_verify(self, url):
        """The CA bundle (a path) that checks the certificate of a call to
        ``url``: ``ca_file`` for the configured identity and API addresses
        when they are not Xero's, certifi's authorities for everything else."""
        if self.ca_file and not is_xero_host(urlsplit(url).hostname) and any(
                _under(url, base) for base in (self.identity_url, self.api_url)):
            if not os.path.isfile(self.ca_file):
                raise XeroConfigError(
                    _lt("The certificate file %(path)s for the local Xero addresses does not "
                        "exist; an administrator can correct the system parameter "
                        "crm_xero.ca_file."), path=self.ca_file)
            return self.ca_file
        return certifi.where()

    @property
    def authorize_url(self):
        return self.login_url + "/identity/connect/authorize"

    @property
    def token_url(self):
        return self.identity_url + "/connect/token"

    @property
    def revoke_url(self):
        return self.identity_url + "/connect/revocation"

    @property
    def connections_url(self):
        return self.api_url + "/connections"

    @property
    def accounting_url(self):
        return self.api_url + "/api.xro/2.0"

    # -- Xero's web app ------------------------------------------------------
    def contact_link(self, short_code, contact_id):
        """Opens the contact in Xero (the organisation chosen by ShortCode)."""
        return self._deep_link(short_code, "/Contacts/View/%s" % contact_id) \
            if contact_id else None

    def invoice_link(self, short_code, invoice_id):
        return self._deep_link(
            short_code, "/AccountsReceivable/View.aspx?InvoiceID=%s" % invoice_id) \
            if invoice_id else None

    def credit_note_link(self, short_code, credit_note_id):
        return self._deep_link(
            short_code, "/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=%s"
            % credit_note_id) if credit_note_id else None

    def _deep_link(self, short_code, redirect):
        if not short_code:
            return None
        return "%s/organisationlogin/default.aspx?shortcode=%s&redirecturl=%s" % (
            self.go_url, quote(short_code, safe="!"), redirect)


def check_secure(url):
    """A URL Odoo calls (identity, API): https only."""
    if urlsplit(url).scheme == "https":
        return url
    raise XeroConfigError(
        _lt("The Xero address %(url)s is not secure (https is required); an administrator can "
            "correct it in Settings."), url=url)


def check_browser_url(url):
    """A page the person's browser opens (consent, links into Xero): https,
    or plain http to this machine only (the local sandbox)."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return url
    return check_secure(url)


def is_xero_host(host):
    host = (host or "").lower().rstrip(".")
    return host == XERO_DOMAIN or host.endswith("." + XERO_DOMAIN)


def _under(url, base):
    url_parts, base_parts = urlsplit(url), urlsplit(base)
    return ((url_parts.scheme, url_parts.netloc.lower()) ==
            (base_parts.scheme, base_parts.netloc.lower())
            and (url_parts.path + "/").startswith(base_parts.path.rstrip("/") + "/"))


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except (TypeError, ValueError):
        return False
