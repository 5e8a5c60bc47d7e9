"""Opportunities -> Xero quotes, as the salesperson (Own Documents Only, no
email): Create Quote on Xero, Update, View, the PDF, the status read back
(Xero sends no webhooks for quotes), acceptance winning the opportunity, an
invoice made from the accepted quote's lines, other currencies; both sides
checked (the sandbox's control API, what the opportunity shows)."""
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..xero.gateway import XeroGateway
from ..xero.responses import parse_xero_datetime
from .test_invoices_case import XeroInvoiceCase, plain


class XeroQuoteCase(XeroInvoiceCase):

    def open_quote_wizard(self, lead=None):
        self.env.flush_all()
        action = self.as_salesman(lead or self.lead).action_xero_create_quote()
        return self.env[action["res_model"]].with_user(self.salesman).browse(action["res_id"])

    def create_quote(self, lead=None, code="200", **header):
        wizard = self.choose(self.open_quote_wizard(lead), code)
        for key, value in header.items():
            wizard["quote_%s" % key] = value
        action = wizard.action_create()
        self.env.invalidate_all()
        return action

    def quote_in_xero(self, lead=None):
        return self.sandbox.quote(self.tenant, (lead or self.lead).xero_quote_id)

    def read_quotes(self):
        """The scheduled read of changed quotes, as Odoo's cron runs it."""
        self.env["xero.quote.link"].sudo()._xero_cron_read_quotes()
        self.env.invalidate_all()

    def enable_eur(self):
        eur = self.env.ref("base.EUR")
        eur.sudo().active = True
        return eur


