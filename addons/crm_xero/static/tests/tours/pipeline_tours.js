/** @odoo-module **/
// From the pipeline (issue 24), as a salesperson: an opportunity in the
// customer's currency, Create Quote on Xero, the customer accepting it in
// Xero (the test plays Xero's side and runs the scheduled read of quotes:
// Xero sends no webhooks for quotes), the opportunity won, then a 30%
// deposit invoice from the accepted quote, and the final invoice for what is
// left, each shown on the opportunity with what is left to invoice.
import { registry } from "@web/core/registry";
import {
    check, click, notified, saveForm, screenshot, scrollTo,
} from "@crm_xero/../tests/tours/tour_helpers";

const TAB = ".o_notebook .tab-pane.active";
const QUOTE_STATUS = `${TAB} .o_field_widget[name=xero_quote_status] .badge`;
const INVOICES = `${TAB} .o_field_widget[name=xero_invoice_counted_ids]`;

registry.category("web_tour.tours").add("crm_xero_tour_pipeline", {
    steps: () => [
        check(".o_form_view .o_field_widget[name=name] textarea:value(Office fit-out)",
              "The salesperson's opportunity"),
        {
            content: "The customer pays in euros: the deal's currency in Xero",
            trigger: ".o_field_widget[name=xero_currency_id] input",
            run: "edit EUR",
        },
        click(".o-autocomplete--dropdown-item a:contains(EUR)", "EUR"),
        ...saveForm(),
        click("button[name=action_xero_create_quote]", "Create Quote on Xero"),
        check(".modal .o_field_widget[name=quote_title] input:value(Office fit-out)",
              "The quote's title: the opportunity's name"),
        check(".modal .o_field_widget[name=totals]:contains(€)", "Totals in euros"),
        {
            content: "The quote's terms",
            trigger: ".modal .o_field_widget[name=quote_terms] textarea",
            run: "edit 30% deposit on acceptance, the balance on completion.",
        },
        screenshot("19-quote-wizard"),
        click(".modal button[name=action_create]", "Create Quote"),
        notified("created in Xero"),
        check(".o_form_view:not(:has(.modal))", "The dialog closed"),
        check("button[name=action_xero_view_quote]:contains(QU-):contains(Draft)",
              "The quote's number and status on the opportunity"),
        click(".o_notebook .nav-link[name=xero_quote]", "The Xero quote tab"),
        check(`${QUOTE_STATUS}:contains(Draft)`, "A draft quote"),
        check(`${TAB} .o_field_widget[name=xero_quote_total_base]:contains($)`,
              "Its total in the organisation's dollars too, at Xero's rate"),
        screenshot("20-quote-draft"),
        // The accountant sends it; the customer accepts it online (the test,
        // in Xero); the scheduled read brings it, and the form follows.
        {
            content: "Ready for Xero's side",
            trigger: "body",
            run() {
                window.crmXeroPipeline = { quoted: true };
            },
        },
        check(`${QUOTE_STATUS}:contains(Accepted)`, "Accepted in Xero", 30000),
        check(".o_form_view .ribbon:contains(Won)", "The opportunity is won"),
        screenshot("21-quote-accepted"),
        click("button[name=action_xero_create_invoice]", "Create Draft Invoice on Xero"),
        check(".modal .o_field_widget[name=summary]:contains(accepted quote QU-)",
              "It starts from the accepted quote"),
        click(".modal .o_field_widget[name=part] label:contains(A part)", "A part: a deposit"),
        {
            content: "30%",
            trigger: ".modal .o_field_widget[name=part_percent] input",
            run: "edit 30",
        },
        check(".modal .o_field_widget[name=summary]:contains(Deposit for)", "A deposit"),
        check(".modal .o_field_widget[name=totals]:contains(€)", "Its totals, in euros"),
        screenshot("22-deposit-wizard"),
        click(".modal button[name=action_create]", "Create Draft Invoice"),
        notified("created in Xero"),
        check(".o_form_view:not(:has(.modal))", "The dialog closed"),
        click(".o_notebook .nav-link[name=xero_invoice]", "The Xero invoice tab"),
        check(`${INVOICES} .o_data_row:contains(Deposit)`, "The deposit in the list"),
        check(`${TAB} .o_field_widget[name=xero_left_to_invoice]:contains(/[1-9]/)`,
              "What is left to invoice"),
        click("button[name=action_xero_create_invoice]", "Create Draft Invoice on Xero again"),
        check(".modal .o_field_widget[name=part] input:checked", "What is left, proposed"),
        check(".modal .o_field_widget[name=left_text]:contains(of)", "How much is left"),
        click(".modal button[name=action_create]", "Create Draft Invoice"),
        notified("created in Xero"),
        check(".o_form_view:not(:has(.modal))", "The dialog closed"),
        click(".o_notebook .nav-link[name=xero_invoice]", "The Xero invoice tab"),
        check(`${INVOICES} .o_data_row:contains(Final invoice)`, "The final invoice too"),
        check(`${TAB} .o_field_widget[name=xero_left_to_invoice]:contains(0.00)`,
              "Nothing left to invoice"),
        check(".o_form_statusbar:not(:has(button[name=action_xero_create_invoice]))",
              "No more Create Draft Invoice"),
        check(".o_field_widget[name=expected_revenue]:contains(€)",
              "The expected revenue reads in euros"),
        scrollTo(".o_notebook", "start", "The invoices in view"),
        screenshot("23-deposit-and-final"),
    ],
});
