/** @odoo-module **/
// The first time a company account is opened after its company connects to
// Xero, look it up in Xero in the background: the form never waits for Xero,
// and a slow or busy Xero just leaves the check for the next opening or the
// scheduled job.
import { Component, onMounted } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export class XeroLinkCheck extends Component {
    static template = "crm_xero.XeroLinkCheck";
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        onMounted(() => this.check());
    }

    async check() {
        const record = this.props.record;
        const data = record.data;
        const unchecked = !data.xero_check_state || data.xero_check_state === "pending";
        if (!record.resId || !data.is_company || data.xero_connection_state !== "connected" || !unchecked) {
            return;
        }
        let state;
        try {
            state = await this.orm.silent.call("res.partner", "action_xero_check_link", [[record.resId]]);
        } catch {
            return; // retried later
        }
        if (state && !record.dirty) {
            await record.load();
        }
    }
}

registry.category("fields").add("xero_link_check", { component: XeroLinkCheck });
