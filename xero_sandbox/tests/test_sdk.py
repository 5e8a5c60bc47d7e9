"""The official xero-python SDK, pointed at the sandbox, calling every operation
the addon uses: proof that the sandbox speaks what real clients parse."""
import datetime as dt

import pytest
import requests
from xero_python.accounting import (
    Contact,
    ContactPerson,
    Contacts,
    HistoryRecord,
    HistoryRecords,
    Invoice,
    Invoices,
    LineItem,
)
from xero_python.accounting import Contact as InvoiceContact
from xero_python.exceptions import (
    AccountingBadRequestException,
    HTTPStatusException,
    NotFoundException,
    RateLimitException,
)

from xero_sandbox import DEMO_TENANT_ID, SECOND_TENANT_ID

# The SDK's own requests must be exactly what Xero's spec describes.
SPEC_CHECK = True
pytestmark = pytest.mark.usefixtures("no_spec_violations")


def test_settings_operations(sdk):
    api = sdk["accounting"]
    org = api.get_organisations(DEMO_TENANT_ID).organisations[0]
    assert org.short_code == "!dEm0C" and org.base_currency.value == "USD"
    accounts = api.get_accounts(DEMO_TENANT_ID,
                                where='Status=="ACTIVE" AND Class=="REVENUE"').accounts
    assert [a.code for a in accounts] == ["200", "260", "270"]
    rates = api.get_tax_rates(DEMO_TENANT_ID).tax_rates
    assert {r.tax_type: float(r.effective_rate) for r in rates}["OUTPUT"] == 15.0
    assert [c.code.value for c in api.get_currencies(DEMO_TENANT_ID).currencies] == \
        ["USD", "EUR", "GBP"]


def test_contact_operations(sdk):
    api = sdk["accounting"]
    page = api.get_contacts(DEMO_TENANT_ID, page=1, page_size=10)
    assert len(page.contacts) == 10 and page.pagination.page_size == 10
    assert page.contacts[0].balances.accounts_receivable.outstanding is not None
    created = api.create_contacts(DEMO_TENANT_ID, Contacts(contacts=[Contact(
        name="SDK Customer Ltd", email_address="sdk@example.com", contact_number="ODOO-9",
        contact_persons=[ContactPerson(first_name="Sam", last_name="Dee")])]),
        idempotency_key="sdk-create-1").contacts[0]
    assert created.contact_id and created.contact_status == "ACTIVE"
    assert isinstance(created.updated_date_utc, dt.datetime)
    by_number = api.get_contact_by_contact_number(DEMO_TENANT_ID, "ODOO-9").contacts[0]
    assert by_number.contact_id == created.contact_id
    updated = api.update_contact(DEMO_TENANT_ID, created.contact_id, Contacts(contacts=[
        Contact(email_address="billing@example.com")])).contacts[0]
    assert updated.email_address == "billing@example.com" and updated.name == "SDK Customer Ltd"
    upserted = api.update_or_create_contacts(DEMO_TENANT_ID, Contacts(contacts=[
        Contact(contact_id=created.contact_id, first_name="Sam")])).contacts[0]
    assert upserted.first_name == "Sam"
    assert api.get_contact(DEMO_TENANT_ID, created.contact_id).contacts[0].first_name == "Sam"
    api.create_contact_history(DEMO_TENANT_ID, created.contact_id, HistoryRecords(
        history_records=[HistoryRecord(details="Linked from Odoo")]))
    history = api.get_contact_history(DEMO_TENANT_ID, created.contact_id).history_records
    assert [h.changes for h in history] == ["Created", "Edited", "Edited", "Note"]
    found = api.get_contacts(DEMO_TENANT_ID, search_term="sdk customer", summary_only=True,
                             i_ds=[created.contact_id], include_archived=True,
                             if_modified_since=dt.datetime.now(dt.timezone.utc)
                             - dt.timedelta(minutes=1), where='Name!=null', order="Name")
    assert [c.contact_id for c in found.contacts] == [created.contact_id]


def test_contact_validation_error_surfaces_in_sdk(sdk):
    api = sdk["accounting"]
    existing = api.get_contacts(DEMO_TENANT_ID, page=1).contacts[0]
    with pytest.raises(AccountingBadRequestException) as caught:
        api.create_contacts(DEMO_TENANT_ID, Contacts(contacts=[Contact(name=existing.name)]))
    assert "already assigned" in caught.value.reason     # first ValidationErrors message
    assert caught.value.error_data["Type"] == "ValidationException"
    mixed = api.create_contacts(DEMO_TENANT_ID, Contacts(contacts=[
        Contact(name=existing.name), Contact(name="Unique SDK Name")]), summarize_errors=False)
    assert [c.has_validation_errors for c in mixed.contacts] == [True, False]
    with pytest.raises(NotFoundException):
        api.get_contact(DEMO_TENANT_ID, "00000000-0000-0000-0000-000000000000")