@tagged("post_install", "-at_install", "crm_xero")
class TestQuotes(XeroQuoteCase):

    def test_create_quote_from_opportunity(self):
        wizard = self.open_quote_wizard()
        self.assertEqual(wizard.document, "quote")
        self.assertEqual(wizard.quote_title, "Website redesign", "the opportunity's name")
        self.assertEqual(wizard.quote_summary, "Six pages and a blog")
        self.assertEqual(wizard.quote_expiry_date,
                         fields.Date.today() + timedelta(days=30))
        self.assertEqual(plain(wizard.totals), "$ 1,000.00 + tax $ 150.00 = $ 1,150.00")
        self.assertIn("as a draft quote for", wizard.summary)
        wizard.quote_terms = "Valid 30 days; 30% deposit on acceptance."
        themes = {t["Name"]: t["BrandingThemeID"] for t in
                  self.sandbox.branding_themes(self.tenant)}
        self.choose(wizard, tracking={"Region": "North"}, theme="Special projects")
        action = wizard.action_create()
        self.env.invalidate_all()

        self.assertEqual(action["params"]["type"], "success")
        lead = self.lead
        self.assertRegex(lead.xero_quote_number, r"^QU-\d{4}$")
        self.assertIn(lead.xero_quote_number, action["params"]["message"])
        self.assertEqual(lead.xero_quote_status, "DRAFT")
        self.assertEqual((lead.xero_quote_subtotal, lead.xero_quote_total), (1000.0, 1150.0))
        self.assertEqual(lead.xero_quote_currency_id.name, "USD")
        self.assertFalse(lead.xero_invoice_id, "a quote is no invoice")
        note = lead.message_ids.filtered(lambda m: "Quote QU-" in (m.body or ""))
        self.assertEqual(note.author_id, self.salesman.partner_id, "no email needed to log it")
        # Xero's side: one create, and the quote is what the opportunity says.
        self.assertEqual(len(self.api_calls("PUT /Quotes")), 1)
        quote = self.quote_in_xero()
        self.assertEqual((quote["QuoteNumber"], quote["Status"]),
                         (lead.xero_quote_number, "DRAFT"))
        self.assertEqual(quote["Contact"]["ContactID"], self.contact["ContactID"])
        self.assertEqual((quote["Title"], quote["Summary"], quote["Terms"]),
                         ("Website redesign", "Six pages and a blog",
                          "Valid 30 days; 30% deposit on acceptance."))
        self.assertEqual(quote["Reference"], "Website redesign")
        self.assertEqual(quote["BrandingThemeID"], themes["Special projects"])
        self.assertEqual(quote["CurrencyCode"], "USD")
        [line] = quote["LineItems"]
        self.assertEqual((line["Description"], line["Quantity"], line["UnitAmount"],
                          line["AccountCode"], line["TaxType"]),
                         ("Website redesign\nSix pages and a blog", 1, 1000, "200", "OUTPUT"))
        self.assertEqual([(t["Name"], t["Option"]) for t in line["Tracking"]],
                         [("Region", "North")])
        self.assertEqual((quote["SubTotal"], quote["TotalTax"], quote["Total"]),
                         (1000, 150, 1150))

    def test_update_quote_after_edits_keeps_its_header(self):
        self.create_quote(terms="Net 30")
        date_before = self.quote_in_xero()["Date"]
        self.lead.expected_revenue = 1200.0
        self.sandbox.clear_calls()
        action = self.as_salesman(self.lead).action_xero_update_quote()
        self.env.invalidate_all()
        self.assertEqual(action["params"]["type"], "success")
        quote = self.quote_in_xero()
        self.assertEqual((quote["SubTotal"], quote["Total"]), (1200, 1380))
        self.assertEqual((quote["Title"], quote["Terms"], quote["Date"]),
                         ("Website redesign", "Net 30", date_before),
                         "Xero reads an update as the whole header: all of it sent again")
        self.assertEqual(self.lead.xero_quote_total, 1380.0)
        # A second click sends nothing new.
        self.as_salesman(self.lead).action_xero_update_quote()
        self.assertEqual(len(self.api_calls("POST /Quotes/{id}")), 1)

    def test_an_accepted_quote_cannot_be_updated_and_says_so(self):
        self.create_quote()
        number = self.lead.xero_quote_number
        self.sandbox.quote_action(self.tenant, number, "send")
        self.sandbox.quote_action(self.tenant, number, "accept")
        self.lead.expected_revenue = 900.0
        self.sandbox.clear_calls()
        action = self.as_salesman(self.lead).action_xero_update_quote()
        self.env.invalidate_all()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("is Accepted", action["params"]["message"])
        self.assertFalse(self.api_calls("POST /Quotes/{id}"), "nothing sent")
        self.assertEqual(self.lead.xero_quote_status, "ACCEPTED", "read from Xero on the way")

    def test_view_opens_the_quote_in_xero(self):
        self.create_quote()
        action = self.as_salesman(self.lead).action_xero_view_quote()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("redirecturl=/Accounts/Receivable/Quotes/View/%s" % self.lead.xero_quote_id,
                      action["url"])
        import requests
        page = requests.get(action["url"], timeout=10, verify=False)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.lead.xero_quote_number, page.text)

    def test_attach_the_quotes_pdf(self):
        self.create_quote()
        action = self.as_salesman(self.lead).action_xero_attach_quote_pdf()
        self.env.invalidate_all()
        self.assertEqual(action["params"]["type"], "success")
        attachment = self.lead.xero_quote_link_id.pdf_attachment_id
        self.assertEqual(attachment.name, "%s.pdf" % self.lead.xero_quote_number)
        self.assertEqual(attachment.raw[:5], b"%PDF-")
        self.assertEqual((attachment.res_model, attachment.res_id), ("crm.lead", self.lead.id))

    def test_one_quote_per_opportunity_a_declined_one_may_be_replaced(self):
        self.create_quote()
        with self.assertRaisesRegex(UserError, "already has the Xero quote QU-"):
            self.as_salesman(self.lead).action_xero_create_quote()
        first = self.lead.xero_quote_number
        self.sandbox.quote_action(self.tenant, first, "send")
        self.sandbox.quote_action(self.tenant, first, "decline")
        self.read_quotes()
        self.assertEqual(self.lead.xero_quote_status, "DECLINED")
        self.create_quote()
        self.assertNotEqual(self.lead.xero_quote_number, first)
        self.assertEqual(self.lead.xero_quote_status, "DRAFT")

    def test_a_quote_needs_a_customer_and_something_to_quote(self):
        lead = self.new_opportunity("Empty", 0.0)
        with self.assertRaisesRegex(UserError, "nothing to quote"):
            self.create_quote(lead)
        lead.partner_id = False
        with self.assertRaisesRegex(UserError, "customer first"):
            self.as_salesman(lead).action_xero_create_quote()
        self.assertFalse(self.api_calls("PUT /Quotes"))


