/** @odoo-module **/
// Deleting opportunities that have a Xero draft invoice: the web client's own
// delete confirmation says that the draft is deleted in Xero too (the server
// decides what to say, as account does for sequence gaps). The server's
// unlink() enforces the rule for every path; this only informs the prompt.
//
// The prompt is built here whole, the same on Odoo 18.0 and 19.0: the form,
// the list and the pipeline build theirs differently in each (19.0 through
// useDeleteRecords), but are asked to delete through the same methods.
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

/** Odoo's delete prompt, with ``warning`` first; ``confirm`` deletes. */
function xeroDeletePrompt(controller, warning, confirm, body = deleteConfirmationMessage) {
    controller.env.services.dialog.add(ConfirmationDialog, {
        title: _t("Bye-bye, record!"),
        body: `${warning}\n\n${body}`,
        confirm,
        confirmLabel: _t("Delete"),
        cancel: () => {},
        cancelLabel: _t("No, keep it"),
    });
}

patch(FormController.prototype, {
    async deleteRecord() {
        const resId = this.model.root.resId;
        const warning = await xeroDeleteWarning(this, resId ? [resId] : []);
        if (!warning) {
            return super.deleteRecord(...arguments);
        }
        xeroDeletePrompt(this, warning, async () => {
            await this.model.root.delete();
            if (!this.model.root.resId) {
                this.env.config.historyBack();
            }
        });
    },
});

patch(ListController.prototype, {
    async onDeleteSelectedRecords() {
        const root = this.model.root;
        const resIds = this.props.resModel === "crm.lead" ? await root.getResIds(true) : [];
        const warning = await xeroDeleteWarning(this, resIds);
        if (!warning) {
            return super.onDeleteSelectedRecords(...arguments);
        }
        const several = root.isDomainSelected || root.selection.length > 1;
        xeroDeletePrompt(this, warning, () => root.deleteRecords(),
                         several ? _t("Are you sure you want to delete these records?")
                                 : deleteConfirmationMessage);
    },
});

// The pipeline (CRM's default view): a card's menu > Delete.
patch(KanbanController.prototype, {
    async deleteRecord(record) {
        const warning = await xeroDeleteWarning(this, record.resId ? [record.resId] : []);
        if (!warning) {
            return super.deleteRecord(...arguments);
        }
        xeroDeletePrompt(this, warning, () => this.model.root.deleteRecords([record]));
    },
});
