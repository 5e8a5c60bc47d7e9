"""The pure modules of xero/ on their own: no sandbox, no database, no
network, no sleeping.  Each test states what a caller (a model, a button, the
import) gets from a function for a given input."""

import dataclasses
import datetime
import json
import os
from decimal import Decimal

import certifi
from requests.structures import CaseInsensitiveDict

from odoo.tests import BaseCase, tagged

from ..xero import (
    day_budget,
    deadline,
    endpoints,
    import_rules,
    invoices,
    matching,
    oauth,
    where,
)
from ..xero.endpoints import XeroEndpoints, check_browser_url, check_secure
from ..xero.errors import (
    XeroAuthError,
    XeroBusy,
    XeroConfigError,
    XeroDayReserved,
    XeroDuplicateContact,
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroRateLimited,
    XeroTimedOut,
    XeroUnavailable,
    XeroValidationError,
    classify,
    error_for_answer,
    error_for_no_answer,
    retry_after_seconds,
    scrub,
    validation_messages,
)
from ..xero.errors import _lt as mark  # test-only texts: `mark(...)` stays out of the .pot
from ..xero.gateway import XeroGateway
from ..xero.pacing import BACKGROUND, INTERACTIVE, Pacer


class FakeClock:
    """A monotonic clock that only moves when someone waits on it (or the
    test moves it): a pacer built on it never really sleeps."""

    def __init__(self, start=1000.0):
        self.now = start
        self.waits = []

    def __call__(self):
        return self.now

    def wait(self, timeout):
        self.waits.append(timeout)
        self.now += timeout

    def advance(self, seconds):
        self.now += seconds

    def pacer(self, **kw):
        return Pacer(clock=self, wait=self.wait, **kw)


def duplicate_name_message(name):
    return ("The contact name %s is already assigned to another contact. The contact name "
            "must be unique across all active contacts." % name)


# -- errors.py ---------------------------------------------------------------------

@tagged("crm_xero")
class TestErrorForAnswer(BaseCase):
    """The one table from Xero's HTTP answer to the error a caller handles."""

    def test_400_reads_xeros_validation_elements(self):
        message = duplicate_name_message("Acme Ltd")
        body = ('{"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation '
                'exception occurred", "Elements": [{"Name": "Fine Ltd", "ValidationErrors": []},'
                ' {"Name": "Acme Ltd", "ValidationErrors": [{"Message": "%s"}]}]}' % message)
        error = error_for_answer(400, body.encode(), {}, "PUT /Contacts", write=True)
        self.assertIsInstance(error, XeroValidationError)
        self.assertEqual((error.status, error.reason), (400, "duplicate_name"))
        self.assertEqual(error.messages, [message])
        self.assertEqual([(e["index"], e["messages"], e["element"]["Name"])
                          for e in error.elements], [(1, [message], "Acme Ltd")])
        self.assertEqual(str(error), "Xero refused the change: %s." % message.rstrip("."))
        self.assertEqual(error.message, "Xero refused the change: %(xero_says)s.")

    def test_400_finds_messages_nested_in_lines_once(self):
        body = {"Elements": [{"ValidationErrors": [{"Message": "Item code 'X' is not valid"}],
                              "LineItems": [{"ValidationErrors": [
                                  {"Message": "Item code 'X' is not valid"},
                                  {"Message": "Quantity must be a number."}]}]}]}
        messages, elements = validation_messages(body)
        self.assertEqual(messages, ["Item code 'X' is not valid", "Quantity must be a number."])
        self.assertEqual(elements[0]["messages"], messages)
        error = error_for_answer(400, json.dumps(body), {}, "PUT /Invoices")
        self.assertEqual(error.reason, "unknown_item")
        self.assertEqual(str(error), "Xero refused the change: Item code 'X' is not valid; "
                                     "Quantity must be a number.")

    def test_400_without_elements_uses_xeros_message_or_text(self):
        error = error_for_answer(400, b'{"Type": "ValidationException", "Message": '
                                      b'"Idempotency-Key must be 1 to 128 characters."}',
                                 {}, "POST /Contacts/{id}")
        self.assertEqual((error.messages, error.elements, error.reason),
                         (["Idempotency-Key must be 1 to 128 characters."], [], "invalid"))
        text = error_for_answer(400, b"  Bad Request: the body was cut  ", {}, "PUT /Invoices")
        self.assertEqual(text.messages, ["Bad Request: the body was cut"])
        empty = error_for_answer(400, b"{}", {}, "PUT /Invoices")
        self.assertEqual(str(empty), "Xero refused the change: no reason given.")

    def test_401_403_404(self):
        auth = error_for_answer(401, b'{"Title": "Unauthorized", "Detail": "TokenExpired"}',
                                {}, "GET /Contacts")
        self.assertIs(type(auth), XeroAuthError)
        self.assertEqual((auth.status, auth.reason, auth.needs_reconnect),
                         (401, "token_rejected", False))
        forbidden = error_for_answer(403, b"{}", {}, "GET /Organisation")
        self.assertIs(type(forbidden), XeroForbidden)
        self.assertEqual((forbidden.status, forbidden.reason), (403, "forbidden"))
        missing = error_for_answer(404, b"", {}, "GET /Contacts/{id}")
        self.assertIs(type(missing), XeroNotFound)
        self.assertEqual((missing.status, missing.reason), (404, "not_found"))
        self.assertIn("deleted in Xero", str(missing))

    def test_429_says_which_limit_and_how_long(self):
        headers = CaseInsensitiveDict({"retry-after": "40", "x-rate-limit-problem": "minute"})
        minute = error_for_answer(429, b"{}", headers, "GET /Contacts")
        self.assertIs(type(minute), XeroRateLimited)
        self.assertEqual((minute.status, minute.reason, minute.retry_after, minute.problem),
                         (429, "rate_limited", 40, "minute"))
        self.assertEqual(str(minute), "Xero is busy right now (rate limit reached); try again "
                                      "in 40 seconds.")
        day = error_for_answer(429, b"{}", {"Retry-After": "86400", "X-Rate-Limit-Problem":
                                            "Day"}, "GET /Contacts")
        self.assertEqual(day.problem, "day")
        at = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).strftime("%H:%M UTC")
        self.assertIn(str(day), [
            "This Xero organisation has used up its daily allowance of API calls; Xero takes "
            "calls again at %s (in 24 hours)." % moment for moment in (at, (
                datetime.datetime.utcnow() + datetime.timedelta(days=1, minutes=-1)
            ).strftime("%H:%M UTC"))])
        concurrent = error_for_answer(429, b"", {"Retry-After": "1", "X-Rate-Limit-Problem":
                                                 "concurrent"}, "GET /Contacts")
        self.assertEqual(str(concurrent), "Xero is busy right now (too many requests at once); "
                                          "try again in a second.")
        app = error_for_answer(429, b"", {"Retry-After": "5", "X-Rate-Limit-Problem":
                                          "AppMinute"}, "GET /Contacts")
        self.assertEqual(app.problem, "app")
        silent = error_for_answer(429, b"", {}, "GET /Contacts")
        self.assertEqual((silent.retry_after, silent.problem), (60, "minute"))

    def test_5xx_on_a_write_may_have_been_saved_except_503(self):
        table = [(500, False, "unavailable", False), (500, True, "unconfirmed", True),
                 (502, True, "unconfirmed", True), (504, False, "unavailable", False),
                 (503, True, "unavailable", False), (503, False, "unavailable", False)]
        for status, write, reason, maybe_committed in table:
            error = error_for_answer(status, b"{}", {}, "PUT /Invoices", write=write)
            self.assertIs(type(error), XeroUnavailable)
            self.assertEqual((error.status, error.reason, error.maybe_committed),
                             (status, reason, maybe_committed), (status, write))
            if maybe_committed:
                self.assertIn("may have been saved", str(error))
                self.assertIn("will not create a duplicate", str(error))
            else:
                self.assertEqual(str(error), "Xero is having a problem on its side (error %d); "
                                             "try again in a few minutes." % status)
        later = error_for_answer(503, b"", {"Retry-After": "7"}, "GET /Contacts")
        self.assertEqual(later.retry_after, 7)
        self.assertIsNone(error_for_answer(503, b"", {}, "GET /Contacts").retry_after)

    def test_other_statuses_are_plain_refusals(self):
        for status in (405, 409, 413):
            error = error_for_answer(status, b"", {}, "POST /Invoices", write=True)
            self.assertIs(type(error), XeroError)
            self.assertEqual((error.status, error.reason), (status, "error"))
            self.assertEqual(str(error), "Xero refused the request (error %d)." % status)

    def test_identity_answers_are_oauth_errors(self):
        spent = error_for_answer(400, b'{"error": "invalid_grant"}', {}, "POST /connect/token",
                                 write=True, identity=True)
        self.assertIs(type(spent), XeroAuthError)
        self.assertEqual((spent.reason, spent.needs_reconnect), ("invalid_grant", True))
        self.assertIn("Reconnect Xero in Settings", str(spent))
        for code in ("unauthorized_client", "access_denied"):
            self.assertEqual(error_for_answer(400, ('{"error": "%s"}' % code).encode(), {},
                                              "POST /connect/token", identity=True).reason,
                             "invalid_grant")
        unreadable = error_for_answer(400, b"<html>oops</html>", {}, "POST /connect/token",
                                      identity=True)
        self.assertEqual(unreadable.reason, "invalid_grant")
        client = error_for_answer(401, b'{"error": "invalid_client"}', {}, "POST /connect/token",
                                  identity=True)
        self.assertIs(type(client), XeroConfigError)
        self.assertEqual(client.reason, "bad_client")
        self.assertIn("client id or secret", str(client))
        other = error_for_answer(400, b'{"error": "unsupported_grant_type"}', {},
                                 "POST /connect/token", identity=True)
        self.assertIs(type(other), XeroError)
        self.assertEqual(str(other), "Xero refused the sign-in request (unsupported_grant_type);"
                                     " an administrator may need to reconnect Xero in Settings.")
        # the same body from the Accounting API is Xero refusing data, not a grant
        api = error_for_answer(400, b'{"error": "invalid_grant"}', {}, "PUT /Contacts")
        self.assertIsInstance(api, XeroValidationError)
        # and the identity host failing is not a refusal either
        down = error_for_answer(500, b"", {}, "POST /connect/token", write=True, identity=True)
        self.assertEqual((type(down), down.reason), (XeroUnavailable, "unconfirmed"))

    def test_detail_names_the_call_and_hides_secrets(self):
        body = b'{"access_token": "eyJhbGci.secret.sig", "refresh_token": "r-123", "error": "x"}'
        error = error_for_answer(500, body, {}, "POST /connect/token")
        self.assertTrue(error.detail.startswith("POST /connect/token -> 500 "))
        self.assertNotIn("eyJhbGci", error.detail)
        self.assertNotIn("r-123", error.detail)
        self.assertNotIn("eyJhbGci", repr(error))
        huge = error_for_answer(400, b"x" * 5000, {}, "PUT /Contacts")
        self.assertEqual(huge.detail, "PUT /Contacts -> 400 " + "x" * 1000)
        self.assertEqual(huge.messages, ["x" * 300])


