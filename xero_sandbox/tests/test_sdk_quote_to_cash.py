"""xero-python against the quote-to-cash operations: items, tracking, branding
themes, the invoice PDF, payments and credit notes."""
import datetime as dt

import pytest
import requests
from xero_python.accounting import Contact, Invoice, Invoices, LineItem, LineItemTracking
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from xero_sandbox import DEMO_TENANT_ID

from .helpers import SCOPES

T = DEMO_TENANT_ID
SINCE = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)

# The SDK's own requests must be exactly what Xero's spec describes.
SPEC_CHECK = True
pytestmark = pytest.mark.usefixtures("no_spec_violations")


@pytest.fixture
def sdk_scopes():
    return SCOPES + " accounting.payments.read"


def _customer(sandbox):
    return requests.post("%s/_sandbox/orgs/%s/contacts" % (sandbox.url, T),
                         json={"Name": "SDK Quote Customer"}).json()["ContactID"]


def test_items_tracking_and_branding_themes(sdk):
    api = sdk["accounting"]
    items = api.get_items(T, where="IsSold==true", order="Code DESC",
                          if_modified_since=SINCE, unitdp=4).items
    assert [i.code for i in items] == ["WIDGET", "TRAINING-DAY", "SUPPORT-MO", "CONSULT-HR"]
    widget = api.get_item(T, str(items[0].item_id), unitdp=2).items[0]
    assert widget.sales_details.unit_price == 25.0 and widget.sales_details.account_code == "200"
    assert isinstance(widget.updated_date_utc, dt.datetime)
    categories = api.get_tracking_categories(T, where='Status=="ACTIVE"', order="Name",
                                             include_archived=True).tracking_categories
    assert [c.name for c in categories] == ["Department", "Region"]
    region = api.get_tracking_category(T, str(categories[1].tracking_category_id))
    assert [(o.name, o.status) for o in region.tracking_categories[0].options] == [
        ("North", "ACTIVE"), ("South", "ACTIVE"), ("West", "ARCHIVED")]
    themes = api.get_branding_themes(T).branding_themes
    assert [(t.name, t.sort_order) for t in themes] == [("Standard", 0), ("Special projects", 1)]
    assert api.get_branding_theme(T, str(themes[1].branding_theme_id)) \
        .branding_themes[0].name == "Special projects"
    assert isinstance(themes[0].created_date_utc, dt.datetime)


def test_invoice_with_item_tracking_theme_then_pdf_and_online_url(sandbox, sdk, tmp_path):
    api = sdk["accounting"]
    sdk["client"].configuration.temp_folder_path = str(tmp_path)
    theme = api.get_branding_themes(T).branding_themes[1]
    invoice = Invoice(type="ACCREC", contact=Contact(contact_id=_customer(sandbox)),
                      date=dt.date.today(), due_date=dt.date.today() + dt.timedelta(days=14),
                      branding_theme_id=theme.branding_theme_id, status="AUTHORISED",
                      line_items=[LineItem(item_code="TRAINING-DAY", quantity=2, tracking=[
                          LineItemTracking(name="Region", option="South"),
                          LineItemTracking(name="Department", option="Services")])])
    created = api.create_invoices(T, Invoices(invoices=[invoice])).invoices[0]
    line = created.line_items[0]
    assert (line.description, float(line.unit_amount), line.account_code) == \
        ("On-site training, one day", 900.0, "260")
    assert [(t.name, t.option) for t in line.tracking] == [("Region", "South"),
                                                           ("Department", "Services")]
    assert str(created.branding_theme_id) == str(theme.branding_theme_id)
    path = api.get_invoice_as_pdf(T, created.invoice_id)
    with open(path, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-1.4") and created.invoice_number.encode() in content
    url = api.get_online_invoice(T, created.invoice_id).online_invoices[0].online_invoice_url
    page = requests.get(url)
    assert page.status_code == 200 and created.invoice_number in page.text
    with pytest.raises(AccountingBadRequestException) as caught:
        api.create_invoices(T, Invoices(invoices=[Invoice(
            type="ACCREC", contact=Contact(contact_id=created.contact.contact_id),
            line_items=[LineItem(item_code="NOPE", quantity=1)])]))
    assert caught.value.reason == "Item code 'NOPE' is not valid"


def test_payments_and_credit_notes(sandbox, sdk):
    api = sdk["accounting"]
    payments = api.get_payments(T, if_modified_since=SINCE, where='Status=="AUTHORISED"',
                                order="Date", page=1, page_size=5)
    assert len(payments.payments) == 5 and payments.pagination.page_size == 5
    first = payments.payments[0]
    assert isinstance(first.date, dt.date) and first.invoice.invoice_id
    again = api.get_payment(T, str(first.payment_id)).payments[0]
    assert again.amount == first.amount and again.payment_type == first.payment_type
    notes = api.get_credit_notes(T, if_modified_since=SINCE, where='Type=="ACCRECCREDIT"',
                                 order="CreditNoteNumber", page=1, page_size=100, unitdp=2)
    assert notes.credit_notes[0].credit_note_number == "CN-0001"
    allocated = next(n for n in notes.credit_notes if n.allocations)
    assert allocated.status == "PAID" and allocated.allocations[0].invoice.invoice_id
    contact_id = allocated.contact.contact_id
    mine = api.get_credit_notes(T, where='Contact.ContactID==Guid("%s")' % contact_id)
    assert allocated.credit_note_id in [n.credit_note_id for n in mine.credit_notes]
    one = api.get_credit_note(T, str(allocated.credit_note_id), unitdp=2).credit_notes[0]
    assert one.line_items and float(one.total) == float(allocated.total)
    invoice = api.get_invoice(T, allocated.allocations[0].invoice.invoice_id).invoices[0]
    assert [c.credit_note_id for c in invoice.credit_notes] == [allocated.credit_note_id]
    assert float(invoice.amount_credited) == float(allocated.allocations[0].amount)
    with pytest.raises(NotFoundException):
        api.get_credit_note(T, "00000000-0000-0000-0000-000000000000")
