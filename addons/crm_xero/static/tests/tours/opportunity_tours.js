/** @odoo-module **/
// A salesperson's opportunity and its Xero invoice, as the brief says:
// Create Draft Invoice on Xero (a revenue account from Xero), the invoice
// number on the opportunity, Update Draft Invoice on Xero after a change,
// View it in Xero; then a sales manager (salespeople may not delete
// opportunities in Odoo) deletes it after a prompt that says the draft goes
// too.  Then the live tour: while the opportunity stays open, the accountant
// approves and is paid in Xero, and the badge follows on its own.
import { registry } from "@web/core/registry";
import {
    changed, check, click, newTabOpened, notified, picker, saveForm, screenshot, selectOption,
} from "@crm_xero/../tests/tours/tour_helpers";

const TAB = ".o_notebook .tab-pane.active";
const STATUS = `${TAB} .o_field_widget[name=xero_invoice_status] .badge`;

function text(selector) {
    const element = document.querySelector(selector);
    return element ? element.textContent.trim() : "";
}

registry.category("web_tour.tours").add("crm_xero_tour_opportunity_invoice", {
    steps: () => {
        let totalBefore = "";
        return [
            check(".o_form_view .o_field_widget[name=name] textarea:value(Website redesign)",
                  "The salesperson's opportunity"),
            click("button[name=action_xero_create_invoice]", "Create Draft Invoice on Xero"),
            check(".modal .o_field_widget[name=account_choice_id] input:value(/200/)",
                  "A revenue account from Xero, the company's default"),
            check(".modal .o_field_widget[name=totals]:contains(=)", "The totals Xero will make"),
            // A picker per tracking category, labelled with the category's name.
            check(".modal:not(:has(.o_form_label:contains(Tracking)))",
                  "No caption that only says Tracking"),
            selectOption(".modal .o_xero_tracking:contains(Region)", "North", "Region: North"),
            check(picker(".modal .o_xero_tracking:contains(Department)"),
                  "Department has its own picker"),
            screenshot("11-invoice-wizard"),
            click(".modal button[name=action_create]", "Create Draft Invoice"),
            notified("created in Xero"),
            check(".o_form_view:not(:has(.modal))", "The dialog closed"),
            check("button[name=action_xero_view_invoice]:contains(INV-):contains(Draft)",
                  "The invoice number shows on the opportunity, with its status"),
            click(".o_notebook .nav-link[name=xero_invoice]", "The Xero invoice tab"),
            check(`${STATUS}:contains(Draft)`, "A draft"),
            {
                content: "Its total, as Xero made it",
                trigger: `${TAB} .o_field_widget[name=xero_invoice_total]:contains(/\\d/)`,
                run() {
                    totalBefore = text(`${TAB} .o_field_widget[name=xero_invoice_total]`);
                },
            },
            screenshot("12-opportunity-draft"),
            {
                content: "The deal grows",
                trigger: ".o_field_widget[name=expected_revenue] input",
                run: "edit 1500",
            },
            ...saveForm(),
            click("button[name=action_xero_update_invoice]", "Update Draft Invoice on Xero"),
            notified("updated in Xero"),
            changed(`${TAB} .o_field_widget[name=xero_invoice_total]`, () => totalBefore,
                    "The new total, from Xero"),
            click("button[name=action_xero_view_invoice]", "View the invoice in Xero (a new tab)"),
            newTabOpened("Xero's invoice opened in a new tab"),
            check("button[name=action_xero_view_invoice]:contains(Draft)",
                  "The opportunity stays open here"),
        ];
    },
});

const CARD = ".o_kanban_record:contains(Website redesign)";

registry.category("web_tour.tours").add("crm_xero_tour_opportunity_delete", {
    steps: () => [
        // First from the pipeline: a card's menu > Delete says it too; kept.
        check(CARD, "The opportunity's card in the pipeline"),
        {
            content: "The card's menu",
            trigger: CARD,
            run: `hover && click ${CARD} .o_dropdown_kanban .dropdown-toggle`,
        },
        click(".o-dropdown--menu .dropdown-item:contains(Delete)", "Delete"),
        check(".modal:contains(also deletes its draft invoice INV-)",
              "The pipeline's prompt says the Xero draft is deleted too"),
        check(".modal:not(:contains(Bye-bye)):not(:contains(undone))", "in our own words"),
        click(".modal-footer button:contains(Keep it)", "Keep it"),
        click(CARD, "Open the opportunity"),
        check(".o_form_view .o_field_widget[name=name] textarea:value(Website redesign)",
              "The opportunity with its Xero draft"),
        check("button[name=action_xero_view_invoice]:contains(INV-):contains(Draft)"),
        click(".o_cp_action_menus .dropdown-toggle", "Actions"),
        click(".o-dropdown--menu .o-dropdown-item:contains(Delete)", "Delete"),
        check(".modal .modal-title:contains(Delete the opportunity and its Xero draft)",
              "The prompt says the Xero draft is deleted too"),
        check(".modal:contains(also deletes its draft invoice INV-):not(:contains(Bye-bye))"
              + ":not(:contains(undone))", "in our own words"),
        check(".modal-footer button.btn-danger:contains(Delete)", "A red Delete button"),
        screenshot("13-delete-prompt"),
        click(".modal-footer button.btn-danger", "Delete"),
        notified("deleted in Xero"),
        check(".o_action_manager:not(:has(.modal)):not(:has(.o_form_view))",
              "The opportunity is gone"),
    ],
});