@tagged("post_install", "-at_install", "crm_xero")
class TestQuoteStatusBack(XeroQuoteCase):

    def test_the_scheduled_read_brings_each_status_in_xeros_words(self):
        self.create_quote()
        number = self.lead.xero_quote_number
        runs = []   # the If-Modified-Since of each call, per scheduled read
        real = XeroGateway.get_quotes

        def spy(gateway, *args, **kwargs):
            runs[-1].append(kwargs.get("modified_since"))
            return real(gateway, *args, **kwargs)
        with patch.object(XeroGateway, "get_quotes", spy):
            for action, status, label in (("send", "SENT", "Sent"),
                                          ("accept", "ACCEPTED", "Accepted")):
                self.sandbox.quote_action(self.tenant, number, action)
                runs.append([])
                self.read_quotes()
                self.assertEqual(self.lead.xero_quote_status, status)
                self.assertTrue(self.lead.message_ids.filtered(
                    lambda m, l=label: "%s is now %s" % (number, l) in (m.body or "")))
        self.assertEqual(runs[0], [None, None], "the first read reads every quote (deleted "
                                                "ones are listed when asked for by status)")
        self.assertEqual(len(runs[1]), 2)
        self.assertTrue(all(runs[1]), "a later read asks only what changed since its last "
                                      "one (If-Modified-Since)")
        state = self.xero_connection.sudo()._xero_sync_state()._xero_read()
        self.assertTrue(state["quotes_watermark"] and state["quotes_polled_at"],
                        "the watermark kept in the organisation's shared state")
        # Xero invoicing the quote itself ("Create invoice" in Xero) is read too.
        self.sandbox.quote_action(self.tenant, number, "invoice", status="DRAFT")
        self.read_quotes()
        self.assertEqual(self.lead.xero_quote_status, "INVOICED")

    def test_accepted_wins_the_opportunity(self):
        self.create_quote()
        number = self.lead.xero_quote_number
        self.sandbox.quote_action(self.tenant, number, "send")
        self.sandbox.quote_action(self.tenant, number, "accept", name="Jo Customer")
        self.read_quotes()
        self.assertTrue(self.lead.stage_id.is_won)
        self.assertTrue(self.lead.message_ids.filtered(
            lambda m: "accepted quote %s" % number in (m.body or "")))

    def test_the_setting_off_leaves_the_opportunity_open(self):
        self.xero_connection.sudo().quote_won_enabled = False
        self.create_quote()
        number = self.lead.xero_quote_number
        self.sandbox.quote_action(self.tenant, number, "send")
        self.sandbox.quote_action(self.tenant, number, "accept")
        self.read_quotes()
        self.assertEqual(self.lead.xero_quote_status, "ACCEPTED")
        self.assertFalse(self.lead.stage_id.is_won)

    def test_a_stale_quote_is_read_again_when_the_opportunity_opens(self):
        self.create_quote()
        self.sandbox.quote_action(self.tenant, self.lead.xero_quote_number, "send")
        self.assertFalse(self.as_salesman(self.lead).action_xero_check_invoice(),
                         "read a moment ago: not again")
        self.lead.xero_quote_link_id.sudo().refreshed_at = \
            fields.Datetime.now() - timedelta(minutes=10)
        self.assertTrue(self.as_salesman(self.lead).action_xero_check_invoice())
        self.env.invalidate_all()
        self.assertEqual(self.lead.xero_quote_status, "SENT")

    def test_a_quote_deleted_in_xero_is_seen_deleted(self):
        self.create_quote()
        self.read_quotes()
        quote_id = self.lead.xero_quote_id
        # The accountant deletes it in Xero (as an API client would).
        self.xero_connection.sudo()._xero_call(lambda gw: gw.delete_quote(quote_id))
        self.read_quotes()
        self.assertEqual(self.lead.xero_quote_status, "DELETED")
        self.assertTrue(self.lead.xero_quote_replaceable, "a new quote may be made")


