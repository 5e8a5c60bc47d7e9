/** @odoo-module **/
// Steps the crm_xero tours share.  The tours are started by
// addons/crm_xero/tests/test_tours.py, which also plays Xero's side (the
// consent page, the accountant, the scheduled actions) while they wait.

import { session } from "@web/session";

// Odoo 19.0's tours are told which step leaves the page (18.0's refuse the key).
const TOLD_OF_UNLOAD = session.server_version_info[0] >= 19;

async function until(condition, timeout, what) {
    const deadline = Date.now() + timeout;
    while (!condition()) {
        if (Date.now() > deadline) {
            throw new Error(`Timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/**
 * A step that asks the test (Python) for a screenshot of the page as it is
 * now, and waits until it is taken: the README's pictures are taken by the
 * tours themselves.  The test always answers, whether or not it keeps the
 * picture (CRM_XERO_SCREENSHOTS), so the tour runs the same either way.
 */
export function screenshot(name) {
    return {
        content: `Screenshot: ${name}`,
        trigger: "body",
        async run() {
            // Let the last render and any transition settle first.
            await new Promise((resolve) => setTimeout(resolve, 300));
            console.log(`crm_xero screenshot: ${name}`);
            await until(() => (window.crmXeroShots || []).includes(name), 15000,
                        `the screenshot ${name}`);
        },
    };
}

/**
 * After a click that opens a new tab (View on Xero): wait until the test
 * saw that tab (and closed it), so the tour never ends before it opens.
 */
export function newTabOpened(content) {
    return {
        content: content || "The new tab opened",
        trigger: "body",
        async run() {
            await until(() => window.crmXeroNewTab, 20000, "the new tab");
        },
    };
}

/**
 * Wait until the text of ``selector`` is no longer ``before()`` (a value
 * read by an earlier step), e.g. an amount Xero recomputed.
 */
export function changed(selector, before, content) {
    return {
        content: content || `${selector} changes`,
        trigger: selector,
        async run() {
            const text = () => (document.querySelector(selector)?.textContent || "").trim();
            await until(() => text() && text() !== before(), 10000, `a new ${selector}`);
        },
    };
}

/**
 * Scroll ``trigger`` into view, as a person scrolls to what they look for
 * (``block``: "start" or "center").
 */
export function scrollTo(trigger, block = "center", content = undefined) {
    return {
        trigger,
        content: content || `Scroll to ${trigger}`,
        run() {
            this.anchor.scrollIntoView({ block });
        },
    };
}

/** A step that only checks (no action): waits for ``trigger``. */
export function check(trigger, content, timeout) {
    return { trigger, content: content || `Check ${trigger}`, ...(timeout ? { timeout } : {}) };
}

/** Click ``trigger``. */
export function click(trigger, content) {
    return { trigger, content: content || `Click ${trigger}`, run: "click" };
}

/** The notification Odoo shows after a Xero button. */
export function notified(text) {
    return check(`.o_notification:contains(${JSON.stringify(text)})`, `Notified: ${text}`);
}

/**
 * Save the form and wait until it is saved (web_tour's stepUtils.saveForm,
 * whose module moved between Odoo 18.0 and 19.0: these tours import nothing
 * from web_tour).
 */
export function saveForm() {
    return [
        click(".o_form_button_save:enabled", "Save"),
        check(".o_form_readonly, .o_form_saved", "Saved"),
    ];
}

/**
 * ``step``, which leaves the page (a full navigation, e.g. to Xero's
 * consent page): the tour carries on when Odoo's page loads again.
 */
export function leavingPage(step) {
    return TOLD_OF_UNLOAD ? { ...step, expectUnloadPage: true } : step;
}

/**
 * The account form's name box: Odoo 18.0 draws it (a text field without line
 * breaks) as an ``<input>``, 19.0 as a ``<textarea>``.
 */
export function accountName(value = null, form = ".o_form_view") {
    const box = `${form} .o_field_widget[name=name]`;
    const valued = value === null ? "" : `:value(${value})`;
    return `${box} input${valued}, ${box} textarea${valued}`;
}

/**
 * The picker of a selection field inside ``container``: Odoo 18.0 draws it as a
 * ``<select>``, 19.0 as a SelectMenu dropdown (its toggler button).
 */
export function picker(container) {
    return `${container} select, ${container} .o_select_menu_toggler`;
}

/** Choose the option labelled ``label`` in the picker inside ``container``. */
export function selectOption(container, label, content) {
    return {
        trigger: picker(container),
        content: content || `Choose ${label}`,
        async run() {
            const anchor = this.anchor;
            if (anchor.tagName === "SELECT") {
                const option = [...anchor.options].find((o) => o.textContent.trim() === label);
                if (!option) {
                    throw new Error(`No option ${label} in ${container}`);
                }
                anchor.value = option.value;
                anchor.dispatchEvent(new Event("change", { bubbles: true }));
                return;
            }
            anchor.click();   // 19.0: open the dropdown, then click the item
            for (let waited = 0; waited < 5000; waited += 50) {
                const item = [...document.querySelectorAll(".o_select_menu_item")]
                    .find((el) => el.textContent.trim() === label);
                if (item) {
                    item.click();
                    return;
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            throw new Error(`No option ${label} in ${container}`);
        },
    };
}

/** Give the web client ``ms`` to finish what a click started (a reload). */
export function settle(ms, content) {
    return {
        content: content || `Wait ${ms} ms`,
        trigger: "body",
        async run() {
            await new Promise((resolve) => setTimeout(resolve, ms));
        },
    };
}
