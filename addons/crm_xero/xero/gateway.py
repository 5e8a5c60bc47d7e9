"""The one way out to Xero's Accounting API.

``XeroGateway`` wraps xero-python's ``AccountingApi`` for one organisation and
one access token, and adds what the SDK lacks:

* a timeout on every call (``limits``), and no hidden sleeping: the SDK's
  urllib3 pool retries 429s itself, sleeping ``Retry-After`` inside the
  worker; our pool has ``Retry(total=0)`` and 429 / 5xx / network failures
  are handled here;
* 429: wait ``Retry-After`` only if it is short (``max_wait``), else raise
  ``XeroRateLimited`` at once so a button never hangs;
* 5xx and network failures: exponential backoff with jitter, for reads and
  writes alike (every write carries an ``Idempotency-Key``, so a replay
  cannot duplicate);
* pacing under Xero's per-organisation limits (``pacing.Pacer``, shared by
  the whole process);
* token isolation: each gateway has its own SDK ``Configuration`` /
  ``OAuth2Token`` / ``ApiClient`` whose token getter returns this gateway's
  token only (see ``_new_api_client``), and it never refreshes on its own;
* typed errors (``errors.py``), plain dicts with Xero's JSON field names, and
  ``iter_pages()`` for every paged list;
* the deadline of the request that built it (``deadline.py``): every wait
  (pacer, answer, backoff) is cut to what is left of it, retries included;
* the organisation's day of calls (``day_budget.py``, shared by every worker
  through the database): each answer's ``X-DayLimit-Remaining`` or day 429 is
  recorded, and a call is refused before it leaves when the day is spent, or
  when it is background work and only the reserve kept for people is left;
* smaller answers: ``Accept-Encoding: gzip`` on every call (Xero bills apps
  for what they download), lists read with ``summaryOnly`` where Xero has it.

Logs carry method, path, status and duration only: never tokens or bodies.
"""

import concurrent.futures
import copy
import datetime
import json
import logging
import multiprocessing
import random
import ssl
import threading
import time
import uuid

import certifi
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import ApiException, HTTPStatusException

from . import deadline, limits, responses
from .endpoints import XeroEndpoints, check_secure
from .errors import (
    XeroAuthError,
    XeroError,
    XeroRateLimited,
    XeroTimedOut,
    XeroUnavailable,
    _lt,
    error_for_answer,
    error_for_no_answer,
    header_value,
)
from .pacing import DEFAULT_PACER, INTERACTIVE, PRIORITIES

_logger = logging.getLogger(__name__)

_CONNECT_ERRORS = (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError,
                   ConnectionRefusedError)

# One urllib3 pool per CA bundle for the whole process (thread-safe, keeps
# connections alive) with every urllib3-level retry off: no silent 429
# sleeping, no silent replay of a POST.  Retries are decided in
# XeroGateway._call.  Real Xero's certificates are checked against certifi's
# authorities; a local Xero's against its own CA (``endpoints.tls_verify``),
# in a pool of its own, so that CA is never trusted for anything else.
_NO_RETRY = urllib3.util.Retry(
    total=0, connect=0, read=0, redirect=0, status=0,
    respect_retry_after_header=False, raise_on_status=False, raise_on_redirect=False)
_POOLS = {}
_POOLS_LOCK = threading.Lock()


def _pool(ca_certs=None):
    """The process's pool that verifies certificates against ``ca_certs``
    (a CA bundle's path; default certifi's)."""
    ca_certs = ca_certs or certifi.where()
    with _POOLS_LOCK:
        if ca_certs not in _POOLS:
            _POOLS[ca_certs] = urllib3.PoolManager(
                num_pools=8, maxsize=max(10, multiprocessing.cpu_count() * 5),
                retries=_NO_RETRY, cert_reqs=ssl.CERT_REQUIRED, ca_certs=ca_certs)
        return _POOLS[ca_certs]


