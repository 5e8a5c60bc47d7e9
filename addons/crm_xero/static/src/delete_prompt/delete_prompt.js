/** @odoo-module **/
// Deleting opportunities that have a Xero draft invoice: the web client's own
// delete confirmation says that the draft is deleted in Xero too (the server
// decides what to say, as account does for sequence gaps). The server's
// unlink() enforces the rule for every path; this only informs the prompt.
import {
    ConfirmationDialog,
    deleteConfirmationMessage,
} from "@web/core/confirmation_dialog/confirmation_dialog";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { ListController } from "@web/views/list/list_controller";

/** What the prompt adds for these opportunities, or null (nothing to say). */
async function xeroDeleteWarning(controller, resIds) {
    if (controller.props.resModel !== "crm.lead" || !resIds.length) {
        return null;
    }
    return (await controller.env.services.orm.call(
        "crm.lead", "xero_delete_confirmation", [resIds]
    )) || null;
}

async function xeroDeleteProps(controller, resIds) {
    const warning = await xeroDeleteWarning(controller, resIds);
    if (!warning) {
        return null;
    }
    const props = controller.deleteConfirmationDialogProps;
    return { ...props, body: `${warning}\n\n${props.body}` };
}

patch(FormController.prototype, {
    async deleteRecord() {
        const resId = this.model.root.resId;
        const props = await xeroDeleteProps(this, resId ? [resId] : []);
        if (!props) {
            return super.deleteRecord(...arguments);
        }
        this.dialogService.add(ConfirmationDialog, props);
    },
});

patch(ListController.prototype, {
    async onDeleteSelectedRecords() {
        const resIds = this.props.resModel === "crm.lead" ? await this.model.root.getResIds(true) : [];
        const props = await xeroDeleteProps(this, resIds);
        if (!props) {
            return super.onDeleteSelectedRecords(...arguments);
        }
        this.dialogService.add(ConfirmationDialog, props);
    },
});

// The pipeline (CRM's default view): a card's menu > Delete.  The kanban has
// no dialog props of its own to extend, so its own prompt is rebuilt here.
patch(KanbanController.prototype, {
    async deleteRecord(record) {
        const warning = await xeroDeleteWarning(this, record.resId ? [record.resId] : []);
        if (!warning) {
            return super.deleteRecord(...arguments);
        }
        this.dialog.add(ConfirmationDialog, {
            title: _t("Bye-bye, record!"),
            body: `${warning}\n\n${deleteConfirmationMessage}`,
            confirm: () => this.model.root.deleteRecords([record]),
            confirmLabel: _t("Delete"),
            cancel: () => {},
            cancelLabel: _t("No, keep it"),
        });
    },
});