@tagged("crm_xero")
class TestErrorForNoAnswer(BaseCase):

    def test_refused_connection_was_never_sent(self):
        for write in (False, True):
            error = error_for_no_answer("PUT /Invoices", ConnectionRefusedError("refused"),
                                        connect_failed=True, timed_out=False, write=write)
            self.assertEqual((type(error), error.reason, error.maybe_committed),
                             (XeroUnavailable, "unavailable", False))
            self.assertIn("could not be reached (connection failed)", str(error))
            self.assertIn("ConnectionRefusedError: refused", error.detail)

    def test_a_read_that_timed_out_and_a_write_that_may_have_landed(self):
        read = error_for_no_answer("GET /Contacts", TimeoutError("read timed out"), False, True)
        self.assertEqual((read.reason, read.maybe_committed), ("unavailable", False))
        self.assertEqual(str(read), "Xero did not answer in time; try again in a few minutes.")
        write = error_for_no_answer("PUT /Invoices", TimeoutError("read timed out"), False, True,
                                    write=True)
        self.assertEqual((write.reason, write.maybe_committed), ("unconfirmed", True))
        dropped = error_for_no_answer("GET /Contacts", OSError("reset"), False, False)
        self.assertEqual((dropped.reason, str(dropped)),
                         ("unavailable", XeroUnavailable.message))
        lost = error_for_no_answer("PUT /Invoices", OSError("reset"), False, False, write=True)
        self.assertEqual(lost.reason, "unconfirmed")


@tagged("crm_xero")
class TestClassifyAndHeaders(BaseCase):

    def test_xeros_wording_becomes_a_reason(self):
        table = {
            duplicate_name_message("Acme"): "duplicate_name",
            "The Account Number already exists. Please enter a different Account Number.":
                "duplicate_account_number",
            "The Contact Number already exists. Please enter a different Contact Number.":
                "duplicate_contact_number",
            "Account code '280' has been archived, or has been deleted. Each line item must "
            "reference a valid account.": "archived_account",
            "Account code '999' is not a valid code for this document.": "archived_account",
            "The contact Acme is archived. Archived contacts cannot be used on transactions.":
                "archived_contact",
            "Invoice not of valid status for modification": "not_editable",
            "This document cannot be edited as it has a payment or credit note allocated to "
            "it.": "not_editable",
            "This invoice has payments applied and cannot be voided.": "not_editable",
            "Organisation is not subscribed to currency NZD": "currency_not_enabled",
            "Item code 'NOPE' is not valid": "unknown_item",
            "The tracking option 'West' is not an ACTIVE option of the tracking category "
            "'Region'.": "tracking_refused",
            "The BrandingThemeID 'abc' is not valid for this organisation.":
                "branding_theme_refused",
            "Email address must be valid.": "invalid_email",
            "A Contact must be specified for this type of transaction": "invalid",
        }
        for message, reason in table.items():
            self.assertEqual(classify([message]), reason, message)
        self.assertEqual(classify([]), "invalid")
        self.assertEqual(classify(None), "invalid")
        self.assertEqual(classify(["Email address must be valid.",
                                   duplicate_name_message("Acme")]), "duplicate_name")

    def test_retry_after_seconds(self):
        self.assertEqual(retry_after_seconds({"Retry-After": "30"}), 30)
        self.assertEqual(retry_after_seconds({"Retry-After": "1.9"}), 1)
        self.assertEqual(retry_after_seconds({"Retry-After": "-4"}), 0)
        self.assertEqual(retry_after_seconds(CaseInsensitiveDict({"retry-after": "12"})), 12)
        self.assertEqual(retry_after_seconds({"Retry-After": "soon"}, 60), 60)
        self.assertEqual(retry_after_seconds({}, 5), 5)
        self.assertIsNone(retry_after_seconds(None))
        self.assertEqual(retry_after_seconds([("Retry-After", "3")], 9), 9)


