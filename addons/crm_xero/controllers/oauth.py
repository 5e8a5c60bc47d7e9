"""Where Xero's consent page sends the admin's browser back."""
from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request


class XeroOAuthController(http.Controller):

    @http.route("/crm_xero/oauth/callback", type="http", auth="user", methods=["GET"])
    def xero_oauth_callback(self, state=None, code=None, error=None, **_kwargs):
        """Finish the OAuth round trip, then go back to Settings, where the
        outcome (connected, choose an organisation, or why nothing changed) shows."""
        if not request.env.user.has_group("crm_xero.group_xero_manager"):
            raise Forbidden()
        connection, message, level = request.env["xero.connection"]._xero_oauth_callback(
            state, code=code, error=error)
        if not connection:
            # A forged, replayed or foreign callback: show why on the company's
            # own connection record, which is otherwise left as it was.
            connection = request.env["xero.connection"]._xero_for_company()
        connection.sudo().write({"status_message": message, "status_level": level})
        # Straight to the Xero block, where the outcome shows.
        return request.redirect("/odoo/settings#crm_xero_connection")