def _new_api_client(access_token, ca_certs=None):
    """An ApiClient that can only ever send ``access_token``.

    ``Configuration()`` returns a shallow copy of the first Configuration ever
    built, so every copy shares that one ``OAuth2Token`` object; the SDK's
    auth step writes the caller's token into it and reads it back, so two
    threads could swap tokens.  We give each client its own OAuth2Token (no
    client id/secret: the SDK can never refresh behind our back) and a token
    getter that returns this token only.
    """
    configuration = Configuration()
    configuration.oauth2_token = OAuth2Token()
    token = {"access_token": access_token, "token_type": "Bearer",
             "scope": [], "expires_in": None, "expires_at": None}
    api_client = ApiClient(configuration, oauth2_token_getter=lambda: dict(token),
                           oauth2_token_saver=_refuse_token_save)
    api_client.rest_client.pool_manager = _pool(ca_certs)
    api_client.user_agent = "crm_xero (Odoo) " + api_client.user_agent
    # urllib3 decodes gzip for us; Xero sends a tenth of the bytes.
    api_client.set_default_header("Accept-Encoding", "gzip")
    return api_client


def _refuse_token_save(token):
    raise XeroError(detail="the SDK tried to refresh a token inside the gateway")


class XeroGateway:
    """Accounting API calls for one tenant with one access token.

    Cheap to build: make one per unit of work.  Safe to share between
    threads.  ``deadline_at``: when its calls must be over (default: the
    building thread's deadline, if any).  ``budget``: the organisation's
    day of calls (``day_budget.DayBudget``), or None.  ``sleep`` and
    ``jitter`` can be replaced (tests).
    """

    def __init__(self, endpoints, access_token, tenant_id, timeout=limits.READ_TIMEOUT,
                 pacer=None, priority=INTERACTIVE, max_wait=None, max_retries=None,
                 backoff_base=0.5, backoff_max=8.0, sleep=time.sleep, jitter=random.uniform,
                 deadline_at=None, budget=None):
        if priority not in PRIORITIES:
            raise ValueError("priority must be one of %s" % (PRIORITIES,))
        if not access_token:
            raise XeroAuthError(detail="no access token")
        if not tenant_id:
            raise XeroError(_lt("No Xero organisation is selected; an administrator must "
                                "connect Xero in Settings."), detail="no tenant id",
                            reason="not_connected")
        self.endpoints = endpoints or XeroEndpoints()
        check_secure(self.endpoints.accounting_url)
        self.tenant_id = tenant_id
        self.timeout = float(timeout)
        self.pacer = pacer or DEFAULT_PACER
        self.priority = priority
        self.max_wait = limits.MAX_WAIT[priority] if max_wait is None else max_wait
        self.max_retries = limits.MAX_RETRIES[priority] if max_retries is None else max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep = sleep
        self._jitter = jitter
        self.deadline_at = deadline.current() if deadline_at is None else deadline_at
        self.budget = budget
        self._api = AccountingApi(
            _new_api_client(access_token, self.endpoints.tls_verify(self.endpoints.accounting_url)),
            base_url=self.endpoints.accounting_url)

    def with_budget(self, budget):
        """The same gateway (token, pacer, deadline) with another day budget."""
        other = copy.copy(self)
        other.budget = budget
        return other

    # -- paging -------------------------------------------------------------------
    @staticmethod
    def iter_pages(fetch, key, first_page=1, page_size=limits.PAGE_SIZE, **filters):
        """Every page of a paged list: yields ``(page number, items,
        pagination)``.  ``fetch`` is one of the ``get_*`` methods below that
        take ``page``/``page_size``; ``key`` the list's name ("Contacts")."""
        page = first_page
        while True:
            answer = fetch(page=page, page_size=page_size, **filters)
            items = answer[key]
            pagination = answer.get("pagination") or {}
            yield page, items, pagination
            if not items or page >= (pagination.get("pageCount") or
                                     (page + 1 if len(items) >= page_size else page)):
                return
            page += 1

    # -- settings -------------------------------------------------------------------
    def get_organisation(self):
        data = self._call("GET", "/Organisation", self._api.get_organisations)
        organisations = data.get("Organisations") or []
        if not organisations:
            raise XeroError(detail="GET /Organisation returned no organisation")
        return organisations[0]

    def get_accounts(self, where=None):
        return self._call("GET", "/Accounts", self._api.get_accounts,
                          **_opt(where=where)).get("Accounts") or []

    def get_tax_rates(self):
        return self._call("GET", "/TaxRates", self._api.get_tax_rates).get("TaxRates") or []

    def get_currencies(self):
        return self._call("GET", "/Currencies", self._api.get_currencies).get("Currencies") or []

    def get_items(self, where=None):
        return self._call("GET", "/Items", self._api.get_items,
                          **_opt(where=where)).get("Items") or []

    def get_tracking_categories(self, include_archived=False):
        return self._call("GET", "/TrackingCategories", self._api.get_tracking_categories,
                          **_opt(include_archived="true" if include_archived else None)
                          ).get("TrackingCategories") or []

    def get_branding_themes(self):
        return self._call("GET", "/BrandingThemes", self._api.get_branding_themes
                          ).get("BrandingThemes") or []

    # -- contacts ------------------------------------------------------------------
    def get_contacts(self, page=None, page_size=None, where=None, ids=None,
                     search_term=None, summary_only=False, include_archived=False,
                     modified_since=None, order=None):
        """One page of contacts: ``{"Contacts": [...], "pagination": {page,
        pageSize, pageCount, itemCount} or None}``.

        Pages of 1,000 are read as Xero's JSON (the SDK makes the call but
        builds no models): its models and back cost 0.2-0.3 s a page of CPU
        that the import's writing needs; the dicts are the same."""
        raw = self._call(
            "GET", "/Contacts", self._api.get_contacts, raw=True,
            **_opt(page=page, page_size=page_size, where=where,
                   i_ds=list(ids) if ids else None, search_term=search_term,
                   summary_only="true" if summary_only else None,
                   include_archived="true" if include_archived else None,
                   if_modified_since=_http_date(modified_since), order=order))
        data = _json_answer(raw, "GET /Contacts")
        return {"Contacts": data.get("Contacts") or [], "pagination": data.get("pagination")}

    def get_contact(self, contact_id):
        data = self._call("GET", "/Contacts/{id}", self._api.get_contact, contact_id=contact_id)
        return _single(data, "Contacts", "GET /Contacts/{id}")

    def create_contacts(self, contacts, idempotency_key=None, summarize_errors=True):
        """PUT /Contacts (create only).  With ``summarize_errors=False`` the
        elements Xero refused carry ``ValidationErrors`` instead of raising."""
        data = self._call(
            "PUT", "/Contacts", self._api.create_contacts, idempotency_key=idempotency_key,
            contacts={"Contacts": [responses.body(c) for c in contacts]},
            summarize_errors="true" if summarize_errors else "false")
        return data.get("Contacts") or []

    def update_contact(self, contact_id, contact, idempotency_key=None):
        body = dict(responses.body(contact), ContactID=contact_id)
        data = self._call("POST", "/Contacts/{id}", self._api.update_contact,
                          idempotency_key=idempotency_key, contact_id=contact_id,
                          contacts={"Contacts": [body]})
        return _single(data, "Contacts", "POST /Contacts/{id}")

    def add_contact_history(self, contact_id, details, idempotency_key=None):
        """A note in the contact's history; returns the history record."""
        data = self._call(
            "PUT", "/Contacts/{id}/History", self._api.create_contact_history,
            idempotency_key=idempotency_key, contact_id=contact_id,
            history_records={"HistoryRecords": [{"Details": details}]})
        records = data.get("HistoryRecords") or []
        return records[0] if records else {}

    # -- invoices -------------------------------------------------------------------
    def get_invoices(self, ids=None, contact_ids=None, statuses=None, page=None,
                     page_size=None, modified_since=None, summary_only=False,
                     where=None, order=None):
        """One page: ``{"Invoices": [...], "pagination": {...} or None}``,
        read as Xero's JSON (as contacts are: pages of 1,000)."""
        raw = self._call(
            "GET", "/Invoices", self._api.get_invoices, raw=True,
            **_opt(i_ds=list(ids) if ids else None,
                   contact_i_ds=list(contact_ids) if contact_ids else None,
                   statuses=list(statuses) if statuses else None,
                   page=page, page_size=page_size, where=where, order=order,
                   summary_only="true" if summary_only else None,
                   if_modified_since=_http_date(modified_since)))
        data = _json_answer(raw, "GET /Invoices")
        return {"Invoices": data.get("Invoices") or [], "pagination": data.get("pagination")}

    def get_invoice(self, invoice_id):
        data = self._call("GET", "/Invoices/{id}", self._api.get_invoice, invoice_id=invoice_id)
        return _single(data, "Invoices", "GET /Invoices/{id}")

    def get_invoice_pdf(self, invoice_id):
        """Xero's PDF of the invoice, as bytes."""
        response = self._call("GET", "/Invoices/{id} (PDF)", self._api.get_invoice_as_pdf,
                              raw=True, invoice_id=invoice_id)
        return response

    def create_invoice(self, invoice, idempotency_key=None):
        data = self._call("PUT", "/Invoices", self._api.create_invoices,
                          idempotency_key=idempotency_key,
                          invoices={"Invoices": [responses.body(invoice)]},
                          summarize_errors="true")
        return _single(data, "Invoices", "PUT /Invoices")

    def update_invoice(self, invoice_id, invoice, idempotency_key=None):
        body = dict(responses.body(invoice), InvoiceID=invoice_id)
        data = self._call("POST", "/Invoices/{id}", self._api.update_invoice,
                          idempotency_key=idempotency_key, invoice_id=invoice_id,
                          invoices={"Invoices": [body]})
        return _single(data, "Invoices", "POST /Invoices/{id}")

    def delete_invoice(self, invoice_id, idempotency_key=None):
        """Delete a DRAFT or SUBMITTED invoice (Status DELETED)."""
        return self.update_invoice(invoice_id, {"Status": "DELETED"},
                                   idempotency_key=idempotency_key)

    def get_online_invoice_url(self, invoice_id):
        """The customer-facing URL; Xero has none for drafts (it refuses with
        a validation error)."""
        data = self._call("GET", "/Invoices/{id}/OnlineInvoice",
                          self._api.get_online_invoice, invoice_id=invoice_id)
        online = data.get("OnlineInvoices") or []
        return online[0].get("OnlineInvoiceUrl") if online else None

    def get_credit_notes(self, page=None, page_size=None, where=None, modified_since=None,
                         order=None):
        raw = self._call("GET", "/CreditNotes", self._api.get_credit_notes, raw=True,
                         **_opt(page=page, page_size=page_size, where=where, order=order,
                                if_modified_since=_http_date(modified_since)))
        data = _json_answer(raw, "GET /CreditNotes")
        return {"CreditNotes": data.get("CreditNotes") or [],
                "pagination": data.get("pagination")}

    def get_payments(self, page=None, page_size=None, where=None, modified_since=None,
                     order=None):
        raw = self._call("GET", "/Payments", self._api.get_payments, raw=True,
                         **_opt(page=page, page_size=page_size, where=where, order=order,
                                if_modified_since=_http_date(modified_since)))
        data = _json_answer(raw, "GET /Payments")
        return {"Payments": data.get("Payments") or [], "pagination": data.get("pagination")}

    # -- quotes and currencies (issue 24) -------------------------------------------------
    # Xero reads a quote update (POST) as the quote's whole header: Contact and
    # Date are sent every time, and Reference, Title, Summary, Terms left out
    # are cleared, LineAmountTypes left out goes back to EXCLUSIVE; LineItems
    # left out stay.  ``quote_header`` carries a read quote's header forward.
    # Xero sends no webhooks for quotes: they are read by If-Modified-Since.
    def get_quotes(self, page=None, page_size=None, status=None, contact_id=None,
                   modified_since=None, quote_number=None, date_from=None, date_to=None,
                   expiry_date_from=None, expiry_date_to=None, order=None):
        """One page of quotes: ``{"Quotes": [...], "pagination": None}``.

        Xero's quote pages hold ``QUOTE_PAGE_SIZE`` and carry no page count,
        and it filters on one status at a time (see ``iter_quotes``);
        ``page_size`` is accepted for ``iter_pages`` and never sent."""
        data = self._call(
            "GET", "/Quotes", self._api.get_quotes,
            **_opt(page=page, status=status, contact_id=contact_id,
                   quote_number=quote_number, date_from=date_from, date_to=date_to,
                   expiry_date_from=expiry_date_from, expiry_date_to=expiry_date_to,
                   order=order, if_modified_since=_http_date(modified_since)))
        return {"Quotes": data.get("Quotes") or [], "pagination": data.get("pagination")}

    def iter_quotes(self, statuses=None, **filters):
        """Every quote matching ``filters`` (those of ``get_quotes``), page by
        page, one status after the other when ``statuses`` are given."""
        for status in list(statuses or [None]):
            for _page, quotes, _pagination in self.iter_pages(
                    self.get_quotes, "Quotes", page_size=QUOTE_PAGE_SIZE,
                    **_opt(status=status, **filters)):
                yield from quotes

    def get_quote(self, quote_id):
        data = self._call("GET", "/Quotes/{id}", self._api.get_quote, quote_id=quote_id)
        return _single(data, "Quotes", "GET /Quotes/{id}")

    def get_quote_pdf(self, quote_id):
        """Xero's PDF of the quote, as bytes."""
        return self._call("GET", "/Quotes/{id} (PDF)", self._api.get_quote_as_pdf, raw=True,
                          quote_id=quote_id)

    def create_quote(self, quote, idempotency_key=None):
        """PUT /Quotes: a DRAFT (or SENT) quote; Xero numbers it (QU-0001...)."""
        data = self._call("PUT", "/Quotes", self._api.create_quotes,
                          idempotency_key=idempotency_key,
                          quotes={"Quotes": [responses.body(quote)]}, summarize_errors="true")
        return _single(data, "Quotes", "PUT /Quotes")

    def update_quote(self, quote_id, quote, idempotency_key=None):
        """POST /Quotes/{id} with the whole header (see above)."""
        body = dict(responses.body(quote), QuoteID=quote_id)
        data = self._call("POST", "/Quotes/{id}", self._api.update_quote,
                          idempotency_key=idempotency_key, quote_id=quote_id,
                          quotes={"Quotes": [body]})
        return _single(data, "Quotes", "POST /Quotes/{id}")

    def set_quote_status(self, quote_id, status, quote=None, idempotency_key=None):
        """Move a quote to ``status`` (SENT, ACCEPTED, INVOICED, DELETED...),
        keeping its header; ``quote``: the quote as just read (else read here)."""
        quote = quote or self.get_quote(quote_id)
        return self.update_quote(quote_id, dict(quote_header(quote), Status=status),
                                 idempotency_key=idempotency_key)

    def delete_quote(self, quote_id, quote=None, idempotency_key=None):
        """Delete a quote (Status DELETED; Xero refuses it once DELETED)."""
        return self.set_quote_status(quote_id, "DELETED", quote=quote,
                                     idempotency_key=idempotency_key)

    def add_quote_history(self, quote_id, details, idempotency_key=None):
        data = self._call(
            "PUT", "/Quotes/{id}/History", self._api.create_quote_history,
            idempotency_key=idempotency_key, quote_id=quote_id,
            history_records={"HistoryRecords": [{"Details": details}]})
        records = data.get("HistoryRecords") or []
        return records[0] if records else {}

    def create_currency(self, code, idempotency_key=None):
        """PUT /Currencies: enable ``code`` in the organisation (needs the
        ``accounting.settings`` scope); returns ``{Code, Description}``."""
        data = self._call("PUT", "/Currencies", self._api.create_currency,
                          idempotency_key=idempotency_key, currency={"Code": code})
        return _single(data, "Currencies", "PUT /Currencies")

    # -- the one choke point -----------------------------------------------------------
    def _call(self, method, path, sdk_method, idempotency_key=None, raw=False, **params):
        write = method != "GET"
        operation = "%s %s" % (method, path)
        if write:
            idempotency_key = idempotency_key or uuid.uuid4().hex
            params["idempotency_key"] = idempotency_key
        if raw:
            params["_preload_content"] = False
        failures = rate_limited = 0
        rate_waited = 0.0   # seconds spent honouring Retry-After in this call
        unconfirmed = None  # a write's lost answer: Xero may have saved it
        while True:
            held = None   # this attempt's place in the day's budget
            try:
                if self.budget is not None:
                    held = self.budget.admit(self.priority)
                self.pacer.acquire(self.tenant_id, self.priority,
                                   deadline.cap(self.max_wait, self.deadline_at))
            except (XeroTimedOut, XeroRateLimited):
                self._observe_day(None, None, held)   # no call went out
                if unconfirmed is not None:
                    raise unconfirmed from None   # the write's own words, not "nothing"
                raise
            start = time.monotonic()
            status = headers = None
            try:
                timeout = self._attempt_timeout(write)
                data, status, headers = sdk_method(
                    self.tenant_id, _request_timeout=(min(limits.CONNECT_TIMEOUT, timeout),
                                                      timeout),
                    _return_http_data_only=False, **params)
                if raw:
                    data = data.data
            except XeroTimedOut:
                if unconfirmed is not None:
                    raise unconfirmed from None
                raise
            except HTTPStatusException as exc:
                status = exc.http_resp.status if exc.http_resp else exc.status
                raw_body = getattr(exc.http_resp, "data", None) if exc.http_resp else None
                headers = exc.headers
                error = error_for_answer(status, raw_body, headers, operation, write)
                self.pacer.observe(self.tenant_id, header_value(headers, "X-MinLimit-Remaining"))
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                reason = getattr(exc, "reason", None) or exc
                connect_failed = isinstance(reason, _CONNECT_ERRORS) or isinstance(
                    exc, _CONNECT_ERRORS)
                timed_out = isinstance(reason, urllib3.exceptions.TimeoutError)
                error = error_for_no_answer(operation, reason, connect_failed, timed_out, write)
            except ApiException as exc:
                error = XeroError(detail="%s: %s" % (operation, exc.reason))
            except (ValueError, TypeError) as exc:
                # the SDK could not read Xero's answer into its models
                error = XeroError(_lt("Xero sent an answer Odoo could not read; try again "
                                      "later."),
                                  detail="%s -> %s: unreadable answer: %s" % (
                                      operation, status, exc))
            else:
                self.pacer.observe(self.tenant_id, header_value(headers, "X-MinLimit-Remaining"))
                error = None
            finally:
                self.pacer.release(self.tenant_id, self.priority)
                self._observe_day(status, headers, held)
                _logger.debug("Xero %s -> %s (%.0f ms)", operation, status or "no answer",
                              (time.monotonic() - start) * 1000)
            if error is None:
                return data if raw else responses.to_dict(data)
            if write and isinstance(error, XeroUnavailable):
                error.idempotency_key = idempotency_key
                if error.maybe_committed:
                    unconfirmed = error
            delay = self._retry_delay(error, failures, rate_limited, rate_waited)
            if delay is None:
                _logger.info("Xero %s failed: %s", operation, error.detail)
                raise error
            left = deadline.left(self.deadline_at)
            if left is not None and delay >= left:
                _logger.info("Xero %s failed and the request's time is up: %s", operation,
                             error.detail)
                if unconfirmed is not None:
                    raise unconfirmed   # it may have been saved: the write's own words
                raise XeroTimedOut(detail=error.detail)
            if isinstance(error, XeroRateLimited):
                rate_limited += 1
                rate_waited += error.retry_after
            else:
                failures += 1
            _logger.info("Xero %s -> %s; retrying in %.1f s", operation,
                         status or "no answer", delay)
            self._sleep(delay)

    def _observe_day(self, status, headers, held=None):
        """What Xero's answer (or its silence: ``status`` None) says of the
        day; the attempt is no longer in flight."""
        if self.budget is None:
            return
        try:
            self.budget.observe(self.priority, status, headers, held)
        except Exception:  # noqa: BLE001 - the answer is Xero's; only the count is lost
            _logger.warning("Xero day budget of %s not recorded", self.tenant_id, exc_info=True)

    def _attempt_timeout(self, write):
        """This attempt's read timeout: the call's own, cut to what is left
        of the deadline.  A write is not sent with less time left than it
        needs (its answer would most likely be lost on the way back)."""
        timeout = deadline.cap(self.timeout, self.deadline_at)
        if write and timeout < min(self.timeout, limits.MIN_WRITE_SECONDS):
            raise XeroTimedOut(detail="too little time left to send a write")
        return timeout

    def _retry_delay(self, error, failures, rate_limited, rate_waited=0.0):
        """Seconds to wait before retrying, or None to give up now.  Waits
        for Retry-After add up: one call never waits more than max_wait."""
        if isinstance(error, XeroRateLimited):
            if error.problem != "day" or self.budget is None:
                # A spent day is the shared budget's to remember (every
                # worker learns it, and forgets it when Xero says so).
                self.pacer.block(self.tenant_id, error.retry_after, error.problem)
            if (error.problem == "day"
                    or rate_waited + error.retry_after > self.max_wait
                    or rate_limited >= limits.MAX_RATE_LIMIT_RETRIES):
                return None
            return 0.0  # the pacer holds the next acquire until Retry-After
        if isinstance(error, XeroUnavailable) and failures < self.max_retries:
            if error.retry_after is not None:
                return error.retry_after if error.retry_after <= self.max_wait else None
            cap = min(self.backoff_max, self.backoff_base * (2 ** failures))
            return self._jitter(cap / 2.0, cap)
        return None


