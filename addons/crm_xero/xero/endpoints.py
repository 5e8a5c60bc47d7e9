"""Where Xero lives, and links into Xero's web app.

Defaults are real Xero; the sandbox serves all of them from one address
(``XeroEndpoints.single(url)``).  Plain http is allowed for loopback
addresses only (the local sandbox), checked per URL where a call is made:
nothing process-wide is switched on for it.
"""

import dataclasses
import ipaddress
from urllib.parse import quote, urlsplit

from .errors import XeroConfigError, _lt


@dataclasses.dataclass(frozen=True)
class XeroEndpoints:
    login_url: str = "https://login.xero.com"
    identity_url: str = "https://identity.xero.com"
    api_url: str = "https://api.xero.com"
    go_url: str = "https://go.xero.com"

    def __post_init__(self):
        for field in ("login_url", "identity_url", "api_url", "go_url"):
            value = (getattr(self, field) or "").strip().rstrip("/")
            if not value:
                raise XeroConfigError(
                    _lt("The Xero address %(what)s is empty; an administrator can set it in "
                        "Settings > CRM > Xero."), what=field.replace("_", " "))
            object.__setattr__(self, field, value)

    @classmethod
    def single(cls, base_url):
        base = base_url.rstrip("/")
        return cls(login_url=base, identity_url=base, api_url=base, go_url=base)

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
    """https everywhere; plain http only to this machine (the sandbox)."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return url
    raise XeroConfigError(
        _lt("The Xero address %(url)s is not secure (https is required); an administrator can "
            "correct it in Settings."), url=url)


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except (TypeError, ValueError):
        return False