registry.category("web_tour.tours").add("crm_xero_tour_invoice_live", {
    steps: () => [
        check(".o_form_view .o_field_widget[name=name] textarea:value(/\\S/)",
              "An opportunity with a draft invoice"),
        click(".o_notebook .nav-link[name=xero_invoice]", "The Xero invoice tab"),
        check(`${STATUS}:contains(Draft)`, "A draft"),
        {
            content: "Note when each status first shows (the test measures Xero -> screen)",
            trigger: "body",
            run() {
                const live = (window.crmXeroLive = { ready: Date.now(), seen: {} });
                const note = () => {
                    const shown = text(STATUS);
                    if (shown && !live.seen[shown]) {
                        live.seen[shown] = Date.now();
                    }
                };
                note();
                new MutationObserver(note).observe(document.body, {
                    subtree: true, childList: true, characterData: true,
                });
            },
        },
        // Nothing is clicked from here on: the accountant acts in Xero, and
        // the form follows Xero's webhooks on its own.
        check(`${STATUS}:contains(Awaiting payment)`, "Approved in Xero: awaiting payment",
              30000),
        screenshot("14-live-awaiting-payment"),
        check(`${STATUS}:contains(Paid)`, "Paid in Xero", 30000),
        check(`${TAB} .o_field_widget[name=xero_invoice_paid_on]:contains(/\\d/)`, "Paid on"),
        check("button[name=action_xero_view_invoice]:contains(Paid)", "The stat button too"),
        screenshot("15-live-paid"),
    ],
});

// An opportunity created in the form itself: Create Draft Invoice says why
// it cannot be used yet (no customer; then no revenue: the button shows,
// disabled, with the reason), then the draft is made and updated, and Update
// Draft Invoice stays on that opportunity (it used to land on a blank form).
registry.category("web_tour.tours").add("crm_xero_tour_opportunity_new_update", {
    steps: () => [
        {
            content: "A new opportunity's name",
            trigger: ".o_form_view .o_field_widget[name=name] textarea",
            run: "edit Harbour cafe fit-out && click body",
        },
        check(".o_form_statusbar .o_xero_invoice_hint:contains(customer)",
              "Where Create Draft Invoice would be: set the customer first"),
        check(".o_form_statusbar:not(:has(button[name=action_xero_create_invoice]))"),
        {
            content: "The customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Harbour Cafe",
        },
        click(".o-autocomplete--dropdown-item a:contains(Harbour Cafe Co)", "Harbour Cafe Co"),
        check(".o_form_statusbar button.o_xero_create_disabled:disabled",
              "Create Draft Invoice shows, disabled"),
        check(".o_form_statusbar .o_xero_invoice_hint:contains(expected revenue)",
              "with the reason: no revenue yet"),
        screenshot("18-invoice-disabled"),
        {
            content: "The expected revenue",
            trigger: ".o_field_widget[name=expected_revenue] input",
            run: "edit 900 && click body",
        },
        check(".o_form_statusbar:not(:has(.o_xero_invoice_hint))", "Nothing missing any more"),
        click(".o_form_statusbar button[name=action_xero_create_invoice]:enabled",
              "Create Draft Invoice on Xero"),
        click(".modal button[name=action_create]", "Create Draft Invoice"),
        notified("created in Xero"),
        check("button[name=action_xero_view_invoice]:contains(INV-)", "The draft's number"),
        {
            content: "The deal grows",
            trigger: ".o_field_widget[name=expected_revenue] input",
            run: "edit 1100",
        },
        ...saveForm(),
        click("button[name=action_xero_update_invoice]", "Update Draft Invoice on Xero"),
        notified("updated in Xero"),
        check(".o_form_view .o_field_widget[name=name] textarea:value(Harbour cafe fit-out)",
              "Still on the opportunity"),
        check("button[name=action_xero_view_invoice]:contains(INV-)", "with its draft"),
        check(".o_breadcrumb:not(:contains(New))", "not on a blank New form"),
    ],
});
