/** @odoo-module **/
// Coming back from Xero's consent page lands on /odoo/settings#crm_xero_connection:
// Odoo opens the CRM tab and highlights the setting; this also scrolls the
// block's title to the top (after the browser's own jump to the anchor), so the
// outcome banner above the setting is in view, errors included.
import { onMounted } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { patch } from "@web/core/utils/patch";
import { SearchableSetting } from "@web/webclient/settings_form_view/settings/searchable_setting";

patch(SearchableSetting.prototype, {
    setup() {
        super.setup(...arguments);
        onMounted(() => {
            if (this.props.id && this.props.id.startsWith("crm_xero")
                    && browser.location.hash.substring(1) === this.props.id && this.settingRef.el) {
                const title = this.settingRef.el.closest(".o_settings_container")
                    ?.previousElementSibling;
                const target = title?.tagName === "H2" ? title : this.settingRef.el;
                browser.setTimeout(() => target.scrollIntoView({ block: "start" }), 0);
            }
        });
    },
});