@tagged("crm_xero")
class TestErrorObjects(BaseCase):

    def test_message_is_a_template_filled_from_params(self):
        error = XeroError(mark("Xero refused %(what)s."), detail="d", status=418, what="tea")
        self.assertEqual(error.message, "Xero refused %(what)s.")
        self.assertEqual(error.params, {"what": "tea"})
        self.assertEqual((error.user_message, str(error), error.args[0]),
                         ("Xero refused tea.",) * 3)
        self.assertEqual(repr(error), "XeroError('Xero refused tea.', reason='error', "
                                      "status=418, detail='d')")
        plain = XeroError()
        self.assertEqual((str(plain), plain.reason, plain.detail, plain.params),
                         ("Xero could not complete the request.", "error", "", {}))

    def test_every_error_has_its_reason_and_sentence(self):
        for cls, reason, words in (
                (XeroAuthError, "token_rejected", "sign-in"),
                (XeroForbidden, "forbidden", "no longer connected"),
                (XeroNotFound, "not_found", "no such record"),
                (XeroUnavailable, "unavailable", "could not be reached"),
                (XeroBusy, "busy", "right now"),
                (XeroConfigError, "not_configured", "Settings > CRM > Xero")):
            error = cls()
            self.assertEqual(error.reason, reason, cls)
            self.assertIn(words, str(error), cls)

    def test_only_a_spent_grant_needs_reconnecting(self):
        for reason, needs in (("token_rejected", False), ("code_refused", False),
                              ("invalid_grant", True)):
            self.assertIs(XeroAuthError(reason=reason).needs_reconnect, needs)

    def test_rate_limited_waits_read_like_a_person_would_say_them(self):
        for seconds, words in ((None, "a second"), (0.2, "a second"), (1, "a second"),
                               (2.1, "3 seconds"), (89, "89 seconds"), (90, "2 minutes"),
                               (3600, "60 minutes"), (5400, "2 hours"), (86400, "24 hours")):
            error = XeroRateLimited(retry_after=seconds)
            self.assertTrue(str(error).endswith("try again in %s." % words), (seconds, error))
            self.assertEqual(error.message % error.params, str(error))
        self.assertEqual(XeroRateLimited(2.1).retry_after, 3)
        self.assertEqual(XeroRateLimited(problem=None).problem, "minute")

    def test_unconfirmed_write(self):
        error = XeroUnavailable(maybe_committed=True, detail="PUT /Invoices: no answer")
        self.assertEqual((error.reason, error.maybe_committed), ("unconfirmed", True))
        self.assertIn("may have been saved", str(error))
        worded = XeroUnavailable(mark("Lost: %(what)s."), maybe_committed=True, what="invoice")
        self.assertEqual((worded.reason, str(worded)), ("unconfirmed", "Lost: invoice."))

    def test_duplicate_contact_says_what_xero_already_has(self):
        acme = {"ContactID": "c-1", "Name": "Acme Ltd", "ContactStatus": "ACTIVE"}
        by_name = XeroDuplicateContact(acme, "Name", "Acme Ltd", linked_to="partner 7")
        self.assertEqual((by_name.reason, str(by_name)),
                         ("duplicate_name", "Xero already has a contact named Acme Ltd."))
        self.assertEqual((by_name.contact, by_name.field, by_name.linked_to),
                         (acme, "Name", "partner 7"))
        archived = dict(acme, ContactStatus="ARCHIVED")
        self.assertEqual(str(XeroDuplicateContact(archived, "Name", "Acme Ltd")),
                         "Xero already has an archived contact named Acme Ltd.")
        by_code = XeroDuplicateContact(acme, "AccountNumber", "ACME-1")
        self.assertEqual((by_code.reason, str(by_code)),
                         ("duplicate_account_number",
                          "Xero already has a contact, Acme Ltd, with the ledger code ACME-1."))
        self.assertEqual(str(XeroDuplicateContact(archived, "AccountNumber", "ACME-1")),
                         "Xero already has an archived contact, Acme Ltd, with the ledger code "
                         "ACME-1.")
        self.assertIsNone(by_code.linked_to)


@tagged("crm_xero")
class TestScrub(BaseCase):

    def test_tokens_and_secrets_are_masked(self):
        text = scrub("Authorization: Bearer eyJhbGciOi.payload.sig; Basic c2FuZDpzZWNyZXQ=")
        self.assertEqual(text, "Authorization: Bearer ***; Basic ***")
        form = scrub("grant_type=refresh_token&refresh_token=abc123&code_verifier=xyz&code=c0de")
        self.assertEqual(form, "grant_type=refresh_token&refresh_token=***&code_verifier=***"
                               "&code=***")
        body = scrub(b'{"access_token": "eyJ1", "id_token":"eyJ2", "client_secret": "s3cret", '
                     b'"password": "hunter2", "Name": "Acme"}')
        for secret in ("eyJ1", "eyJ2", "s3cret", "hunter2"):
            self.assertNotIn(secret, body)
        self.assertIn('"Name": "Acme"', body)

    def test_none_bytes_and_length(self):
        self.assertEqual(scrub(None), "")
        self.assertEqual(scrub(b"caf\xc3\xa9"), "caf\u00e9")
        self.assertEqual(scrub("x" * 10, limit=4), "xxxx...")
        self.assertEqual(scrub(404), "404")


# -- endpoints.py ------------------------------------------------------------------