class ReadAhead:
    """Reads started before they are needed, each on a worker thread.

    An import reads page N+1 while it writes page N.  The caller builds the
    gateway (its token included) on its own thread and hands over
    ``read(gateway)``; the worker thread only runs that: HTTP through this
    module, plain dicts back, nothing else (never Odoo).  ``take`` gives the
    answer on the caller's thread and raises there whatever the read raised.
    The pacer counts these calls like any other (it is process-wide and
    thread-safe).  Reads are named by a key the caller chooses, e.g. (run,
    page); at most ``workers`` run at once, and a read started ``after``
    another waits for that one to be over (one organisation's reads reach
    Xero one after the other, in order).  ``close`` (or leaving the
    ``with`` block) cancels reads not started and waits for the others, so
    no call outlives its owner.
    """

    def __init__(self, workers=2):
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers),
                                        thread_name_prefix="xero-read-ahead")
        self._reads = {}    # key -> Future, in the order they were started
        self._lock = threading.Lock()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def start(self, key, gateway, read, after=None):
        """Start ``read(gateway)`` under ``key`` unless that read is pending;
        with ``after`` (a pending read's key), once that one is over.

        The organisation's day budget is asked here, on the caller's thread
        (a read the day has no room for is not started: the caller's own
        read will say why), and what the answer says of the day is recorded
        when the read is taken or dropped, on the caller's thread too: the
        budget's store is the caller's (the database), not the worker's."""
        budget = getattr(gateway, "budget", None)
        if budget is not None:
            try:
                held = budget.admit(gateway.priority)
            except XeroRateLimited:
                return
            gateway = gateway.with_budget(_HeldBudget(budget, gateway.priority, held))
        with self._lock:
            if key in self._reads:
                return
            before = self._reads.get(after)
            future = self._pool.submit(_read_after, before, read, gateway)
            future.held = getattr(gateway, "budget", None)
            self._reads[key] = future

    def pending(self):
        """Keys of the reads started and not taken yet, oldest first."""
        with self._lock:
            return list(self._reads)

    def __contains__(self, key):
        with self._lock:
            return key in self._reads

    def take(self, key):
        """(True, answer) for a read started under ``key``, waiting for it if
        need be (its error is raised here); (False, None) if none was."""
        with self._lock:
            future = self._reads.pop(key, None)
        if future is None:
            return False, None
        try:
            return True, future.result()
        finally:
            _release(future)

    def discard(self, keys, wait=False):
        """Forget these reads: not started, they never will; running, they
        finish unheard (``wait``: their calls are over on return)."""
        with self._lock:
            futures = [self._reads.pop(key) for key in list(keys) if key in self._reads]
        for future in futures:
            if not future.cancel() and wait:
                concurrent.futures.wait([future])
            if future.done():
                _release(future)

    def close(self):
        with self._lock:
            futures = list(self._reads.values())
        self.discard(self.pending())
        self._pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:   # the calls that went out, on the caller's thread
            if future.done() and not future.cancelled():
                _release(future)


