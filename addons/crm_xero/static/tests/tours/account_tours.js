/** @odoo-module **/
// A salesperson and company accounts, as the brief says: the first opening
// of an account that Xero has finds it there and shows its ledger code and
// figures without a click; an account Xero does not have is exported with the
// main contact chosen, then updated.
import { registry } from "@web/core/registry";
import {
    accountName, check, click, newTabOpened, notified, saveForm, screenshot, scrollTo,
} from "@crm_xero/../tests/tours/tour_helpers";

const TAB = ".o_notebook .tab-pane.active";

registry.category("web_tour.tours").add("crm_xero_tour_account_figures", {
    steps: () => [
        check(accountName("/\\S/"), "The account is open"),
        click(".o_notebook .nav-link[name=xero]", "Its Xero tab"),
        // Nothing is clicked from here on: the form looked the account up in
        // Xero in the background when it opened.
        check(`${TAB} .o_field_widget[name=xero_account_number] input:value(/\\S/)`,
              "Found in Xero: its ledger code shows", 20000),
        check(`${TAB} .o_field_widget[name=xero_in_xero] input:checked`, "In Xero"),
        check(`${TAB} .o_field_widget[name=xero_outstanding_amount]:contains(/[1-9]/)`,
              "What the customer owes"),
        check(`${TAB} .o_field_widget[name=xero_overdue_amount]:contains(/[1-9]/)`,
              "of which overdue"),
        check(`${TAB} .o_field_widget[name=xero_last_invoice_date]:contains(/\\d/)`,
              "The last invoice date"),
        check(`${TAB} .o_field_widget[name=xero_total_sales]:contains(/\\d/)`, "Total sales"),
        check(`${TAB} .o_xero_invoice_rows .o_data_row`, "Its Xero invoices"),
        check(`${TAB} button[name=action_xero_update]`, "Update to Xero is offered"),
        scrollTo(".o_notebook", "start", "Scroll to the tabs"),
        screenshot("07-account-figures"),
        click(`${TAB} button[name=action_xero_view]`, "View on Xero (a new tab)"),
        newTabOpened("Xero's contact opened in a new tab"),
        check(`${TAB} button[name=action_xero_view]`, "The account stays open here"),
    ],
});

registry.category("web_tour.tours").add("crm_xero_tour_account_export", {
    steps: () => [
        check(accountName("Harbour Lights Bakery"),
              "An account Xero does not have"),
        click(".o_notebook .nav-link[name=xero]", "Its Xero tab"),
        check(`${TAB} .o_field_widget[name=xero_in_xero] input:not(:checked)`, "Not in Xero"),
        click(`${TAB} button[name=action_xero_export]`, "Export to Xero"),
        check(".modal .o_field_widget[name=partner_id]:contains(Harbour Lights Bakery)"),
        {
            content: "Choose the main contact",
            trigger: ".modal .o_field_widget[name=main_person_id] input",
            run: "edit Bob",
        },
        click(".o-autocomplete--dropdown-item a:contains(Bob Stone)", "Bob Stone"),
        check(".modal .o_field_widget[name=main_person_id] input:value(Bob Stone)"),
        screenshot("08-export-wizard"),
        click(".modal button[name=action_export]", "Export to Xero"),
        notified("is in Xero with the ledger code"),
        check(".o_form_view:not(:has(.modal))", "The dialog closed"),
        check(`${TAB} .o_field_widget[name=xero_in_xero] input:checked`, "Now in Xero"),
        check(`${TAB} .o_field_widget[name=xero_account_number] input:value(/\\S/)`,
              "with a ledger code Xero now holds too"),
        check(`${TAB} button[name=action_xero_update]`, "Update to Xero is offered now"),
        check(`${TAB}:not(:has(button[name=action_xero_export]))`, "Export is not"),
        screenshot("09-account-exported"),
        {
            content: "A new phone number",
            trigger: ".o_field_widget[name=phone] input",
            run: "edit +1 555 0199",
        },
        ...saveForm(),
        click(`${TAB} button[name=action_xero_update]`, "Update to Xero"),
        notified("Xero updated: phone"),
        screenshot("10-account-updated"),
    ],
});

// An account created in the form itself, exported, then updated: Update to
// Xero stays on that account (it used to land on a blank "New" form).
registry.category("web_tour.tours").add("crm_xero_tour_account_new_update", {
    steps: () => [
        click(".o_field_widget[name=company_type] input[data-value=company]", "A company"),
        {
            content: "Its name",
            trigger: accountName(),
            run: "edit Lighthouse Coffee Roasters",
        },
        ...saveForm(),
        click(".o_notebook .nav-link[name=xero]", "Its Xero tab"),
        click(`${TAB} button[name=action_xero_export]`, "Export to Xero"),
        click(".modal button[name=action_export]", "Export to Xero"),
        notified("is in Xero with the ledger code"),
        check(`${TAB} button[name=action_xero_update]`, "Update to Xero is offered now"),
        {
            content: "A new phone number",
            trigger: ".o_field_widget[name=phone] input",
            run: "edit +1 555 0177",
        },
        ...saveForm(),
        click(`${TAB} button[name=action_xero_update]`, "Update to Xero"),
        notified("Xero updated: phone"),
        check(accountName("Lighthouse Coffee Roasters"),
              "Still on the account"),
        check(".o_form_view .o_field_widget[name=phone] input:value(+1 555 0177)"),
        check(".o_breadcrumb:not(:contains(New))", "not on a blank New form"),
    ],
});

// Export meets a contact Xero has under the same name in another case, and
// Odoo links that contact to another account: the dialog opens that account
// (a real button) or exports under another name; it never loops.
registry.category("web_tour.tours").add("crm_xero_tour_export_clash", {
    steps: () => [
        check(accountName("ACME SUPPLIES INC")),
        click(".o_notebook .nav-link[name=xero]", "Its Xero tab"),
        click(`${TAB} button[name=action_xero_export]`, "Export to Xero"),
        click(".modal button[name=action_export]", "Export to Xero"),
        check(".modal:contains(Xero already has a contact named Acme Supplies Inc)",
              "The clash, in our words"),
        check(".modal button[name=action_open_clash_partner]:contains(Open Acme Supplies Inc)",
              "Open the account Odoo links to it: a button"),
        check(".modal .o_field_widget[name=new_name] input", "Or another name, here"),
        check(".modal:not(:has(button[name=action_change]))",
              "No ledger code change for a name clash"),
        screenshot("16-export-clash"),
        click(".modal button[name=action_open_clash_partner]", "Open Acme Supplies Inc"),
        check(accountName("Acme Supplies Inc", ".o_action_manager:not(:has(.modal)) .o_form_view"),
              "That account is open"),
    ],
});