@tagged("crm_xero")
class TestEndpoints(BaseCase):

    def test_real_xero_by_default(self):
        real = XeroEndpoints()
        self.assertEqual(real.authorize_url, "https://login.xero.com/identity/connect/authorize")
        self.assertEqual(real.token_url, "https://identity.xero.com/connect/token")
        self.assertEqual(real.revoke_url, "https://identity.xero.com/connect/revocation")
        self.assertEqual(real.connections_url, "https://api.xero.com/connections")
        self.assertEqual(real.accounting_url, "https://api.xero.com/api.xro/2.0")
        self.assertEqual(real.go_url, "https://go.xero.com")
        self.assertIs(oauth.XeroEndpoints, XeroEndpoints)

    def test_a_local_xero_https_for_odoo_and_http_for_the_browser(self):
        local = XeroEndpoints.local("https://127.0.0.1:8070/", "http://127.0.0.1:8071/",
                                    ca_file=__file__)
        self.assertEqual((local.identity_url, local.api_url),
                         ("https://127.0.0.1:8070", "https://127.0.0.1:8070"))
        self.assertEqual((local.login_url, local.go_url),
                         ("http://127.0.0.1:8071", "http://127.0.0.1:8071"))
        self.assertEqual(local.token_url, "https://127.0.0.1:8070/connect/token")
        self.assertEqual(local.authorize_url, "http://127.0.0.1:8071/identity/connect/authorize")
        self.assertEqual(local.ca_file, __file__)
        self.assertIsNone(XeroEndpoints.local("https://127.0.0.1:8070", ca_file="  ").ca_file)
        self.assertEqual(XeroEndpoints(api_url=" https://api.example.com/ ").accounting_url,
                         "https://api.example.com/api.xro/2.0")
        with self.assertRaises(dataclasses.FrozenInstanceError):
            local.api_url = "https://elsewhere.example.com"

    def test_an_empty_address_is_a_configuration_error(self):
        for field in ("login_url", "identity_url", "api_url", "go_url"):
            with self.assertRaises(XeroConfigError) as caught:
                XeroEndpoints(**{field: "  "})
            self.assertIn(field.replace("_", " "), str(caught.exception))
            self.assertIn("Settings", str(caught.exception))

    def test_deep_links_into_xeros_web_app(self):
        real = XeroEndpoints()
        self.assertEqual(real.contact_link("!aB3", "abc-123"),
                         "https://go.xero.com/organisationlogin/default.aspx?shortcode=!aB3"
                         "&redirecturl=/Contacts/View/abc-123")
        self.assertEqual(real.invoice_link("!aB3", "inv-9"),
                         "https://go.xero.com/organisationlogin/default.aspx?shortcode=!aB3"
                         "&redirecturl=/AccountsReceivable/View.aspx?InvoiceID=inv-9")
        self.assertEqual(real.credit_note_link("!aB3", "cn-1"),
                         "https://go.xero.com/organisationlogin/default.aspx?shortcode=!aB3"
                         "&redirecturl=/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=cn-1")
        self.assertEqual(real.contact_link("a b&c", "x"),
                         "https://go.xero.com/organisationlogin/default.aspx?shortcode=a%20b%26c"
                         "&redirecturl=/Contacts/View/x")
        for link in (real.contact_link, real.invoice_link, real.credit_note_link):
            self.assertIsNone(link(None, "abc"))
            self.assertIsNone(link("!aB3", None))
            self.assertIsNone(link("", ""))
        self.assertTrue(XeroEndpoints(go_url="https://go.example.com").invoice_link("!x", "i")
                        .startswith("https://go.example.com/organisationlogin/"))

    def test_https_for_what_odoo_calls_and_plain_http_for_this_machines_pages(self):
        for url in ("https://api.xero.com/api.xro/2.0", "https://10.0.0.1/x",
                    "https://127.0.0.1:8070/connect/token", "HTTPS://LOCALHOST/x"):
            self.assertEqual(check_secure(url), url)
            self.assertEqual(check_browser_url(url), url)
        for url in ("http://127.0.0.1:8070/connect/token", "http://localhost:8070",
                    "http://[::1]:8070/x", "http://127.5.5.5/x", "HTTP://LOCALHOST/x"):
            self.assertEqual(check_browser_url(url), url)      # a page on this machine
            with self.assertRaises(XeroConfigError, msg=url):  # never a call from Odoo
                check_secure(url)
        for url in ("http://api.xero.com/api.xro/2.0", "http://10.0.0.1/x", "http://0.0.0.0/",
                    "http://localhost.evil.example/", "http://127.0.0.1.nip.io/",
                    "ftp://127.0.0.1/x", "", "127.0.0.1:8070"):
            for check in (check_secure, check_browser_url):
                with self.assertRaises(XeroConfigError, msg=url) as caught:
                    check(url)
                self.assertIn("https is required", str(caught.exception))
                self.assertEqual(caught.exception.params, {"url": url})
        self.assertFalse(endpoints.is_loopback(None))

    def test_the_local_ca_is_trusted_for_the_configured_addresses_only(self):
        ca = __file__      # any existing file: only the choice is tested here
        local = XeroEndpoints.local("https://127.0.0.1:8070", "http://127.0.0.1:8071", ca)
        for url in ("https://127.0.0.1:8070/connect/token", "https://127.0.0.1:8070/connections",
                    "https://127.0.0.1:8070/api.xro/2.0/Contacts"):
            self.assertEqual(local.tls_verify(url), ca)
        for url in ("https://127.0.0.1:8071/connect/token",    # another port
                    "https://localhost:8070/connect/token",    # another name
                    "https://api.example.com/api.xro/2.0", "https://api.xero.com/connections"):
            self.assertEqual(local.tls_verify(url), certifi.where(), url)
        api_only = XeroEndpoints(identity_url="https://identity.xero.com",
                                 api_url="https://xero.test.local/v2", ca_file=ca)
        self.assertEqual(api_only.tls_verify("https://xero.test.local/v2/api.xro/2.0"), ca)
        self.assertEqual(api_only.tls_verify("https://xero.test.local/v20/x"), certifi.where())
        self.assertEqual(api_only.tls_verify("https://identity.xero.com/connect/token"),
                         certifi.where())
        # Xero's own hosts keep certifi's authorities, whatever the parameter says.
        mistaken = XeroEndpoints(ca_file=ca)
        for url in (mistaken.token_url, mistaken.connections_url, mistaken.accounting_url):
            self.assertEqual(mistaken.tls_verify(url), certifi.where())
        # Never True: a path, which REQUESTS_CA_BUNDLE cannot replace.
        self.assertTrue(os.path.isfile(XeroEndpoints().tls_verify("https://api.xero.com/x")))
        missing = XeroEndpoints.local("https://127.0.0.1:8070", ca_file="/nonexistent/ca.pem")
        with self.assertRaises(XeroConfigError) as caught:
            missing.tls_verify(missing.token_url)
        self.assertIn("crm_xero.ca_file", str(caught.exception))
        self.assertEqual(missing.tls_verify("https://api.xero.com/x"), certifi.where())


# -- invoices.py -------------------------------------------------------------------

ACCOUNTS = [
    {"Code": "200", "Name": "Sales", "Class": "REVENUE", "Status": "ACTIVE", "TaxType": "OUTPUT"},
    {"Code": "270", "Name": "Interest Income", "Class": "REVENUE", "Status": "ACTIVE",
     "TaxType": "TAX001"},
    {"Code": "280", "Name": "Old", "Class": "REVENUE", "Status": "ARCHIVED", "TaxType": "OUTPUT"},
    {"Code": "090", "Name": "Bank", "Class": "ASSET", "Status": "ACTIVE", "TaxType": "NONE"},
    {"Name": "No code", "Class": "REVENUE", "Status": "ACTIVE"},
]
TAX_RATES = [{"TaxType": "OUTPUT", "EffectiveRate": 15.0}, {"TaxType": "TAX001",
                                                            "EffectiveRate": 0.0},
             {"TaxType": "REDUCED", "EffectiveRate": 5.0}]
ITEMS = [{"Code": "WIDGET", "SalesDetails": {"AccountCode": "200", "TaxType": "REDUCED"}},
         {"Code": "BARE", "SalesDetails": {}}]
CATEGORIES = [
    {"Name": "Region", "Status": "ACTIVE", "Options": [
        {"Name": "North", "Status": "ACTIVE"}, {"Name": "West", "Status": "ARCHIVED"},
        {"Name": "South"}]},
    {"Name": "Department", "Options": [{"Name": "Sales", "Status": "ACTIVE"}]},
    {"Name": "Old Projects", "Status": "ARCHIVED", "Options": [{"Name": "Apollo"}]},
]


def line(amount, quantity=1, **values):
    return dict({"Description": "x", "Quantity": quantity, "UnitAmount": amount,
                 "AccountCode": "200"}, **values)