@tagged("post_install", "-at_install", "crm_xero")
class TestQuoteCurrencies(XeroQuoteCase):

    def test_a_quote_in_the_customers_currency_with_xeros_rate(self):
        eur = self.enable_eur()
        self.sandbox.currency_rates(self.tenant, EUR=0.9)
        self.lead.xero_currency_id = eur
        wizard = self.open_quote_wizard()
        self.assertEqual(plain(wizard.totals), "1,000.00 € + tax 150.00 € = 1,150.00 €")
        wizard.action_create()
        self.env.invalidate_all()
        quote = self.quote_in_xero()
        self.assertEqual((quote["CurrencyCode"], quote["CurrencyRate"], quote["Total"]),
                         ("EUR", 0.9, 1150))
        lead = self.lead
        self.assertEqual(lead.xero_quote_currency_id, eur)
        self.assertEqual(lead.xero_quote_rate, 0.9)
        self.assertEqual(lead.xero_quote_base_currency_id.name, "USD")
        self.assertAlmostEqual(lead.xero_quote_total_base, 1277.78, places=2,
                               msg="1,150.00 EUR at 0.9 EUR per USD")

    def test_a_currency_the_organisation_does_not_use_is_refused_before_any_call(self):
        nzd = self.env.ref("base.NZD")
        nzd.sudo().active = True
        self.lead.xero_currency_id = nzd
        wizard = self.open_quote_wizard()
        self.assertIn("NZD", wizard.problem)
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, r"The opportunity is in NZD, which the Xero "
                                               r"organisation Demo Company \(Global\) does not "
                                               r"use\. Enable NZD in Xero \(Settings > "
                                               r"Currencies\)"):
            wizard.action_create()
        self.assertFalse(self.api_calls("PUT /Quotes"))
        with self.assertRaisesRegex(UserError, "Enable NZD in Xero"):
            self.create_invoice()
        self.assertFalse(self.api_calls("PUT /Invoices"))

    def test_the_invoice_goes_out_in_the_opportunitys_currency(self):
        eur = self.enable_eur()
        self.lead.xero_currency_id = eur
        self.create_invoice()
        invoice = self.invoice_in_xero()
        self.assertEqual((invoice["CurrencyCode"], invoice["CurrencyRate"]), ("EUR", 0.92))
        lead = self.lead
        self.assertEqual(lead.xero_invoice_currency_id, eur)
        self.assertEqual(lead.xero_invoice_rate, 0.92)
        self.assertAlmostEqual(lead.xero_invoice_total_base, 1150 / 0.92, places=2)