def test_invoice_operations(sandbox, sdk):
    api = sdk["accounting"]
    contact_id = api.get_contacts(DEMO_TENANT_ID, page=1).contacts[0].contact_id
    draft = Invoice(type="ACCREC", contact=InvoiceContact(contact_id=contact_id),
                    date=dt.date.today(), due_date=dt.date.today() + dt.timedelta(days=30),
                    reference="OPP-1", url="http://localhost:8069/odoo/crm/1",
                    line_items=[LineItem(description="Widgets", quantity=4, unit_amount=25,
                                         account_code="200")])
    created = api.create_invoices(DEMO_TENANT_ID, Invoices(invoices=[draft]),
                                  idempotency_key="sdk-inv-1").invoices[0]
    assert created.status == "DRAFT" and float(created.total) == 115.0
    assert created.line_items[0].tax_type == "OUTPUT" and created.due_date > created.date
    updated = api.update_invoice(DEMO_TENANT_ID, created.invoice_id, Invoices(invoices=[
        Invoice(reference="OPP-1b", status="AUTHORISED")])).invoices[0]
    assert updated.status == "AUTHORISED" and updated.reference == "OPP-1b"
    online = api.get_online_invoice(DEMO_TENANT_ID, created.invoice_id)
    assert online.online_invoices[0].online_invoice_url.startswith(
        sandbox.browser_url + "/online-invoice/")
    upserted = api.update_or_create_invoices(DEMO_TENANT_ID, Invoices(invoices=[
        Invoice(invoice_id=created.invoice_id, status="VOIDED")])).invoices[0]
    assert upserted.status == "VOIDED"
    fetched = api.get_invoice(DEMO_TENANT_ID, created.invoice_id).invoices[0]
    assert fetched.status == "VOIDED" and fetched.reference == "OPP-1b"
    listed = api.get_invoices(DEMO_TENANT_ID, contact_i_ds=[contact_id], statuses=["VOIDED"],
                              page=1, page_size=1000, summary_only=False)
    assert created.invoice_id in [i.invoice_id for i in listed.invoices]
    by_number = api.get_invoices(DEMO_TENANT_ID, invoice_numbers=[created.invoice_number],
                                 i_ds=[created.invoice_id], where='Type=="ACCREC"',
                                 order="Date DESC", if_modified_since=dt.datetime(
                                     2000, 1, 1, tzinfo=dt.timezone.utc))
    assert [i.invoice_id for i in by_number.invoices] == [created.invoice_id]
    with pytest.raises(AccountingBadRequestException) as caught:
        api.update_invoice(DEMO_TENANT_ID, created.invoice_id, Invoices(invoices=[
            Invoice(status="DELETED")]))
    assert caught.value.reason == "Invoice not of valid status for modification"


def test_identity_refresh_and_revoke(sandbox, sdk):
    client, identity = sdk["client"], sdk["identity"]
    connections = identity.get_connections()
    assert {c.tenant_id.lower() if isinstance(c.tenant_id, str) else str(c.tenant_id)
            for c in connections} == {DEMO_TENANT_ID, SECOND_TENANT_ID}
    requests.post(sandbox.url + "/_sandbox/tokens/expire")
    with pytest.raises(HTTPStatusException) as caught:
        sdk["accounting"].get_organisations(DEMO_TENANT_ID)
    assert caught.value.status == 401
    old_refresh = sdk["store"]["token"]["refresh_token"]
    new = client.refresh_oauth2_token()
    assert new["refresh_token"] != old_refresh and new["access_token"]
    assert sdk["accounting"].get_organisations(DEMO_TENANT_ID).organisations
    second = next(c for c in connections if str(c.tenant_id) == SECOND_TENANT_ID)
    identity.delete_connection(second.id)
    assert [str(c.tenant_id) for c in identity.get_connections()] == [DEMO_TENANT_ID]
    client.revoke_oauth2_token()
    stats = requests.get(sandbox.url + "/_sandbox/stats").json()
    assert stats["revocations"] == 1 and stats["token_requests"]["refresh_token"] == 1


def test_sdk_sees_rate_limit_without_sleeping(sandbox, sdk):
    requests.post(sandbox.url + "/_sandbox/faults", json={"rate_limit_every": 1,
                                                          "retry_after": 30})
    with pytest.raises(RateLimitException) as caught:
        sdk["accounting"].get_organisations(DEMO_TENANT_ID)
    assert caught.value.headers["Retry-After"] == "30"
    assert caught.value.rate_limit == "minute"