class _HeldBudget:
    """A read-ahead worker's day budget: admitted by the caller already; what
    Xero's answers say is held until the caller's thread records it."""

    def __init__(self, budget, priority, held):
        self.budget, self.priority, self.held, self.seen = budget, priority, held, []

    def admit(self, priority):
        return None

    def observe(self, priority, status, headers, held=None):
        self.seen.append((priority, status, _Headers(headers)))

    def release(self):
        """Record what was seen, and the place in flight taken for the read."""
        seen, self.seen = self.seen, []
        held, self.held = self.held, None
        for index, (priority, status, headers) in enumerate(seen):
            self.budget.observe(priority, status, headers,
                                held if index == len(seen) - 1 else None)
        if held is not None and not seen:
            self.budget.observe(self.priority, None, None, held)


class _Headers(dict):
    """An answer's headers, kept (case-insensitively) after the answer is gone."""

    def __init__(self, headers):
        try:
            items = headers.items() if headers else ()
        except AttributeError:
            items = ()
        super().__init__((str(name).lower(), value) for name, value in items)

    def get(self, name, default=None):
        return super().get(str(name).lower(), default)


def _release(future):
    held = getattr(future, "held", None)
    if held is not None:
        held.release()


def _read_after(before, read, gateway):
    if before is not None:
        concurrent.futures.wait([before])   # its outcome is its own taker's business
    return read(gateway)


