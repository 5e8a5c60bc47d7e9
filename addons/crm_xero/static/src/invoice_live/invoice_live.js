/** @odoo-module **/
// An opportunity's Xero invoices and quote, live: when the form opens, those
// read from Xero a while ago are read again in the background (the form never
// waits for Xero; quotes have no webhooks, so this is how a form sees a quote
// accepted meanwhile); while the form stays open, Xero's webhooks (handled on the server)
// announce changes on the bus and the form reloads them.
import { Component, onMounted, onWillUnmount } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export class XeroInvoiceLive extends Component {
    static template = "crm_xero.XeroInvoiceLive";
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        this.busService = useService("bus_service");
        this.onNotification = ({ lead_ids }) => {
            const record = this.props.record;
            if (record.resId && (lead_ids || []).includes(record.resId)) {
                this.reload();
            }
        };
        onMounted(() => {
            this.busService.subscribe("crm_xero/invoice", this.onNotification);
            this.check();
        });
        onWillUnmount(() => this.busService.unsubscribe("crm_xero/invoice", this.onNotification));
    }

    async check() {
        const record = this.props.record;
        if (!record.resId || !(record.data.xero_invoice_id || record.data.xero_quote_id)) {
            return;
        }
        let changed = false;
        try {
            changed = await this.orm.silent.call("crm.lead", "action_xero_check_invoice", [[record.resId]]);
        } catch {
            return; // read again later
        }
        if (changed) {
            await this.reload();
        }
    }

    async reload() {
        const record = this.props.record;
        if (!record.dirty) {
            await record.load();
        }
    }
}

registry.category("fields").add("xero_invoice_live", { component: XeroInvoiceLive });
