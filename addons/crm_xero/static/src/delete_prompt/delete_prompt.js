/** @odoo-module **/
// Deleting opportunities that have a Xero draft invoice: a prompt of our own
// (the server says what, in our words: crm.lead.xero_delete_confirmation),
// its Delete button red, and once deleted a notice that the draft was deleted
// in Xero.  Without a Xero draft, Odoo's own prompt.  The server's unlink()
// enforces the rule for every path; this only informs the person.  Written
// for the web clients of Odoo 18 and 19 alike: the prompt is opened here with
// every prop, never merged into the controllers' own (which differ).
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { ListController } from "@web/views/list/list_controller";

/** What the server says for these opportunities, or null (Odoo's prompt). */
async function xeroDeletePrompt(controller, resIds) {
    if (controller.props.resModel !== "crm.lead" || !resIds.length) {
        return null;
    }
    return (await controller.env.services.orm.call(
        "crm.lead", "xero_delete_confirmation", [resIds]
    )) || null;
}

/** Our prompt; ``doDelete`` deletes as the view does, then the notice. */
function openXeroDeletePrompt(controller, prompt, doDelete) {
    const { dialog, notification } = controller.env.services;
    dialog.add(ConfirmationDialog, {
        title: prompt.title,
        body: prompt.body,
        confirmLabel: prompt.confirm_label,
        confirmClass: "btn-danger",
        confirm: async () => {
            const deleted = await doDelete();
            if (deleted !== false) {
                notification.add(prompt.done, { type: "success" });
            }
        },
        cancel: () => {},
        cancelLabel: prompt.cancel_label,
    });
}

patch(FormController.prototype, {
    async deleteRecord() {
        const resId = this.model.root.resId;
        const prompt = await xeroDeletePrompt(this, resId ? [resId] : []);
        if (!prompt) {
            return super.deleteRecord(...arguments);
        }
        openXeroDeletePrompt(this, prompt, async () => {
            const deleted = await this.model.root.delete();
            if (!this.model.root.resId) {
                this.env.config.historyBack();
            }
            return deleted;
        });
    },
});

patch(ListController.prototype, {
    async onDeleteSelectedRecords() {
        const resIds = this.props.resModel === "crm.lead" ? await this.model.root.getResIds(true) : [];
        const prompt = await xeroDeletePrompt(this, resIds);
        if (!prompt) {
            return super.onDeleteSelectedRecords(...arguments);
        }
        openXeroDeletePrompt(this, prompt, () => this.model.root.deleteRecords());
    },
});

// The pipeline (CRM's default view): a card's menu > Delete.
patch(KanbanController.prototype, {
    async deleteRecord(record) {
        const prompt = await xeroDeletePrompt(this, record.resId ? [record.resId] : []);
        if (!prompt) {
            return super.deleteRecord(...arguments);
        }
        openXeroDeletePrompt(this, prompt, () => this.model.root.deleteRecords([record]));
    },
});
