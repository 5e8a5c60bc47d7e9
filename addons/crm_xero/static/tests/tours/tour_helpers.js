/** @odoo-module **/
// Steps the crm_xero tours share.  The tours are started by
// addons/crm_xero/tests/test_tours.py, which also plays Xero's side (the
// consent page, the accountant, the scheduled actions) while they wait.

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
            const deadline = Date.now() + 15000;
            while (!(window.crmXeroShots || []).includes(name)) {
                if (Date.now() > deadline) {
                    throw new Error(`The test did not take the screenshot ${name}`);
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
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

