"""Xero's web app, as far as links from an integration reach it.

``/organisationlogin/default.aspx?shortcode=<ShortCode>&redirecturl=<page>``
(go.xero.com) opens a contact (``/Contacts/View/<ContactID>``) or an invoice
(``/AccountsReceivable/View.aspx?InvoiceID=<id>``) or a quote
(``/Accounts/Receivable/Quotes/View/<QuoteID>``) of the organisation with
that short code; ``/online-invoice/<token>`` is the customer's page that
``GET /Invoices/{id}/OnlineInvoice`` hands out (in.xero.com).

Integrations do not always encode ``redirecturl``: an unencoded "?" and "="
inside it arrive as part of the value (the query is split on "&" first), and an
encoded one is decoded by the query parser; both lead to the same page.
"""
import re
import threading
from urllib.parse import unquote

from . import record_pages
from .accounting.invoices import find_invoice, online_token
from .web import html_reply

LOGIN_PATH = "/organisationlogin/default.aspx"
ONLINE_PREFIX = "/online-invoice/"
_ID = r"([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})"
_CONTACT = re.compile(r"^/Contacts/View/%s/?$" % _ID, re.I)
_INVOICE_PAGE = re.compile(r"^/(?:AccountsReceivable|AccountsPayable)/View\.aspx", re.I)
_INVOICE_ID = re.compile(r"[?&]InvoiceID=%s" % _ID, re.I)
_QUOTE = re.compile(r"^/Accounts/Receivable/Quotes/View/%s/?$" % _ID, re.I)


def _not_found(what):
    return html_reply(404, record_pages.not_found_page(what))


class DeepLinks:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.lock = threading.Lock()
        self.tokens = {}              # online token -> (tenant_id, invoice_id)

    def handles(self, lowered_path):
        return lowered_path == LOGIN_PATH or lowered_path.startswith(ONLINE_PREFIX)

    def handle(self, request):
        if request.method not in ("GET", "HEAD"):
            return html_reply(405, record_pages.not_found_page("Only GET is supported here."))
        if request.path.lower().startswith(ONLINE_PREFIX):
            return self.online_invoice(request.path[len(ONLINE_PREFIX):].strip("/"))
        return self.login(request)

    def login(self, request):
        def arg(name):
            return next((v[-1] for k, v in request.query.items()
                         if k.lower() == name.lower()), "")
        short_code = arg("shortcode").strip()
        org = next((o for o in self.sandbox.store.orgs.values()
                    if o.short_code == short_code), None)
        if org is None:
            return _not_found("No organisation has the short code %r." % short_code)
        target = arg("redirecturl").strip()
        if "%2f" in target.lower() or "%3f" in target.lower():
            target = unquote(target)          # encoded twice on the way
        found = _CONTACT.match(target)
        with org.lock:
            if found:
                record = org.contacts.get(found.group(1).lower())
                if record is None:
                    return _not_found("This contact does not exist in %s." % org.name)
                return html_reply(200, record_pages.contact_page(org, record))
            found = _QUOTE.match(target)
            if found:
                record = org.quotes.get(found.group(1).lower())
                if record is None:
                    return _not_found("This quote does not exist in %s." % org.name)
                return html_reply(200, record_pages.quote_page(org, record))
            if _INVOICE_PAGE.match(target):
                wanted = _INVOICE_ID.search(target)
                invoice_id = wanted.group(1) if wanted else arg("InvoiceID")
                invoice = find_invoice(org, invoice_id) if invoice_id else None
                if invoice is None:
                    return _not_found("This invoice does not exist in %s." % org.name)
                return html_reply(200, record_pages.invoice_page(org, invoice))
        return _not_found("The page %r is not part of the sandbox." % target)

    def online_invoice(self, token):
        with self.lock:
            known = self.tokens.get(token)
        if known is None:
            # Tokens are derived from invoice ids: find it, then remember it.
            for org in list(self.sandbox.store.orgs.values()):
                with org.lock:
                    invoice_id = next((i for i in org.invoices if online_token(i) == token),
                                      None)
                if invoice_id:
                    known = (org.tenant_id, invoice_id)
                    with self.lock:
                        self.tokens[token] = known
                    break
        org = self.sandbox.store.org(known[0]) if known else None
        invoice = org.invoices.get(known[1]) if org else None
        if invoice is None or invoice["Type"] != "ACCREC" or invoice["Status"] in (
                "DRAFT", "DELETED"):
            return _not_found("This invoice is not available online.")
        with org.lock:
            return html_reply(200, record_pages.online_invoice_page(org, invoice))
