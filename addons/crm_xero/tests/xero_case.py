"""Odoo test base: the addon pointed at the test run's sandbox."""
from urllib.parse import urlparse

from odoo.tests import HttpCase, new_test_user

from ..xero.pacing import DEFAULT_PACER
from .common import CLIENT_ID, CLIENT_SECRET, SandboxClient


class XeroHttpCase(HttpCase):
    """The addon talks to the sandbox; admin is logged in on the test server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxClient()
        params = cls.env["ir.config_parameter"].sudo()
        for key in ("login_url", "identity_url", "api_url", "go_url"):
            params.set_param(f"crm_xero.{key}", cls.sandbox.url)
        params.set_param("crm_xero.client_id", CLIENT_ID)
        params.set_param("crm_xero.client_secret", CLIENT_SECRET)
        params.set_param("web.base.url", cls.base_url())
        orgs = {org["name"]: org for org in cls.sandbox.orgs()}
        cls.demo_org = orgs["Demo Company (Global)"]
        cls.second_org = orgs["Sandbox Second Org Ltd"]
        cls.company = cls.env.company
        cls.salesman = new_test_user(cls.env, "xero_salesman", groups="sales_team.group_sale_salesman",
                                     password="xero_salesman")
        cls.manager = new_test_user(cls.env, "xero_manager", password="xero_manager",
                                    groups="crm_xero.group_xero_manager,base.group_user")

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        DEFAULT_PACER.reset()   # the sandbox's minute windows were just reset too
        self.authenticate("admin", "admin")

    def connection(self, company=None):
        return self.env["xero.connection"]._xero_for_company(company or self.company).sudo(False)

    def start_consent(self, connection=None, user=None):
        """Press Setup; returns the Xero consent URL the browser is sent to."""
        connection = connection or self.connection()
        action = connection.with_user(user or self.env.ref("base.user_admin")).action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        return action["url"]

    def back_from_xero(self, location):
        """Follow Xero's redirect to our callback as the logged-in browser."""
        target = urlparse(location)
        response = self.url_open(f"{target.path}?{target.query}", allow_redirects=False)
        self.env.invalidate_all()
        return response

    def connect(self, company=None, tenant_ids=None):
        """The whole Setup → Allow access → callback dance for `company`."""
        connection = self.connection(company)
        location, _query = self.sandbox.consent(self.start_consent(connection), tenant_ids=tenant_ids)
        response = self.back_from_xero(location)
        self.assertEqual(response.status_code, 303, response.text[:300])
        return connection
