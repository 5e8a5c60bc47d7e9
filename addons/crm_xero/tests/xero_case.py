"""Odoo test base: the addon pointed at the test run's sandbox."""
import uuid
from contextlib import contextmanager
from urllib.parse import urlparse

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase, HttpCase, get_db_name, new_test_user

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


class XeroRealTransactionCase(BaseCase):
    """Real transactions on real cursors, committed as Odoo's workers do in
    production: for races. The sandbox has granted the demo organisation and
    the addon points at it; `committed_env()` opens a committed transaction."""

    def setUp(self):
        super().setUp()
        self.sandbox = SandboxClient()
        self.sandbox.reset()
        self.db_registry = Registry(get_db_name())
        self.demo_org = next(o for o in self.sandbox.orgs() if o["name"] == "Demo Company (Global)")
        self.token = self.sandbox.connect(tenant_ids=[self.demo_org["tenant_id"]])
        with self.committed_env() as env:
            params = env["ir.config_parameter"]
            for key in ("login_url", "identity_url", "api_url", "go_url"):
                params.set_param(f"crm_xero.{key}", self.sandbox.url)
            params.set_param("crm_xero.client_id", CLIENT_ID)
            params.set_param("crm_xero.client_secret", CLIENT_SECRET)

    @contextmanager
    def committed_env(self, context=None):
        with self.db_registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, context or {})

    def release_registry_lock(self):
        """Odoo's test runner holds the registry lock for the whole run; in a
        server, requests never wait on it. Release it as enter_test_mode does,
        so threads can open environments."""
        self.patch(Registry, "_lock", DummyRLock())

    @staticmethod
    def unique_name(prefix):
        """Committed records outlive a failed run: never reuse a unique name."""
        return f"{prefix} {uuid.uuid4().hex[:8]}"
