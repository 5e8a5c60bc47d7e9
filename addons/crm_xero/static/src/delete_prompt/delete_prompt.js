/** @odoo-module **/
// Deleting opportunities that have a Xero draft invoice: the web client's own
// delete confirmation says that the draft is deleted in Xero too (the server
// decides what to say, as account does for sequence gaps). The server's
// unlink() enforces the rule for every path; this only informs the prompt.
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";
import { ListController } from "@web/views/list/list_controller";

async function xeroDeleteProps(controller, resIds) {
    if (controller.props.resModel !== "crm.lead" || !resIds.length) {
        return null;
    }
    const warning = await controller.env.services.orm.call(
        "crm.lead", "xero_delete_confirmation", [resIds]
    );
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