@tagged("crm_xero")
class TestInvoiceChoices(BaseCase):

    def test_money_rounds_half_up_to_cents(self):
        self.assertEqual(invoices.money("2.675"), Decimal("2.68"))
        self.assertEqual(invoices.money(0.125), Decimal("0.13"))
        self.assertEqual(invoices.money(-0.125), Decimal("-0.13"))
        self.assertEqual(invoices.money(None), Decimal("0.00"))
        self.assertEqual(invoices.money("n/a"), Decimal("0.00"))

    def test_line_amount_types_from_the_organisation(self):
        self.assertEqual([invoices.line_amount_types(v) for v in
                          ("Tax Exclusive", " tax inclusive ", "No Tax", "", None, "Weird")],
                         ["Exclusive", "Inclusive", "NoTax", "Exclusive", "Exclusive",
                          "Exclusive"])

    def test_revenue_account(self):
        self.assertEqual(invoices.revenue_accounts(ACCOUNTS),
                         [("200", "Sales"), ("270", "Interest Income")])
        self.assertIsNone(invoices.account_problem("200", ACCOUNTS))
        cases = {None: {}, "999": {"code": "999"}, "280": {"account": "280 Old"},
                 "090": {"account": "090 Bank"}}
        for code, params in cases.items():
            template, got = invoices.account_problem(code, ACCOUNTS)
            self.assertEqual(got, params, code)
            self.assertNotIn("%(", template % got)
        self.assertIn("archived", invoices.account_problem("280", ACCOUNTS)[0])
        self.assertIn("not a revenue", invoices.account_problem("090", ACCOUNTS)[0])

    def test_currencies(self):
        self.assertEqual(invoices.enabled_currencies({"BaseCurrency": "NZD"},
                                                     [{"Code": "USD"}, {"Code": None}]),
                         {"NZD", "USD"})
        self.assertEqual(invoices.enabled_currencies(None, []), set())

    def test_tracking(self):
        self.assertEqual(invoices.active_tracking(CATEGORIES),
                         [("Region", ["North", "South"]), ("Department", ["Sales"])])
        self.assertIsNone(invoices.tracking_problem([("Region", "North"),
                                                     ("Department", "Sales")], CATEGORIES))
        self.assertIsNone(invoices.tracking_problem([], CATEGORIES))
        cases = [
            ([("Region", "North"), ("Department", "Sales"), ("Region", "South")], {}),
            ([("Colour", "Red")], {"category": "Colour"}),
            ([("Old Projects", "Apollo")], {"category": "Old Projects"}),
            ([("Region", "East")], {"category": "Region", "option": "East"}),
            ([("Region", "West")], {"category": "Region", "option": "West"}),
        ]
        for chosen, params in cases:
            template, got = invoices.tracking_problem(chosen, CATEGORIES)
            self.assertEqual(got, params, chosen)
        self.assertIn("archived", invoices.tracking_problem([("Region", "West")], CATEGORIES)[0])

    def test_branding_theme(self):
        themes = [{"BrandingThemeID": "t-1"}]
        self.assertIsNone(invoices.theme_problem("t-1", themes))
        self.assertIsNone(invoices.theme_problem(None, themes))
        self.assertEqual(invoices.theme_problem("t-2", themes)[1], {})


@tagged("crm_xero")
class TestInvoiceLines(BaseCase):

    def test_the_opportunity_line(self):
        self.assertEqual(invoices.opportunity_line(" Big deal ", " Phase 1\n", 1200.0, "200"),
                         {"Description": "Big deal\nPhase 1", "Quantity": 1, "UnitAmount": 1200,
                          "AccountCode": "200"})
        self.assertEqual(invoices.opportunity_line("", "Only text", 99.5, "260")["Description"],
                         "Only text")
        self.assertEqual(invoices.opportunity_line("Deal", None, "10.12345", "200")["UnitAmount"],
                         10.1234)
        long = invoices.opportunity_line("x" * 5000, "", 1, "200")
        self.assertEqual(len(long["Description"]), invoices.DESCRIPTION_MAX)

    def test_quotation_lines_use_xeros_items(self):
        lines = invoices.quotation_lines([
            {"description": " Widgets ", "quantity": 3.0, "price_unit": 25, "discount": 10,
             "product_code": "widget"},
            {"description": "Bare", "quantity": 1.5, "price_unit": 19.99, "discount": 0,
             "product_code": "BARE"},
            {"description": "Service", "quantity": 1, "price_unit": 100, "product_code": None},
        ], "260", ITEMS)
        self.assertEqual(lines, [
            {"Description": "Widgets", "Quantity": 3, "UnitAmount": 25, "ItemCode": "WIDGET",
             "AccountCode": "200", "DiscountRate": 10},
            {"Description": "Bare", "Quantity": 1.5, "UnitAmount": 19.99, "ItemCode": "BARE",
             "AccountCode": "260"},
            {"Description": "Service", "Quantity": 1, "UnitAmount": 100, "AccountCode": "260"}])
        self.assertFalse(any("TaxType" in entry for entry in lines))

    def test_tracking_goes_on_every_line(self):
        lines = [line(10), line(20)]
        tracked = invoices.with_tracking(lines, [("Region", "North")])
        self.assertEqual([entry["Tracking"] for entry in tracked],
                         [[{"Name": "Region", "Option": "North"}]] * 2)
        self.assertNotIn("Tracking", lines[0])
        self.assertEqual(invoices.with_tracking(lines, []), lines)

    def test_what_cannot_make_an_invoice(self):
        nothing = invoices.lines_problem([])
        self.assertIn("nothing to invoice", nothing[0])
        self.assertIsNotNone(invoices.lines_problem([line(0), line(10, quantity=0)]))
        negative = [line(-100)]
        estimate = invoices.estimate(negative, "Exclusive", ACCOUNTS, [], TAX_RATES)
        template, params = invoices.lines_problem(negative, estimate)
        self.assertEqual(params, {"total": "-115.00"})
        self.assertIn("credit note", template)
        self.assertIsNone(invoices.lines_problem([line(10)], {"total": 11.5}))
        self.assertIsNone(invoices.lines_problem([line(10)]))


@tagged("crm_xero")
class TestInvoiceTotals(BaseCase):

    def estimate(self, lines, line_amounts="Exclusive"):
        return invoices.estimate(lines, line_amounts, ACCOUNTS, ITEMS, TAX_RATES)

    def test_tax_is_rounded_per_line_like_xero(self):
        three_dimes = [line(0.10)] * 3
        # per line 0.015 -> 0.02, three times; on the total it would be 0.05
        self.assertEqual(self.estimate(three_dimes),
                         {"subtotal": 0.30, "tax": 0.06, "total": 0.36})
        self.assertEqual(self.estimate([line(10)], "Inclusive"),
                         {"subtotal": 8.70, "tax": 1.30, "total": 10.00})
        self.assertEqual(self.estimate([line(10)], "NoTax"),
                         {"subtotal": 10.00, "tax": 0.00, "total": 10.00})

    def test_line_amounts_round_half_up_after_discount(self):
        self.assertEqual(self.estimate([line(33.335, quantity=3)], "NoTax")["total"], 100.01)
        # each line is rounded before they are added up: 2 x 100.01, not 200.01
        self.assertEqual(self.estimate([line(33.335, quantity=3)] * 2, "NoTax")["total"],
                         200.02)
        # 7 x 2.345 = 16.415, less 12.5% = 14.363125 -> 14.36
        self.assertEqual(self.estimate([line(2.345, quantity=7, DiscountRate=12.5)],
                                       "NoTax")["total"], 14.36)

    def test_which_tax_rate_a_line_gets(self):
        # the item's tax type whenever the line gives none, as Xero (and the
        # sandbox) fill a line from its item, whichever account it is booked to
        self.assertEqual(self.estimate([line(100, ItemCode="widget")])["tax"], 5.0)
        self.assertEqual(self.estimate([line(100, ItemCode="WIDGET", AccountCode="270")])["tax"],
                         5.0)
        # an item without one: the account's; an explicit one over both
        self.assertEqual(self.estimate([line(100, ItemCode="BARE", AccountCode="270")])["tax"],
                         0.0)
        self.assertEqual(self.estimate([line(100, TaxType="REDUCED")])["tax"], 5.0)
        self.assertEqual(self.estimate([line(100, AccountCode="999")])["tax"], 0.0)

    def test_totals_problem(self):
        self.assertIsNone(invoices.totals_problem(115.0, {"Total": 115.004}))
        self.assertEqual(invoices.totals_problem(115.0, {"Total": 114.99}),
                         "expected 115.00, Xero made 114.99")
        self.assertEqual(invoices.totals_problem(1.0, None), "expected 1.00, Xero made 0.00")