@tagged("post_install", "-at_install", "crm_xero")
class TestInvoiceFromAcceptedQuote(XeroQuoteCase):

    def test_create_draft_invoice_starts_from_the_accepted_quotes_lines(self):
        eur = self.enable_eur()
        self.lead.xero_currency_id = eur
        self.create_quote()
        number = self.lead.xero_quote_number
        # The accountant edits the sent quote in Xero: two lines, a discount.
        self.sandbox._org("POST", self.tenant, "quotes/%s" % number, json={"LineItems": [
            {"Description": "Design", "Quantity": 2, "UnitAmount": 400, "AccountCode": "200"},
            {"Description": "Build", "Quantity": 1, "UnitAmount": 500, "DiscountRate": 10,
             "AccountCode": "200"}]})
        self.sandbox.quote_action(self.tenant, number, "send")
        self.sandbox.quote_action(self.tenant, number, "accept")
        self.read_quotes()
        self.lead.expected_revenue = 5.0   # the opportunity no longer says what was agreed
        wizard = self.open_wizard()
        self.assertIn("accepted quote %s" % number, wizard.summary)
        wizard.action_create()
        self.env.invalidate_all()
        invoice = self.invoice_in_xero()
        self.assertEqual([(l["Description"], l["Quantity"], l["UnitAmount"],
                           l.get("DiscountRate")) for l in invoice["LineItems"]],
                         [("Design", 2, 400, None), ("Build", 1, 500, 10)])
        self.assertEqual((invoice["CurrencyCode"], invoice["SubTotal"]), ("EUR", 1250))
        self.assertEqual(invoice["Reference"], "Website redesign (%s)" % number)
        self.assertEqual(self.quote_in_xero()["Status"], "ACCEPTED",
                         "the quote stays as the customer accepted it")


