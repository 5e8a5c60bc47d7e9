/** @odoo-module **/
// Settings > CRM > Xero: the import's progress, live.  The import runs in the
// background (a scheduled action); this reads its run every second while it is
// queued or running, and shows the result once it is done, without a reload.
import {
    Component, onMounted, onWillStart, onWillUnmount, onWillUpdateProps, useRef, useState,
} from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const FIELDS = ["state", "kind", "progress", "processed", "item_count", "summary",
                "skip_details", "last_error", "finished_at"];
const POLL_MS = 1000;

/** A many2one's id: its value reads [id, name] on Odoo 18.0, {id, display_name} on 19.0. */
function many2oneId(value) {
    return Array.isArray(value) ? value[0] : value?.id || false;
}

export class XeroImportProgress extends Component {
    static template = "crm_xero.XeroImportProgress";
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ run: null });
        this.timer = null;
        this.root = useRef("root");
        onWillStart(() => this.load(this.runId(this.props)));
        // Settings reloads at the top of the page after Import: bring the
        // progress the notification speaks of into view.
        onMounted(() => this.active && this.root.el?.scrollIntoView({ block: "center" }));
        onWillUpdateProps((next) => this.load(this.runId(next)));
        onWillUnmount(() => clearTimeout(this.timer));
    }

    runId(props) {
        return many2oneId(props.record.data[props.name]);
    }

    get active() {
        return this.state.run && ["queued", "running"].includes(this.state.run.state);
    }

    get kindLabel() {
        return this.state.run.kind === "sync" ? _t("Scheduled sync") : _t("Import");
    }

    get stateLabel() {
        return {
            queued: _t("Queued"), running: _t("Running"), done: _t("Done"), failed: _t("Failed"),
        }[this.state.run.state];
    }

    async load(runId) {
        clearTimeout(this.timer);
        if (!runId) {
            this.state.run = null;
            return;
        }
        const wasActive = this.active;
        const [run] = await this.orm.silent.read("xero.import.run", [runId], FIELDS);
        this.state.run = run || null;
        if (wasActive && !this.active && !this.props.record.dirty) {
            // Done: the settings around it ("Synced up to", Resume) changed too.
            await this.props.record.load();
            return;
        }
        if (this.active) {
            this.timer = setTimeout(() => this.load(runId), POLL_MS);
        }
    }
}

registry.category("fields").add("xero_import_progress", {
    component: XeroImportProgress,
    supportedTypes: ["many2one"],
});
