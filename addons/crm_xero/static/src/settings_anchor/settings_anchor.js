/** @odoo-module **/
// Coming back from Xero's consent page lands on /odoo/settings#crm_xero_connection:
// Odoo opens the CRM tab and highlights the setting; this also scrolls it into
// view, so the outcome is not below the fold.
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
                this.settingRef.el.scrollIntoView({ block: "center" });
            }
        });
    },
});
