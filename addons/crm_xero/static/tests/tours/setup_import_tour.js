/** @odoo-module **/
// The admin connects the company to Xero and imports its contacts, as the
// brief says: Settings > CRM > Xero, Setup, Xero's consent page (Allow access,
// clicked by the test on the real page: a tour does not run on Xero's
// origin), back in Settings, Import Xero Data (a preview first), then the
// import's progress, live, until it is done.
import { registry } from "@web/core/registry";
import {
    check, click, leavingPage, notified, screenshot, scrollTo, settle,
} from "@crm_xero/../tests/tours/tour_helpers";

const BLOCK = "#crm_xero_connection";
const IMPORT = "#crm_xero_import";

registry.category("web_tour.tours").add("crm_xero_tour_setup_import", {
    steps: () => [
        check(`${BLOCK} .o_field_widget[name=xero_state]:contains(Not connected)`,
              "The company is not connected to Xero yet"),
        screenshot("01-settings-setup"),
        leavingPage(click(`${BLOCK} button[name=action_xero_connect]`,
                          "Setup: off to Xero's consent page")),
        // -- Xero's page: the test clicks Allow access there, and Xero sends
        //    the browser back to Settings, where the tour carries on.
        check(`${BLOCK} .o_field_widget[name=xero_state]:contains(Connected):not(:contains(Not))`,
              "Back in Settings: connected", 30000),
        check(`${BLOCK} :contains(Demo Company (Global))`, "to the organisation chosen in Xero"),
        scrollTo(".alert-info:contains(Demo Company (Global))", "start",
                 "The outcome is said in Settings, above the setting"),
        check(`${IMPORT} .o_xero_import_progress:contains(Import Xero Data)`,
              "Settings invite to import"),
        screenshot("03-settings-connected"),
        click(`${BLOCK} button[name=action_xero_import]`, "Import Xero Data"),
        click(".modal button[name=action_xero_preview]", "Preview first"),
        check(".modal div[name=preview_create]:contains(/[1-9]/)", "The preview counts new accounts"),
        check(".modal div[name=preview_link]:contains(/^\\s*1\\s*$/)",
              "and the account Odoo had already, linked instead of duplicated"),
        check(".modal div[name=preview_details]:contains(Linked to existing accounts)"),
        screenshot("04-import-preview"),
        click(".modal button[name=action_xero_import]", "Import"),
        check(".o_notification:contains(runs in the background)", "It runs in the background"),
        // Settings reloads (the run's badge is new) at the top of the CRM
        // settings: scroll back down to Xero.
        scrollTo(`${IMPORT} .o_xero_import_progress .badge`, "center",
                 "Scroll back to the import"),
        // -- the import runs page by page (the test runs the scheduled action);
        //    Settings follows it without a reload.
        check(`${IMPORT} .o_xero_import_progress .badge:contains(Running)`,
              "Running, shown without a reload", 30000),
        check(`${IMPORT} .o_xero_import_progress .progress-bar`, "with its progress"),
        check(`${IMPORT} .o_xero_import_progress:contains(contacts read)`),
        screenshot("05-import-progress"),
        check(`${IMPORT} .o_xero_import_progress .badge:contains(Done)`, "Done", 30000),
        check(`${IMPORT} .o_xero_import_progress:contains(created)`, "with what it did"),
        check(`${IMPORT}:contains(Synced up to)`, "and the settings around it, without a reload"),
        check(".o_action_manager:not(:has(.o_pager))", "Settings, as they were: no pager"),
        screenshot("06-import-done"),
    ],
});

// Import Xero Data twice (the second finds the first still queued): Settings
// stay as they were, with no "1 / 1" pager (the reload after the import's
// notification used to restore Settings as a saved record).
registry.category("web_tour.tours").add("crm_xero_tour_settings_import_twice", {
    steps: () => [
        click(`${BLOCK} button[name=action_xero_import]`, "Import Xero Data"),
        click(".modal button[name=action_xero_preview]", "Preview"),
        click(".modal button[name=action_xero_import]", "Import"),
        notified("runs in the background"),
        settle(1500, "Settings reload"),
        check(".o_action_manager:not(:has(.modal)):not(:has(.o_pager))", "No pager"),
        click(`${BLOCK} button[name=action_xero_import]`, "Import Xero Data, again"),
        click(".modal button[name=action_xero_preview]", "Preview"),
        click(".modal button[name=action_xero_import]", "Import"),
        settle(1500, "Settings reload"),
        check(`${BLOCK} .o_field_widget[name=xero_state]:contains(Connected)`, "Settings"),
        check(".o_action_manager:not(:has(.modal)):not(:has(.o_pager))", "Still no pager"),
    ],
});
