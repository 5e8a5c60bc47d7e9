"""A deal invoiced in parts, as the salesperson (Own Documents Only, no
email): a deposit (a percentage or an amount), progress invoices, the final
invoice for what is left; the sum never above the deal's total (refused
before any call); everything the opportunity shows; deleting an opportunity
with several invoices; the account's figures and credit warning counting
them all.  Both sides checked."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_invoices_case import XeroInvoiceCase, plain


class XeroPartsCase(XeroInvoiceCase):

    def invoice_part(self, lead=None, part="part", percent=None, amount=None, code="200"):
        """Create Draft Invoice on Xero for a part of the deal."""
        wizard = self.choose(self.open_wizard(lead), code)
        wizard.part = part
        if percent is not None:
            wizard.part_mode, wizard.part_percent = "percent", percent
        if amount is not None:
            wizard.part_mode, wizard.part_amount = "amount", amount
        action = wizard.action_create()
        self.env.invalidate_all()
        return action

    def lead_invoices(self, lead=None):
        return (lead or self.lead).sudo().xero_invoice_link_ids.sorted("sequence")


@tagged("post_install", "-at_install", "crm_xero")
class TestDepositProgressFinal(XeroPartsCase):

    def test_a_deposit_then_a_progress_invoice_then_the_final_one(self):
        # A 30% deposit: each line of the deal for 30% of its amount.
        wizard = self.open_wizard()
        self.assertEqual(wizard.part, "whole", "nothing invoiced yet: the whole deal first")
        wizard.part, wizard.part_percent = "part", 30.0
        self.assertIn("Deposit for", wizard.summary)
        self.assertEqual(plain(wizard.totals), "$ 300.00 + tax $ 45.00 = $ 345.00")
        action = wizard.action_create()
        self.env.invalidate_all()
        self.assertEqual(action["params"]["type"], "success")
        [deposit] = self.lead_invoices()
        self.assertEqual((deposit.part_kind, deposit.part_percent, deposit.lines_amount),
                         ("deposit", 30.0, 300.0))
        invoice = self.xero_invoice(deposit.invoice_id)
        [line] = invoice["LineItems"]
        self.assertEqual((line["Description"], line["Quantity"], line["UnitAmount"],
                          line["AccountCode"], line["TaxType"]),
                         ("Deposit 30%: Website redesign\nSix pages and a blog", 1, 300, "200",
                          "OUTPUT"))
        self.assertEqual((invoice["SubTotal"], invoice["Total"]), (300, 345))
        self.assertEqual(invoice["Reference"], "Website redesign - Deposit 30%")
        lead = self.lead
        self.assertEqual((lead.xero_deal_amount, lead.xero_invoiced_amount,
                          lead.xero_left_to_invoice), (1000.0, 300.0, 700.0))

        # A progress invoice of $ 200: the next one; the wizard says what is left.
        wizard = self.open_wizard()
        self.assertEqual(wizard.part, "rest", "something invoiced: the rest is proposed")
        self.assertEqual(plain(wizard.left_text), "$ 700.00 of $ 1,000.00")
        self.invoice_part(amount=200.0)
        deposit, progress = self.lead_invoices()
        self.assertEqual((progress.sequence, progress.part_kind, progress.lines_amount),
                         (2, "progress", 200.0))
        self.assertEqual(self.xero_invoice(progress.invoice_id)["LineItems"][0]["Description"]
                         .split(":")[0], "Progress invoice 20%")

        # The final invoice: what is left, exactly.
        self.invoice_part(part="rest")
        deposit, progress, final = self.lead_invoices()
        invoice = self.xero_invoice(final.invoice_id)
        self.assertEqual((final.part_kind, invoice["SubTotal"], invoice["Total"]),
                         ("final", 500, 575))
        self.assertTrue(invoice["LineItems"][0]["Description"].startswith("Balance: "))
        lead = self.lead
        self.assertEqual((lead.xero_invoiced_amount, lead.xero_left_to_invoice), (1000.0, 0.0))
        self.assertEqual(lead.xero_invoice_count, 3)
        self.assertEqual(lead.xero_invoice_number, final.number, "the latest shows on top")
        # Xero's side: three drafts for the customer, pointing at the opportunity.
        self.assertEqual(sorted(i["SubTotal"] for i in self.invoices_for()), [200, 300, 500])
        # Nothing is left: the next Create says so, before any call.
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, "Nothing is left to invoice"):
            self.as_salesman(self.lead).action_xero_create_invoice()
        self.assertFalse(self.api_calls("PUT /Invoices"))

    def test_the_sum_never_exceeds_the_deal_and_the_refusal_comes_first(self):
        self.invoice_part(percent=60.0)
        self.sandbox.clear_calls()
        wizard = self.choose(self.open_wizard())
        wizard.part, wizard.part_mode, wizard.part_amount = "part", "amount", 500.0
        self.assertEqual(plain(wizard.problem),
                         "This invoice ($ 500.00) and the opportunity's earlier ones would add "
                         "up to more than its total of $ 1,000.00: $ 400.00 is left to invoice.")
        with self.assertRaises(UserError) as refused:
            wizard.action_create()
        self.assertIn("$ 400.00 is left to invoice", plain(refused.exception.args[0]))
        wizard.part = "whole"
        with self.assertRaisesRegex(UserError, "has Xero invoices already"):
            wizard.action_create()
        wizard.part, wizard.part_mode, wizard.part_percent = "part", "percent", 0.0
        with self.assertRaisesRegex(UserError, "above zero"):
            wizard.action_create()
        self.assertFalse(self.api_calls("PUT /Invoices"), "refused before any call")
        self.assertEqual(len(self.invoices_for()), 1)

    def test_a_voided_deposit_no_longer_counts(self):
        self.invoice_part(percent=50.0)
        deposit = self.lead_invoices()
        self.sandbox.approve(self.tenant, deposit.invoice_id)
        self.sandbox.void(self.tenant, deposit.invoice_id)
        self.as_salesman(self.lead).action_xero_refresh_invoice()
        self.env.invalidate_all()
        self.assertEqual(self.lead.xero_left_to_invoice, 1000.0)
        self.create_invoice()   # the whole deal again, in a new place
        links = self.lead_invoices()
        self.assertEqual([(l.sequence, l.status) for l in links], [(1, "VOIDED"), (2, "DRAFT")])
        self.assertEqual(self.lead.xero_invoice_number, links[1].number)

    def test_update_draft_takes_the_same_share_of_the_deal_as_it_is_now(self):
        self.invoice_part(percent=30.0)
        self.lead.expected_revenue = 2000.0
        self.as_salesman(self.lead).action_xero_update_invoice()
        self.env.invalidate_all()
        deposit = self.lead_invoices()
        self.assertEqual(self.xero_invoice(deposit.invoice_id)["SubTotal"], 600)
        self.assertEqual((deposit.part_kind, deposit.lines_amount), ("deposit", 600.0))
        self.assertEqual(self.lead.xero_left_to_invoice, 1400.0)

    def test_several_lines_share_the_part_to_the_cent(self):
        # Three lines of a third each (sale_crm's quotation lines, or a quote's).
        self.create_invoice()   # a whole invoice first, voided: parts of a new deal follow
        link = self.lead_invoices()
        self.sandbox.approve(self.tenant, link.invoice_id)
        self.sandbox.void(self.tenant, link.invoice_id)
        self.as_salesman(self.lead).action_xero_refresh_invoice()
        self.lead.expected_revenue = 1000.01
        self.invoice_part(percent=33.33)
        self.invoice_part(percent=33.33)
        self.invoice_part(part="rest")
        amounts = [l.lines_amount for l in self.lead_invoices().filtered("open")]
        self.assertEqual(amounts, [333.3, 333.3, 333.41])
        self.assertAlmostEqual(sum(amounts), 1000.01, places=2)


@tagged("post_install", "-at_install", "crm_xero")
class TestPartsAroundTheDeal(XeroPartsCase):

    def test_deleting_the_opportunity_deletes_each_draft(self):
        self.invoice_part(percent=30.0)
        self.invoice_part(part="rest")
        ids = self.lead_invoices().mapped("invoice_id")
        prompt = self.env["crm.lead"].xero_delete_confirmation(self.lead.ids)
        self.assertEqual(prompt["title"], "Delete the opportunity and its Xero drafts?")
        for number in self.lead_invoices().mapped("number"):
            self.assertIn(number, prompt["body"])
        self.lead.unlink()
        self.assertEqual([self.xero_invoice(i)["Status"] for i in ids], ["DELETED", "DELETED"])

    def test_one_approved_part_refuses_the_delete_with_its_number(self):
        self.invoice_part(percent=30.0)
        self.invoice_part(part="rest")
        deposit, final = self.lead_invoices()
        self.sandbox.approve(self.tenant, deposit.invoice_id)
        self.sandbox.clear_calls()
        with self.assertRaisesRegex(UserError, r"Nothing was deleted.*\(%s, Awaiting payment\)"
                                    % deposit.number):
            self.lead.unlink()
        self.assertEqual(self.xero_invoice(final.invoice_id)["Status"], "DRAFT",
                         "the draft stays too: all or nothing")
        self.assertTrue(self.lead.exists())

    def test_the_account_figures_and_the_credit_warning_count_every_part(self):
        self.invoice_part(percent=30.0)
        self.invoice_part(part="rest")
        deposit, final = self.lead_invoices()
        account_link = self.env["xero.contact.link"].sudo().search(
            [("partner_id", "=", self.customer.id)])
        account_link._xero_refresh_figures()
        before = account_link.total_sales
        for link in (deposit, final):
            self.sandbox.approve(self.tenant, link.invoice_id, due_date="2020-01-31")
        account_link._xero_refresh_figures()
        self.assertAlmostEqual(account_link.total_sales - before, 345.0 + 805.0, places=2)
        numbers = set(account_link.invoice_ids.mapped("number"))
        self.assertTrue({deposit.number, final.number} <= numbers)
        self.assertGreaterEqual(account_link.overdue_amount, 345.0 + 805.0)
        self.env.invalidate_all()
        self.assertTrue(self.lead.xero_credit_warning)

    def test_merging_keeps_every_part_and_the_quote(self):
        action = self.as_salesman(self.lead).action_xero_create_quote()
        self.env[action["res_model"]].with_user(self.salesman).browse(
            action["res_id"]).action_create()
        self.env.invalidate_all()
        quote_number = self.lead.xero_quote_number
        self.invoice_part(percent=30.0)
        self.invoice_part(part="rest")
        numbers = self.lead_invoices().mapped("number")
        bigger = self.new_opportunity("Website redesign (bigger)", 5000.0, probability=90)
        wizard = self.env["crm.merge.opportunity"].with_context(
            active_ids=(self.lead | bigger).ids, active_model="crm.lead").create({})
        wizard.action_merge()
        self.env.invalidate_all()
        survivor = (self.lead | bigger).exists()
        self.assertEqual(survivor, bigger, "the likelier opportunity is kept")
        self.assertEqual(self.lead_invoices(survivor).mapped("number"), numbers)
        self.assertEqual(survivor.xero_quote_number, quote_number)
        self.assertTrue(survivor.message_ids.filtered(
            lambda m: "%s, %s" % tuple(numbers) in (m.body or "")), "the move is noted")
