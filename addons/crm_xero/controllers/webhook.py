"""Where Xero delivers its webhooks: ``POST /crm_xero/webhook``.

Answered within Xero's 5 seconds: the signature is checked (401 without a
body when it is wrong, which is also how Xero's "intent to receive" check is
passed), the events are stored and the background job is woken; nothing is
read from Xero here, and nothing in the body is trusted beyond the ids.
"""
import logging

from odoo import http
from odoo.http import request

from ..xero import webhooks

_logger = logging.getLogger(__name__)


class XeroWebhookController(http.Controller):

    @http.route("/crm_xero/webhook", type="http", auth="public", methods=["POST"], csrf=False,
                save_session=False)
    def xero_webhook(self, **_kwargs):
        body = request.httprequest.get_data(cache=False)
        key = request.env["ir.config_parameter"].sudo().get_param("crm_xero.webhook_key")
        if not webhooks.signed(body, key, request.httprequest.headers.get("x-xero-signature")):
            _logger.info("Xero webhook refused: bad or missing signature")
            return request.make_response(b"", status=401)
        stored = request.env["xero.webhook.event"].sudo()._xero_receive(webhooks.events(body))
        _logger.info("Xero webhook: %s event(s) stored", stored)
        return request.make_response(b"", status=200)