@tagged("crm_xero")
class TestInvoicePayload(BaseCase):

    def test_reference(self):
        self.assertEqual(invoices.reference(" Big deal ", "S00042"), "Big deal (S00042)")
        self.assertEqual(invoices.reference("Big deal"), "Big deal")
        self.assertEqual(invoices.reference("", "S00042"), "S00042")
        self.assertEqual(len(invoices.reference("x" * 300, "S1")), invoices.REFERENCE_MAX)

    def test_create_and_update_payloads(self):
        lines = [line(10)]
        created = invoices.invoice_payload("c-1", lines, "USD", "Exclusive", "Deal",
                                           "https://odoo.example/lead/7",
                                           due_date=datetime.date(2025, 4, 30),
                                           branding_theme_id="t-1")
        self.assertEqual(created, {
            "Type": "ACCREC", "Status": "DRAFT", "Contact": {"ContactID": "c-1"},
            "LineItems": lines, "LineAmountTypes": "Exclusive", "CurrencyCode": "USD",
            "Reference": "Deal", "Url": "https://odoo.example/lead/7", "DueDate": "2025-04-30",
            "BrandingThemeID": "t-1"})
        updated = invoices.invoice_payload("c-1", lines, "USD", "NoTax", "Deal", None,
                                           create=False)
        self.assertEqual(set(updated), {"Contact", "LineItems", "LineAmountTypes",
                                        "CurrencyCode", "Reference"})

    def test_what_odoo_keeps_of_a_xero_invoice(self):
        values = invoices.invoice_values({
            "InvoiceID": "i-1", "InvoiceNumber": "INV-0042", "Status": "paid",
            "Reference": "Deal", "SubTotal": 100, "TotalTax": 15.0, "Total": "115.00",
            "AmountDue": 0, "AmountPaid": 100, "AmountCredited": 15, "CurrencyCode": "USD",
            "Date": "/Date(1741910400000+0000)/", "DueDate": "2025-04-13T00:00:00",
            "FullyPaidOnDate": "/Date(1742515200000+0000)/"})
        self.assertEqual(values, {
            "invoice_id": "i-1", "number": "INV-0042", "status": "PAID", "reference": "Deal",
            "subtotal": 100.0, "total_tax": 15.0, "total": 115.0, "amount_due": 0.0,
            "amount_paid": 100.0, "amount_credited": 15.0, "currency": "USD",
            "currency_rate": 1.0, "lines_amount": None,
            "date": datetime.date(2025, 3, 14), "due_date": datetime.date(2025, 4, 13),
            "paid_on": datetime.date(2025, 3, 21)})
        bare = invoices.invoice_values({"InvoiceID": "i-2", "Status": "ODD"})
        self.assertEqual((bare["status"], bare["number"], bare["total"], bare["date"]),
                         (False, False, 0.0, False))


# -- matching.py, import_rules.py, where.py -------------------------------------------

@tagged("crm_xero")
class TestMatching(BaseCase):

    def setUp(self):
        super().setUp()
        self.acme = {"ContactID": "c-1", "AccountNumber": "ACME-1", "ContactNumber": "odoo-1",
                     "Name": "Acme Ltd", "EmailAddress": " Info@Acme.example"}
        self.twin_a = {"ContactID": "c-2", "Name": "Twin Ltd", "EmailAddress": "a@twin.example"}
        self.twin_b = {"ContactID": "c-3", "Name": " twin  LTD ", "AccountNumber": "TWIN-B"}
        self.index = matching.ContactIndex([self.acme, self.twin_a, self.twin_b])

    def test_strongest_evidence_wins(self):
        match = self.index.match
        self.assertEqual(match(contact_id="c-1", name="Twin Ltd"), (self.acme, "contact_id"))
        self.assertEqual(match(account_number=" acme-1 ", name="Twin Ltd"),
                         (self.acme, "account_number"))
        self.assertEqual(match(contact_number="ODOO-1"), (self.acme, "contact_number"))
        self.assertEqual(match(name="ACME  ltd"), (self.acme, "name"))
        self.assertEqual(match(email="INFO@acme.example"), (self.acme, "email"))
        self.assertEqual(match(contact_id="c-404", email="a@twin.example"),
                         (self.twin_a, "email"))
        self.assertEqual(match(name="Nobody"), (None, None))
        self.assertEqual(match(), (None, None))

    def test_a_shared_key_is_a_conflict_never_a_guess(self):
        self.assertEqual(self.index.match(name="Twin Ltd", email="a@twin.example"),
                         (None, "conflict: 2 Xero contacts share this name"))
        self.assertEqual(self.index.match(account_number="TWIN-B", name="Twin Ltd"),
                         (self.twin_b, "account_number"))
        odoo = matching.ContactIndex([{"Name": "Same"}, {"Name": "same"}], label="Odoo accounts")
        self.assertEqual(odoo.match(name="SAME"),
                         (None, "conflict: 2 Odoo accounts share this name"))

    def test_keys_limit_the_evidence(self):
        self.assertEqual(self.index.match(account_number="ACME-1", keys=("name", "email")),
                         (None, None))
        self.assertEqual(self.index.match_contact(dict(self.acme, ContactID=None),
                                                  keys=("contact_number",)),
                         (self.acme, "contact_number"))
        later = matching.ContactIndex()
        later.add(self.acme)
        self.assertEqual(later.match_contact({"Name": "acme ltd"}), (self.acme, "name"))


@tagged("crm_xero")
class TestImportRules(BaseCase):

    def test_which_side_wins(self):
        merge = import_rules.merge
        synced = {"phone": "1", "city": "Oaktown", "email": "a@x.example"}
        current = {"phone": "1", "city": "Odooville", "email": "a@x.example"}
        incoming = {"phone": "2", "city": "Xeroton", "email": "a@x.example"}
        # Xero changed the phone only Xero touched; the city both changed
        self.assertEqual(merge(current, synced, incoming), ({"phone": "2"}, ["city"]))
        self.assertEqual(merge(current, synced, incoming, winner=import_rules.XERO_WINS),
                         ({"phone": "2", "city": "Xeroton"}, []))
        # Xero did not change it: whatever Odoo has stays, even emptied
        self.assertEqual(merge({"city": False}, {"city": "Oaktown"}, {"city": "Oaktown"}),
                         ({}, []))
        # both made the same change
        self.assertEqual(merge({"city": "X"}, {"city": "Y"}, {"city": "X"}), ({}, []))
        self.assertEqual(merge({"vat": ""}, {"vat": False}, {"vat": None}), ({}, []))

    def test_without_a_last_sync_xero_fills_blanks_only(self):
        current = {"phone": "", "city": "Odooville"}
        incoming = {"phone": "2", "city": "Xeroton"}
        self.assertEqual(import_rules.merge(current, None, incoming), ({"phone": "2"}, ["city"]))
        self.assertEqual(import_rules.merge(current, None, incoming, winner="xero"),
                         ({"phone": "2", "city": "Xeroton"}, []))

    def test_contact_changed(self):
        changed = import_rules.contact_changed
        stamp = "/Date(1741910400000+0000)/"
        self.assertTrue(changed({"UpdatedDateUTC": stamp}, None))
        self.assertFalse(changed({"UpdatedDateUTC": stamp}, {"UpdatedDateUTC": stamp}))
        self.assertTrue(changed({"UpdatedDateUTC": "/Date(1741910400001+0000)/"},
                                {"UpdatedDateUTC": stamp}))
        self.assertTrue(changed({}, {"UpdatedDateUTC": None}))