@tagged("post_install", "-at_install", "crm_xero")
class TestQuoteFollowsTheDeal(XeroQuoteCase):
    """A quote follows its opportunity: made while the deal is open, never
    invoiced twice, deleted with it unless the customer accepted it, one kept
    by a merge; a quote that could not be applied is read again."""

    def accept(self, lead=None):
        number = (lead or self.lead).xero_quote_number
        self.sandbox.quote_action(self.tenant, number, "send")
        self.sandbox.quote_action(self.tenant, number, "accept")
        return number

    def delete(self, leads):
        self.env.flush_all()
        leads.with_user(self.env.ref("base.user_admin")).unlink()
        self.env.invalidate_all()

    def test_a_won_or_lost_opportunity_gets_no_new_quote(self):
        lost = self.new_opportunity("Hosting", 200.0)
        lost.action_set_lost()
        self.lead.action_set_won()
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, "is won: a Xero quote is made while the deal "
                                               "is open"):
            self.open_quote_wizard()
        with self.assertRaisesRegex(UserError, "is lost"):
            self.open_quote_wizard(lost)
        self.assertEqual(self.api_calls(), [], "refused before any call")
        self.assertFalse((self.lead | lost).xero_quote_link_ids)

    def test_a_quote_invoiced_in_xero_itself_is_not_invoiced_again(self):
        self.create_quote()
        number = self.accept()
        # Xero's own "Create invoice" on the accepted quote, before Odoo read
        # the acceptance: the next read sees it invoiced at once.
        self.sandbox.quote_action(self.tenant, number, "invoice", status="DRAFT")
        self.read_quotes()
        self.assertEqual(self.lead.xero_quote_status, "INVOICED")
        self.assertTrue(self.lead.stage_id.is_won, "agreed, even seen invoiced at once")
        made_in_xero = [i for i in self.xero_invoices()
                        if i["Contact"]["ContactID"] == self.contact["ContactID"]]
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, "%s is already invoiced in Xero" % number):
            self.open_wizard()
        self.assertEqual(self.api_calls(), [], "refused before any call")
        self.assertFalse(self.lead.xero_invoice_link_ids.filtered("invoice_id"))
        self.assertEqual([i for i in self.xero_invoices()
                          if i["Contact"]["ContactID"] == self.contact["ContactID"]],
                         made_in_xero, "no second invoice in Xero")

    def test_deleting_the_opportunity_deletes_its_draft_quote(self):
        self.create_quote()
        quote_id, number = self.lead.xero_quote_id, self.lead.xero_quote_number
        prompt = self.env["crm.lead"].xero_delete_confirmation(self.lead.ids)
        self.assertIn("also deletes its quote %s in Xero" % number, prompt["body"])
        self.assertEqual(prompt["done"], "Quote %s deleted in Xero." % number)
        self.sandbox.clear_calls()
        self.delete(self.lead)
        self.assertFalse(self.lead.exists())
        self.assertEqual(self.sandbox.quote(self.tenant, quote_id)["Status"], "DELETED")
        self.assertEqual(len(self.api_calls("POST /Quotes/{id}")), 1, "deleted once")
        write = self.env["xero.write"].sudo().search([("operation", "=", "quote_delete")])
        self.assertEqual((len(write), write.state, write.target_id), (1, "done", quote_id))

    def test_a_quote_the_customer_accepted_blocks_the_delete(self):
        self.create_quote()
        number = self.accept()   # in Xero; Odoo has not read it yet
        quote_id = self.lead.xero_quote_id
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, r"the customer accepted these Xero quotes.*%s"
                                    % number):
            self.delete(self.lead)
        self.assertTrue(self.lead.exists())
        self.assertEqual(self.sandbox.quote(self.tenant, quote_id)["Status"], "ACCEPTED")
        self.assertFalse(self.api_calls("POST /Quotes/{id}"), "nothing deleted")

    def test_a_declined_quote_stays_in_xero_with_no_call(self):
        self.create_quote()
        number = self.lead.xero_quote_number
        self.sandbox.quote_action(self.tenant, number, "send")
        self.sandbox.quote_action(self.tenant, number, "decline")
        self.read_quotes()
        self.assertFalse(self.env["crm.lead"].xero_delete_confirmation(self.lead.ids),
                         "Odoo's own prompt: nothing is deleted in Xero")
        self.sandbox.clear_calls()
        self.delete(self.lead)
        self.assertFalse(self.lead.exists())
        self.assertEqual(self.api_calls(), [])
        self.assertEqual(self.sandbox.quote(self.tenant, number)["Status"], "DECLINED")

    def test_merging_keeps_the_accepted_quote_and_deletes_the_draft(self):
        self.xero_connection.sudo().quote_won_enabled = False   # both stay open
        self.lead.probability = 90     # the merge keeps this opportunity
        other = self.new_opportunity("Website redesign (signed)", 1000.0, probability=20)
        self.create_quote()
        draft_id = self.lead.xero_quote_id
        self.create_quote(other)
        accepted = self.accept(other)
        self.read_quotes()
        self.env["crm.merge.opportunity"].with_context(
            active_ids=(self.lead | other).ids, active_model="crm.lead").create({}).action_merge()
        self.env.invalidate_all()
        self.assertEqual((self.lead | other).exists(), self.lead)
        self.assertEqual((self.lead.xero_quote_number, self.lead.xero_quote_status),
                         (accepted, "ACCEPTED"))
        self.assertEqual(self.sandbox.quote(self.tenant, draft_id)["Status"], "DELETED")
        self.assertEqual(self.sandbox.quote(self.tenant, accepted)["Status"], "ACCEPTED")
        self.assertTrue(self.lead.message_ids.filtered(
            lambda m: "Xero quote %s of the merged opportunity" % accepted in (m.body or "")))

    def test_a_quote_that_could_not_be_applied_is_read_again(self):
        self.create_quote()
        self.read_quotes()
        self.sandbox.quote_action(self.tenant, self.lead.xero_quote_number, "send")
        changed_at = parse_xero_datetime(self.quote_in_xero()["UpdatedDateUTC"])
        time.sleep(2)   # the next read starts well after the change
        Link = type(self.env["xero.quote.link"])
        real = Link._xero_apply_refresh

        def broken(link, quote):
            raise ValueError("a record Odoo could not write")
        with patch.object(Link, "_xero_apply_refresh", broken):
            self.read_quotes()
        self.assertEqual(self.lead.xero_quote_status, "DRAFT")
        self.assertTrue(self.lead.message_ids.filtered(
            lambda m: "could not be read back" in (m.body or "")))
        watermark = self.xero_connection.sudo()._xero_sync_state()._xero_read()[
            "quotes_watermark"]
        self.assertLessEqual(watermark, changed_at - timedelta(seconds=60),
                             "the watermark stays before the change not applied")
        with patch.object(Link, "_xero_apply_refresh", real):
            self.read_quotes()
        self.assertEqual(self.lead.xero_quote_status, "SENT", "read again at the next run")
