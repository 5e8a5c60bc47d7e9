/** @odoo-module **/
// A Xero manager and the sync journal, without debug mode: Settings > CRM >
// Xero says a change needs attention and opens the journal; each row names
// the account or opportunity and the Xero record, how many times it was
// tried and its state in plain words; Retry settles what is pending (the
// same write, never a new one) and the row reads Done.
import { registry } from "@web/core/registry";
import {
    accountName, check, click, notified, screenshot, scrollTo,
} from "@crm_xero/../tests/tours/tour_helpers";

const ROW = ".o_data_row:contains(Tidewater Traders):contains(Create contact)";

registry.category("web_tour.tours").add("crm_xero_tour_sync_journal", {
    steps: () => [
        scrollTo("#crm_xero_journal", "center", "Settings > CRM > Xero: the sync journal"),
        check("#crm_xero_journal:contains(1 change to check)", "A change needs attention"),
        click("#crm_xero_journal button:contains(Sync journal)", "Open the sync journal"),
        check(`${ROW}:contains(Not confirmed by Xero)`, "The pending export, in plain words"),
        check(".o_data_row:contains(Kelp Kitchen Ltd):contains(Done)", "and what went through"),
        check(".o_data_row:contains(Kelp Kitchen Ltd) td[name=target_id]:contains(-)",
              "with the id of the contact Xero made"),
        screenshot("17-sync-journal"),
        click(`${ROW} button[name=action_xero_retry]`, "Retry"),
        notified("Done"),
        check(`${ROW}:contains(Done):not(:has(button[name=action_xero_retry]))`,
              "Settled: nothing left to retry"),
        click(`${ROW} td[name=record_name]`, "Open the row"),
        check(".o_form_view .o_field_widget[name=partner_id] a:contains(Tidewater Traders)",
              "The account, a link"),
        check(".o_form_view .o_field_widget[name=xero_name]:contains(Tidewater Traders)"),
        click(".o_form_view .o_field_widget[name=partner_id] a", "Open the account"),
        check(accountName("Tidewater Traders"),
              "The account opens"),
        click(".o_breadcrumb a:contains(Xero sync journal)", "Back to the journal"),
        click(".o_data_row:contains(Kelp Kitchen Ltd):contains(Create contact) "
              + "button[name=action_xero_open_record]", "Open an account from its row"),
        check(accountName("Kelp Kitchen Ltd"),
              "That account opens"),
    ],
});
