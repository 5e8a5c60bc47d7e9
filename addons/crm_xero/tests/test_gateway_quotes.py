"""XeroGateway's quote and currency calls against the Xero sandbox, checked in
what the caller gets back and in what the sandbox holds (its control API)."""

import datetime
import uuid

from odoo.tests import tagged

from ..xero.errors import XeroNotFound, XeroValidationError
from ..xero.gateway import QUOTE_PAGE_SIZE, quote_header
from ..xero.responses import parse_xero_date, parse_xero_datetime
from .common import SCOPES
from .test_gateway import GatewaySandboxCase

TODAY = datetime.date.today()


@tagged("crm_xero")
class TestGatewayQuotes(GatewaySandboxCase):

    def setUp(self):
        super().setUp()
        self.contact_id = self.accountant_contact()["ContactID"]

    def quote(self, **values):
        return dict({"Contact": {"ContactID": self.contact_id}, "Date": TODAY,
                     "ExpiryDate": TODAY + datetime.timedelta(days=30),
                     "Title": "Proposal", "Summary": "Phase one", "Terms": "Deposit 30%",
                     "Reference": "Odoo opportunity 9", "LineAmountTypes": "EXCLUSIVE",
                     "LineItems": [self.sale_line(DiscountRate=10)]}, **values)

    def test_quote_lifecycle(self):
        gateway = self.gateway()
        created = gateway.create_quote(self.quote(CurrencyCode="EUR"), idempotency_key="q-1")
        quote_id = created["QuoteID"]
        self.assertEqual((created["Status"], created["CurrencyCode"], created["CurrencyRate"],
                          created["SubTotal"], created["TotalDiscount"], created["Total"]),
                         ("DRAFT", "EUR", 0.92, 270.0, 30.0, 310.5))
        self.assertTrue(created["QuoteNumber"].startswith("QU-"))
        self.assertEqual(parse_xero_date(created["ExpiryDate"]),
                         TODAY + datetime.timedelta(days=30))
        again = gateway.create_quote(self.quote(CurrencyCode="EUR"), idempotency_key="q-1")
        self.assertEqual(again["QuoteID"], quote_id)
        self.assertEqual(len(self.sandbox.quotes(self.tenant_id, contact_id=self.contact_id)), 1)

        sent = gateway.set_quote_status(quote_id, "SENT", quote=created)
        self.assertEqual((sent["Status"], sent["Title"], sent["Terms"], sent["Reference"]),
                         ("SENT", "Proposal", "Deposit 30%", "Odoo opportunity 9"))
        self.sandbox.quote_action(self.tenant_id, quote_id, "accept")
        accepted = gateway.get_quote(quote_id)
        self.assertEqual(accepted["Status"], "ACCEPTED")
        invoiced = gateway.set_quote_status(quote_id, "INVOICED")   # reads the quote first
        self.assertEqual(invoiced["Status"], "INVOICED")
        stored = self.sandbox.quote(self.tenant_id, quote_id)
        self.assertEqual((stored["Status"], stored["Title"], stored["Summary"]),
                         ("INVOICED", "Proposal", "Phase one"))
        self.assertEqual([h["Changes"] for h in stored["History"]],
                         ["Created", "Sent", "Accepted", "Invoiced"])
        note = gateway.add_quote_history(quote_id, "Deposit invoice made in Odoo")
        self.assertEqual(note["Details"], "Deposit invoice made in Odoo")
        pdf = gateway.get_quote_pdf(quote_id)
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertIn(created["QuoteNumber"].encode(), pdf)
        with self.assertRaises(XeroNotFound):
            gateway.get_quote(str(uuid.uuid4()))

    def test_update_sends_the_whole_header(self):
        gateway = self.gateway()
        created = gateway.create_quote(self.quote())
        header = quote_header(created)
        self.assertEqual((header["Contact"], header["Date"], header["Title"]),
                         ({"ContactID": self.contact_id}, TODAY.isoformat(), "Proposal"))
        updated = gateway.update_quote(created["QuoteID"], dict(header, LineItems=[
            self.sale_line(Quantity=5)]))
        self.assertEqual((updated["Title"], updated["Total"]), ("Proposal", 862.5))
        bare = gateway.update_quote(created["QuoteID"], {
            "Contact": {"ContactID": self.contact_id}, "Date": TODAY, "Reference": "only"})
        self.assertEqual((bare["Reference"], bare["Title"], bare["Summary"]), ("only", "", ""))
        with self.assertRaises(XeroValidationError) as caught:
            gateway.update_quote(created["QuoteID"], {"Reference": "no contact nor date"})
        self.assertEqual(len(caught.exception.messages), 2)
        deleted = gateway.delete_quote(created["QuoteID"])
        self.assertEqual(deleted["Status"], "DELETED")
        self.assertEqual(self.sandbox.quote(self.tenant_id, created["QuoteID"])["Status"],
                         "DELETED")
        with self.assertRaises(XeroValidationError) as caught:
            gateway.delete_quote(created["QuoteID"])
        self.assertEqual(caught.exception.reason, "not_editable")

    def test_quote_lists_filters_and_pages(self):
        gateway = self.gateway()
        start = datetime.datetime.utcnow() - datetime.timedelta(seconds=2)
        seeded = list(gateway.iter_quotes())
        self.assertEqual(sorted(q["QuoteNumber"] for q in seeded),
                         [q["QuoteNumber"] for q in self.sandbox.quotes(self.tenant_id)])
        made = [gateway.create_quote(self.quote(Reference="Q%d" % n)) for n in range(3)]
        gateway.set_quote_status(made[0]["QuoteID"], "SENT", quote=made[0])
        changed = gateway.get_quotes(modified_since=start)["Quotes"]
        self.assertEqual({q["QuoteID"] for q in changed}, {q["QuoteID"] for q in made})
        mine = list(gateway.iter_quotes(statuses=["DRAFT", "SENT"], contact_id=self.contact_id))
        self.assertEqual([q["Status"] for q in mine], ["DRAFT", "DRAFT", "SENT"])
        one = gateway.get_quotes(quote_number=made[1]["QuoteNumber"], date_from=TODAY,
                                 date_to=TODAY, expiry_date_to=TODAY + datetime.timedelta(
                                     days=31), order="QuoteNumber DESC")["Quotes"]
        self.assertEqual([q["QuoteID"] for q in one], [made[1]["QuoteID"]])
        self.assertEqual(QUOTE_PAGE_SIZE, 100)
        page = gateway.get_quotes(page=1, page_size=5)
        self.assertEqual(len(page["Quotes"]), len(seeded) + 3)    # Xero's pages hold 100
        self.assertLess(abs(parse_xero_datetime(made[2]["UpdatedDateUTC"])
                            - datetime.datetime.utcnow()), datetime.timedelta(minutes=5))

    def test_currencies_and_rates(self):
        self.sandbox.currency_rates(self.tenant_id, EUR=0.95)
        gateway = self.gateway()
        self.assertEqual(gateway.create_quote(self.quote(CurrencyCode="EUR"))["CurrencyRate"],
                         0.95)
        with self.assertRaises(XeroValidationError) as caught:
            gateway.create_quote(self.quote(CurrencyCode="NZD"))
        self.assertEqual(caught.exception.reason, "currency_not_enabled")
        token = self.sandbox.connect(scopes=[s.replace("accounting.settings.read",
                                                       "accounting.settings") for s in SCOPES])
        admin = self.gateway(access_token=token["access_token"])
        self.assertEqual(admin.create_currency("NZD"),
                         {"Code": "NZD", "Description": "New Zealand Dollar"})
        self.assertIn("NZD", {c["Code"] for c in gateway.get_currencies()})
        kiwi = gateway.create_quote(self.quote(CurrencyCode="NZD"))
        self.assertEqual(kiwi["CurrencyRate"], 1.66)
        self.assertEqual(self.sandbox.currency_rates(self.tenant_id)["enabled"],
                         ["USD", "EUR", "GBP", "NZD"])