@tagged("crm_xero")
class TestWhere(BaseCase):

    def test_values_are_quoted(self):
        self.assertEqual(where.quote('Acme "Ltd" \\ Co'), '"Acme \\"Ltd\\" \\\\ Co"')
        self.assertEqual(where.eq("Name", 'x" OR Name!="x'), 'Name=="x\\" OR Name!=\\"x"')
        self.assertEqual(where.guid_eq("ContactID", "c-1"), 'ContactID==Guid("c-1")')
        self.assertEqual(where.eq("Code", 200), 'Code=="200"')

    def test_clauses_combine_without_changing_meaning(self):
        name, email = where.eq("Name", 'Acme "Ltd"'), where.eq("EmailAddress", "a@b.c")
        self.assertEqual(where.any_of(name, email), 'Name=="Acme \\"Ltd\\"" OR '
                                                    'EmailAddress=="a@b.c"')
        self.assertEqual(where.any_of(name, None, ""), name)
        self.assertEqual(where.any_of(), "")
        both = where.all_of('Status=="ACTIVE"', 'Class=="REVENUE"')
        self.assertEqual(both, 'Status=="ACTIVE" AND Class=="REVENUE"')
        self.assertEqual(where.any_of(both, name),
                         '(Status=="ACTIVE" AND Class=="REVENUE") OR Name=="Acme \\"Ltd\\""')
        self.assertEqual(where.all_of('Status=="ACTIVE"', where.any_of(name, email)),
                         'Status=="ACTIVE" AND (%s OR %s)' % (name, email))
        self.assertEqual(where.all_of(None, email), email)


# -- pacing.py ---------------------------------------------------------------------

@tagged("crm_xero")
class TestPacer(BaseCase):
    """The pacer on a fake clock: every wait is a number, never a sleep."""

    def setUp(self):
        super().setUp()
        self.clock = FakeClock()

    def calls(self, pacer, tenant, count, priority=INTERACTIVE, every=0.0):
        for _i in range(count):
            pacer.acquire(tenant, priority, max_wait=0)
            pacer.release(tenant, priority)
            self.clock.advance(every)

    def test_background_budget_leaves_room_for_people(self):
        pacer = self.clock.pacer(per_minute=6, background_per_minute=4, safety_margin=0)
        self.calls(pacer, "t", 4, BACKGROUND, every=1.0)     # at 1000, 1001, 1002, 1003
        pacer.acquire("t", INTERACTIVE, max_wait=0)            # headroom: no wait
        pacer.release("t", INTERACTIVE)
        self.clock.advance(1.0)                                # now 1005
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("t", BACKGROUND, max_wait=10)
        self.assertEqual((caught.exception.problem, caught.exception.retry_after), ("minute", 56))
        self.assertIn("local pacer", caught.exception.detail)
        self.assertEqual(self.clock.waits, [])
        pacer.acquire("t", BACKGROUND)                         # waits for the window
        self.assertEqual(self.clock.waits, [56.0])             # 1001 + 60 - 1005
        self.assertEqual(self.clock.now, 1061.0)
        pacer.release("t", BACKGROUND)

    def test_the_safety_margin_keeps_one_call_of_xeros_minute_free(self):
        pacer = self.clock.pacer()
        self.calls(pacer, "t", 59)
        with self.assertRaises(XeroRateLimited):
            pacer.acquire("t", max_wait=0)
        self.assertEqual(pacer.snapshot("t")["calls_in_window"], 59)
        with self.assertRaises(ValueError):
            Pacer(per_minute=10, background_per_minute=11)

    def test_a_call_counts_until_a_window_after_its_answer(self):
        pacer = self.clock.pacer(per_minute=2, background_per_minute=2, safety_margin=0)
        pacer.acquire("t", max_wait=0)                        # in flight: counts already
        self.calls(pacer, "t", 1)
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("t", max_wait=10)
        self.assertEqual(caught.exception.retry_after, 60)    # the finished one frees first
        self.clock.advance(30)
        pacer.release("t")                                    # answered at 1030
        self.clock.advance(31)                                # 1061: the first is out
        pacer.acquire("t", max_wait=0)
        pacer.release("t")
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("t", max_wait=0)
        self.assertEqual(caught.exception.retry_after, 29)    # 1030 + 60 - 1061

    def test_tenants_have_separate_budgets(self):
        pacer = self.clock.pacer(per_minute=2, background_per_minute=2, safety_margin=0)
        self.calls(pacer, "a", 2)
        with self.assertRaises(XeroRateLimited):
            pacer.acquire("a", max_wait=0)
        self.calls(pacer, "b", 2)
        pacer.reset("a")                                      # e.g. after the sandbox's reset
        self.calls(pacer, "a", 1)
        with self.assertRaises(XeroRateLimited):
            pacer.acquire("b", max_wait=0)
        pacer.reset()
        self.calls(pacer, "b", 2)

    def test_the_app_wide_limit_spans_tenants(self):
        pacer = self.clock.pacer(app_per_minute=4)
        self.calls(pacer, "a", 2, every=5.0)
        self.calls(pacer, "b", 1, every=5.0)                 # three calls: 1000, 1005, 1010
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("c", max_wait=0)
        self.assertEqual((caught.exception.problem, caught.exception.retry_after), ("app", 45))
        pacer.acquire("c")
        self.assertEqual(self.clock.waits, [45.0])
        pacer.release("c")

    def test_concurrent_slots_one_short_for_background(self):
        pacer = self.clock.pacer(max_concurrent=3, background_concurrent=2)
        pacer.acquire("t", BACKGROUND, max_wait=0)
        pacer.acquire("t", BACKGROUND, max_wait=0)
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("t", BACKGROUND, max_wait=0)
        self.assertEqual(caught.exception.problem, "concurrent")
        pacer.acquire("t", INTERACTIVE, max_wait=0)            # people still get in
        with self.assertRaises(XeroRateLimited):
            pacer.acquire("t", INTERACTIVE, max_wait=0)        # all three taken
        self.assertEqual(pacer.snapshot("t")["active"], 3)
        self.assertEqual(pacer.snapshot("t")["active_background"], 2)
        pacer.release("t", BACKGROUND)
        pacer.acquire("t", INTERACTIVE, max_wait=0)
        self.assertEqual(pacer.snapshot("t")["active_background"], 1)

    def test_a_full_slot_is_polled_until_max_wait_then_refused(self):
        pacer = self.clock.pacer(max_concurrent=1)
        pacer.acquire("t", max_wait=0)
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("t", max_wait=2.5)
        self.assertEqual(self.clock.waits, [1.0, 1.0, 0.5])
        self.assertEqual((caught.exception.problem, caught.exception.retry_after),
                         ("concurrent", 1))

    def test_a_block_holds_every_call_and_the_longest_wins(self):
        pacer = self.clock.pacer()
        pacer.block("t", 30)
        pacer.block("t", 5)                                   # shorter: ignored
        self.assertEqual(pacer.snapshot("t")["blocked_for"], 30.0)
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("t", max_wait=10)
        self.assertEqual((caught.exception.retry_after, caught.exception.problem), (30, "minute"))
        pacer.acquire("other", max_wait=0)                    # other tenants are free
        pacer.acquire("t")
        self.assertEqual(self.clock.waits, [30.0])
        pacer.block("t", 3600, "day")
        with self.assertRaises(XeroRateLimited) as caught:
            pacer.acquire("t", max_wait=90)
        self.assertEqual(caught.exception.problem, "day")
        pacer.reset("t")
        self.assertEqual(pacer.snapshot("t")["blocked_for"], 0.0)

    def test_xeros_remaining_count_wins(self):
        pacer = self.clock.pacer(per_minute=60, background_per_minute=50)
        pacer.observe("t", "8")       # someone else spent 52 of Xero's 60
        self.assertEqual(pacer.snapshot("t")["calls_in_window"], 52)
        with self.assertRaises(XeroRateLimited):
            pacer.acquire("t", BACKGROUND, max_wait=0)
        pacer.acquire("t", INTERACTIVE, max_wait=0)
        pacer.release("t", INTERACTIVE)
        pacer.observe("t", 59)        # Xero thinks fewer were spent: ours stands
        pacer.observe("t", None)
        pacer.observe("t", "n/a")
        self.assertEqual(pacer.snapshot("t")["calls_in_window"], 53)
        self.clock.advance(60)
        self.assertEqual(pacer.snapshot("t")["calls_in_window"], 0)

    def test_a_slot_is_released_when_the_call_fails(self):
        pacer = self.clock.pacer(max_concurrent=1)
        with self.assertRaises(ZeroDivisionError):
            with pacer.slot("t", BACKGROUND, max_wait=0):
                self.assertEqual(pacer.snapshot("t")["active"], 1)
                raise ZeroDivisionError
        self.assertEqual(pacer.snapshot("t"), {"calls_in_window": 1, "active": 0,
                                               "active_background": 0, "blocked_for": 0.0})
        self.assertEqual(pacer.snapshot("never-seen")["calls_in_window"], 0)


