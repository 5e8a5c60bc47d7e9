"""xero-python against quotes and currencies: every quote operation and
filter the SDK has, its requests checked against Xero's spec (--check-spec)."""
import datetime as dt

import pytest
import requests
from xero_python.accounting import (
    Contact,
    Contacts,
    Currency,
    CurrencyCode,
    HistoryRecord,
    HistoryRecords,
    Invoice,
    Invoices,
    LineItem,
    LineItemTracking,
    Quote,
    QuoteLineAmountTypes,
    Quotes,
    QuoteStatusCodes,
)
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from xero_sandbox import DEMO_TENANT_ID

from .helpers import SCOPES

T = DEMO_TENANT_ID
TODAY = dt.date.today()

# The SDK's own requests must be exactly what Xero's spec describes.
SPEC_CHECK = True
pytestmark = pytest.mark.usefixtures("no_spec_violations")


@pytest.fixture
def sdk_scopes():
    return SCOPES.replace("accounting.settings.read", "accounting.settings")


def _customer(api, name="SDK Quote Buyer Ltd"):
    return api.create_contacts(T, Contacts(contacts=[Contact(name=name)])) \
        .contacts[0].contact_id


def test_quote_lifecycle_through_the_sdk(sandbox, sdk, tmp_path):
    api = sdk["accounting"]
    sdk["client"].configuration.temp_folder_path = str(tmp_path)
    contact_id = _customer(api)
    quote = Quote(contact=Contact(contact_id=contact_id), date=TODAY,
                  expiry_date=TODAY + dt.timedelta(days=30), title="Fit-out",
                  summary="Phase one", terms="50% deposit", reference="OPP-501",
                  currency_code=CurrencyCode.EUR,
                  line_amount_types=QuoteLineAmountTypes.EXCLUSIVE,
                  line_items=[LineItem(item_code="CONSULT-HR", quantity=12, discount_rate=10,
                                       tracking=[LineItemTracking(name="Region",
                                                                  option="South")]),
                              LineItem(description="Materials", quantity=1, unit_amount=480,
                                       account_code="260")])
    created = api.create_quotes(T, Quotes(quotes=[quote]), summarize_errors=True,
                                idempotency_key="sdk-quote-1").quotes[0]
    assert created.quote_number.startswith("QU-") and created.status == QuoteStatusCodes.DRAFT
    assert (created.currency_code, float(created.currency_rate)) == (CurrencyCode.EUR, 0.92)
    assert [float(created.sub_total), float(created.total_tax), float(created.total),
            float(created.total_discount)] == [2100.0, 315.0, 2415.0, 180.0]
    assert created.line_amount_types == QuoteLineAmountTypes.EXCLUSIVE
    assert created.expiry_date == TODAY + dt.timedelta(days=30)
    assert isinstance(created.updated_date_utc, dt.datetime)
    replay = api.create_quotes(T, Quotes(quotes=[quote]), summarize_errors=True,
                               idempotency_key="sdk-quote-1").quotes[0]
    assert replay.quote_id == created.quote_id
    fetched = api.get_quote(T, created.quote_id).quotes[0]
    assert fetched.line_items[0].tracking[0].option == "South"
    sent = api.update_quote(T, created.quote_id, Quotes(quotes=[Quote(
        contact=Contact(contact_id=contact_id), date=TODAY, status=QuoteStatusCodes.SENT,
        title="Fit-out", summary="Phase one", terms="50% deposit", reference="OPP-501",
        line_amount_types=QuoteLineAmountTypes.EXCLUSIVE)]),
        idempotency_key="sdk-quote-send").quotes[0]
    assert (sent.status, sent.title, float(sent.total)) == (
        QuoteStatusCodes.SENT, "Fit-out", 2415.0)
    requests.post("%s/_sandbox/orgs/%s/quotes/%s/accept" % (sandbox.url, T, created.quote_id))
    invoiced = api.update_or_create_quotes(T, Quotes(quotes=[Quote(
        quote_id=created.quote_id, contact=Contact(contact_id=contact_id), date=TODAY,
        status=QuoteStatusCodes.INVOICED)]), summarize_errors=False).quotes[0]
    assert invoiced.status == QuoteStatusCodes.INVOICED and invoiced.title == "Fit-out"
    listed = api.get_quotes(
        T, if_modified_since=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5),
        date_from=TODAY, date_to=TODAY, expiry_date_from=TODAY,
        expiry_date_to=TODAY + dt.timedelta(days=30), contact_id=contact_id,
        status="INVOICED", page=1, order="QuoteNumber ASC",
        quote_number=created.quote_number).quotes
    assert [q.quote_id for q in listed] == [created.quote_id]
    path = api.get_quote_as_pdf(T, created.quote_id)
    with open(path, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF") and created.quote_number.encode() in content
    api.create_quote_history(T, created.quote_id, HistoryRecords(history_records=[
        HistoryRecord(details="Deposit invoice next")]), idempotency_key="sdk-quote-note")
    history = api.get_quote_history(T, created.quote_id).history_records
    assert [h.changes for h in history] == ["Created", "Sent", "Accepted", "Invoiced", "Note"]
    with pytest.raises(NotFoundException):
        api.get_quote(T, "00000000-0000-0000-0000-000000000000")


def test_quote_refusals_reach_the_sdk(sdk):
    api = sdk["accounting"]
    contact_id = _customer(api, "SDK Refused Quote Ltd")
    draft = api.create_quotes(T, Quotes(quotes=[Quote(
        contact=Contact(contact_id=contact_id),
        line_items=[LineItem(description="x", quantity=1, unit_amount=5)])])).quotes[0]
    with pytest.raises(AccountingBadRequestException) as caught:
        api.update_quote(T, draft.quote_id, Quotes(quotes=[Quote(
            contact=Contact(contact_id=contact_id), date=TODAY,
            status=QuoteStatusCodes.DECLINED)]))
    assert caught.value.reason == "The status of a DRAFT quote cannot be changed to DECLINED."
    with pytest.raises(AccountingBadRequestException) as caught:
        api.create_quotes(T, Quotes(quotes=[Quote(
            contact=Contact(contact_id=contact_id), currency_code=CurrencyCode.NZD,
            line_items=[LineItem(description="x", quantity=1, unit_amount=5)])]))
    assert caught.value.reason == "Organisation is not subscribed to currency NZD"
    mixed = api.create_quotes(T, Quotes(quotes=[
        Quote(contact=Contact(contact_id=contact_id),
              line_items=[LineItem(description="ok", quantity=1, unit_amount=5)]),
        Quote(contact=Contact(contact_id=contact_id), line_items=[])]),
        summarize_errors=False).quotes
    assert [bool(q.validation_errors) for q in mixed] == [False, True]
    assert mixed[1].validation_errors[0].message == "One or more line items must be specified."


def test_currencies_through_the_sdk(sdk):
    api = sdk["accounting"]
    added = api.create_currency(T, Currency(code=CurrencyCode.NZD,
                                            description="New Zealand Dollar"),
                                idempotency_key="sdk-currency-1").currencies
    assert [c.code for c in added] == [CurrencyCode.NZD]
    codes = [c.code.value for c in api.get_currencies(T, where='Code!="EUR"',
                                                      order="Code DESC").currencies]
    assert codes == ["USD", "NZD", "GBP"]
    contact_id = _customer(api, "SDK Kiwi Ltd")
    invoice = api.create_invoices(T, Invoices(invoices=[Invoice(
        type="ACCREC", contact=Contact(contact_id=contact_id), currency_code=CurrencyCode.NZD,
        currency_rate=1.7, line_items=[LineItem(description="x", quantity=2, unit_amount=50,
                                                account_code="200")])])).invoices[0]
    assert (invoice.currency_code, float(invoice.currency_rate), float(invoice.total)) == (
        CurrencyCode.NZD, 1.7, 115.0)