def _opt(**params):
    return {k: v for k, v in params.items() if v is not None}


def _json_answer(raw, operation):
    """Xero's JSON body as plain data (numbers as floats, as ``to_dict`` has
    them); an answer that is not a JSON object is Xero's fault, said so."""
    try:
        data = json.loads(raw or b"")
    except ValueError as exc:
        data = exc
    if not isinstance(data, dict):
        raise XeroError(_lt("Xero sent an answer Odoo could not read; try again later."),
                        detail="%s: unreadable answer: %s" % (operation, str(data)[:200]))
    return data


def _http_date(value):
    """If-Modified-Since as Xero's spec has it: an RFC 3339 date-time, in UTC
    with its offset (Odoo's datetimes are naive UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).replace(microsecond=0).isoformat()


QUOTE_PAGE_SIZE = 100    # Xero's quote pages (getQuotes has no pageSize)
_QUOTE_HEADER = ("Reference", "Title", "Summary", "Terms", "LineAmountTypes",
                 "BrandingThemeID", "CurrencyCode", "CurrencyRate")


def quote_header(quote):
    """What an update must send again to keep a read quote as it is: its
    Contact and Date, texts, LineAmountTypes (LineItems stay when left out)."""
    header = {key: quote[key] for key in _QUOTE_HEADER if quote.get(key) not in (None, "")}
    header["Contact"] = {"ContactID": (quote.get("Contact") or {}).get("ContactID")}
    for key in ("Date", "ExpiryDate"):
        day = responses.parse_xero_date(quote.get(key))
        if day:
            header[key] = day.isoformat()
    return header


def _single(data, key, operation):
    items = data.get(key) or []
    if not items:
        raise XeroError(detail="%s returned no %s" % (operation, key))
    return items[0]


__all__ = ["XeroGateway", "XeroEndpoints", "ReadAhead", "QUOTE_PAGE_SIZE", "quote_header"]