@tagged("crm_xero")
class TestDeadline(BaseCase):
    """One deadline per request: waits are cut to what is left of it."""

    def test_no_deadline_leaves_every_wait_as_asked(self):
        self.assertIsNone(deadline.left())
        self.assertEqual(deadline.cap(30), 30)
        self.assertIsNone(deadline.cap(None))

    def test_a_wait_is_cut_to_what_is_left_and_nothing_left_says_so(self):
        with deadline.within(5):
            self.assertLessEqual(deadline.cap(30), 5)
            self.assertEqual(deadline.cap(1), 1)
        with deadline.within(0, at=deadline.time.monotonic() - 1):
            with self.assertRaises(XeroTimedOut) as caught:
                deadline.cap(30)
        self.assertEqual(caught.exception.reason, "deadline")
        self.assertIn("nothing was changed", str(caught.exception))
        self.assertIsNone(deadline.current(), "the deadline ends with its block")

    def test_an_inner_deadline_never_extends_the_outer_one(self):
        with deadline.within(2) as outer:
            with deadline.within(60) as inner:
                self.assertEqual(inner, outer)
            with deadline.within(1) as shorter:
                self.assertLess(shorter, outer)
            self.assertEqual(deadline.current(), outer)

    def test_a_gateway_keeps_the_deadline_of_the_thread_that_built_it(self):
        with deadline.within(3) as at:
            gateway = XeroGateway(None, "token", "tenant")
        self.assertEqual(gateway.deadline_at, at)
        self.assertIsNone(XeroGateway(None, "token", "tenant").deadline_at)


class MemoryDayStore:
    """A DayBudget's store in a dict (the database's, in models)."""

    def load(self):
        return day_budget.DayState(self.state.remaining, self.state.seen_at,
                                   self.state.exhausted_until, self.state.calls)

    def __init__(self):
        self.state = day_budget.DayState()
        self.flying = set()

    def hold(self, decide, now):
        decide(self.load(), len(self.flying))
        token = "t%s" % len(self.flying)
        self.flying.add(token)
        return token

    def record(self, priority, remaining, exhausted_until, counted, now, token=None):
        self.flying.discard(token)
        if remaining is not None:
            self.state.remaining, self.state.seen_at = remaining, now
        if exhausted_until != day_budget.KEEP:
            self.state.exhausted_until = exhausted_until
        if counted:
            counts = self.state.calls.setdefault(day_budget.hour_key(now), [0, 0])
            counts[1 if priority == "background" else 0] += 1


@tagged("crm_xero")
class TestDayBudgetRules(BaseCase):
    """The decisions of xero/day_budget.py, on a fake clock."""

    def setUp(self):
        super().setUp()
        self.now = datetime.datetime(2026, 12, 2, 10, 30)
        self.store = MemoryDayStore()
        self.budget = day_budget.DayBudget(self.store, day_limit=100, reserve_share=0.2,
                                           clock=lambda: self.now)

    def answer(self, left, priority="background", status=200, held=None, **headers):
        self.budget.observe(priority, status, CaseInsensitiveDict(
            {"X-DayLimit-Remaining": str(left), **headers}), held)

    def call(self, left, priority="background", **headers):
        """A call admitted, then Xero's answer: ``left`` calls left."""
        self.answer(left, priority, held=self.budget.admit(priority), **headers)

    def test_background_stops_at_the_reserve_and_people_go_on(self):
        self.assertEqual(self.budget.reserve, 20)
        self.call(21)                             # Xero never said before: nothing to go by
        self.call(20)
        with self.assertRaises(XeroDayReserved) as caught:
            self.budget.admit("background")
        self.assertEqual((caught.exception.problem, caught.exception.reason),
                         ("reserve", "rate_limited"))
        self.assertIn("kept for people's clicks", str(caught.exception))
        self.budget.admit("interactive")          # a click uses the whole day
        self.answer(0, "interactive")
        self.budget.admit("interactive")          # Xero decides: no 429 yet

    def test_a_day_429_stops_everyone_until_xero_says_and_is_forgotten_after(self):
        self.answer(0, status=429, **{"X-Rate-Limit-Problem": "day", "Retry-After": "3600"})
        for priority in ("interactive", "background"):
            with self.assertRaises(XeroRateLimited) as caught:
                self.budget.admit(priority)
            self.assertEqual((caught.exception.problem, caught.exception.retry_after),
                             ("day", 3600))
        self.assertIn("Xero takes calls again at 11:30 UTC (in 60 minutes)",
                      str(caught.exception))
        self.now += datetime.timedelta(minutes=61)
        self.budget.admit("interactive")
        self.answer(4000, "interactive")
        self.assertIsNone(self.store.state.exhausted_until, "Xero took a call: the day is back")

    def test_background_calls_in_flight_count_against_the_reserve(self):
        self.answer(22)
        first = self.budget.admit("background")      # 22 left, none in flight
        second = self.budget.admit("background")     # 22 left, 1 in flight
        with self.assertRaises(XeroDayReserved):
            self.budget.admit("background")          # 22 left, 2 in flight: 20 = the reserve
        self.budget.observe("background", 200, {"X-DayLimit-Remaining": "21"}, first)
        self.budget.observe("background", None, None, second)   # no answer: not in flight
        self.budget.admit("background")
        self.assertEqual(len(self.store.flying), 1)

    def test_a_minute_429_is_not_a_spent_day(self):
        self.answer(50, status=429, **{"X-Rate-Limit-Problem": "minute", "Retry-After": "10"})
        self.budget.admit("background")
        self.assertEqual(self.store.state.remaining, 50)
        self.assertEqual(self.store.state.calls, {}, "a refused call is not counted")

    def test_calls_leave_the_rolling_day_and_background_work_resumes(self):
        for _call in range(30):
            self.answer(85)                       # 30 calls between 10:00 and 11:00
        self.now = datetime.datetime(2026, 12, 2, 11, 30)
        self.answer(20)                           # and 45 made elsewhere meanwhile
        with self.assertRaises(XeroDayReserved) as caught:
            self.budget.admit("background")
        state = self.store.load()
        self.assertEqual(state.next_free(self.now), datetime.datetime(2026, 12, 3, 11))
        self.assertEqual(caught.exception.retry_after, 23 * 3600 + 1800)
        self.assertEqual(state.made(self.now, day_budget.BACKGROUND), 31)
        self.now = datetime.datetime(2026, 12, 3, 10, 59)
        self.assertEqual(state.left(self.now, 100), 20, "still in the window")
        self.now = datetime.datetime(2026, 12, 3, 11, 0)
        self.assertEqual(state.left(self.now, 100), 50, "the 30 calls of 10:00 have left it")
        self.budget.admit("background")
        self.now = datetime.datetime(2026, 12, 3, 11, 30)
        self.assertEqual(state.left(self.now, 100), 100, "a day after Xero last said: all of it")
