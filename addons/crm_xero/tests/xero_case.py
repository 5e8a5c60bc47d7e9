"""Odoo test bases: the addon pointed at the test run's sandbox.

* ``XeroHttpCase``: Odoo's usual test transaction, a logged-in test server,
  and the people who use the buttons: a salesperson with *User: Own
  Documents Only* rights and no email address, a Xero manager, the admin.
* ``XeroCommittedCase``: real transactions on real cursors, committed as
  Odoo's workers do in production (the write path commits in transactions of
  its own, which a test transaction would hide): for failures injected after
  Xero accepted a write, races and retries.
"""
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, HttpCase, get_db_name, new_test_user

from ..models.xero_invoice_link import xero_clear_invoice_settings_cache
from ..xero.pacing import DEFAULT_PACER
from .common import CLIENT_ID, CLIENT_SECRET, SandboxClient
from .harness import LocalRequests

SALESMAN_GROUPS = "sales_team.group_sale_salesman"


def point_at_sandbox(env, sandbox, timeout=None):
    params = env["ir.config_parameter"].sudo()
    for key, value in sandbox.endpoint_params().items():
        params.set_param(key, value)
    params.set_param("crm_xero.client_id", CLIENT_ID)
    params.set_param("crm_xero.client_secret", CLIENT_SECRET)
    params.set_param("crm_xero.timeout", str(timeout or 10))


class XeroHttpCase(LocalRequests, HttpCase):
    """The addon talks to the sandbox; admin is logged in on the test server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxClient()
        point_at_sandbox(cls.env, cls.sandbox)
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        orgs = {org["name"]: org for org in cls.sandbox.orgs()}
        cls.demo_org = orgs["Demo Company (Global)"]
        cls.second_org = orgs["Sandbox Second Org Ltd"]
        cls.tenant = cls.demo_org["tenant_id"]
        cls.company = cls.env.company
        # The people on the other side of the buttons: a salesperson who sees
        # only their own documents and has no email address (Odoo allows it).
        cls.salesman = new_test_user(cls.env, "xero_salesman", groups=SALESMAN_GROUPS,
                                     password="xero_salesman", email=False,
                                     name="Sam Salesman")
        cls.manager = new_test_user(cls.env, "xero_manager", password="xero_manager",
                                    groups="crm_xero.group_xero_manager,base.group_user")

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        DEFAULT_PACER.reset()   # the sandbox's minute windows were just reset too
        xero_clear_invoice_settings_cache()
        self.addCleanup(xero_clear_invoice_settings_cache)
        self.authenticate("admin", "admin")
        # Connections other tests committed (XeroCommittedCase's company) are
        # not this test's: the scheduled jobs, which go through every
        # connected company, leave them alone (until the test's rollback).
        self.env["xero.connection"].sudo().search(
            [("company_id", "!=", self.company.id), ("state", "=", "connected")]).write(
            {"state": "not_connected"})

    def connection(self, company=None):
        return self.env["xero.connection"]._xero_for_company(company or self.company).sudo(False)

    def start_consent(self, connection=None, user=None):
        """Press Setup; returns the Xero consent URL the browser is sent to."""
        connection = connection or self.connection()
        action = connection.with_user(user or self.env.ref("base.user_admin")).with_company(
            connection.company_id).action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        return action["url"]

    def back_from_xero(self, location):
        """Follow Xero's redirect to our callback as the logged-in browser."""
        from urllib.parse import urlparse
        target = urlparse(location)
        response = self.url_open(f"{target.path}?{target.query}", allow_redirects=False)
        self.env.invalidate_all()
        return response

    def connect(self, company=None, tenant_ids=None):
        """The whole Setup -> Allow access -> callback dance for ``company``."""
        connection = self.connection(company)
        location, _query = self.sandbox.consent(self.start_consent(connection),
                                                tenant_ids=tenant_ids)
        response = self.back_from_xero(location)
        self.assertEqual(response.status_code, 303, response.text[:300])
        return connection

    def expire_invoice_lists(self, connection=None):
        """The invoice wizard's lists are old: every worker reads them again
        (this process's copy and the organisation's shared one)."""
        xero_clear_invoice_settings_cache()
        (connection or self.connection()).sudo()._xero_sync_state()._xero_state_write(
            invoice_settings_at=None)

    # -- both sides -------------------------------------------------------------------
    def xero_contacts(self, tenant=None, **filters):
        return self.sandbox.contacts(tenant or self.tenant, **filters)

    def xero_contact(self, contact_id, tenant=None):
        return self.sandbox.contact(tenant or self.tenant, contact_id)

    def xero_invoices(self, tenant=None, **filters):
        return self.sandbox.invoices(tenant or self.tenant, **filters)

    def xero_invoice(self, invoice_id, tenant=None):
        return self.sandbox.invoice(tenant or self.tenant, invoice_id)

    def api_calls(self, operation=None):
        """Accounting API calls the sandbox received (control reads are not)."""
        return [c for c in self.sandbox.calls() if c.get("operation")
                and (operation is None or c["operation"] == operation)]

    def active_contact(self, index=0, **filters):
        return [c for c in self.xero_contacts(**filters)
                if c["ContactStatus"] == "ACTIVE"][index]


class XeroCommittedCase(LocalRequests, BaseCase):
    """Real transactions, committed as Odoo's workers do in production.

    A company of the class's own, connected to the demo organisation with a
    token from the sandbox, a salesperson (Own Documents Only, no email) and
    an administrator in it.  ``click(user, model, ids, method, *args)`` runs
    a button as one RPC does: its own transaction, retried by Odoo on a
    serialization failure, committed; it returns the result or the error.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxClient()
        cls.db_registry = Registry(get_db_name())
        cls.tenant = next(o for o in cls.sandbox.orgs()
                          if o["name"] == "Demo Company (Global)")["tenant_id"]
        with cls.committed_env() as env:
            point_at_sandbox(env, cls.sandbox, timeout=3)
            company = env["res.company"].create({"name": cls.unique_name("Committed"),
                                                 "currency_id": env.ref("base.USD").id})
            salesman = new_test_user(env, cls.unique_name("sales").replace(" ", "_"),
                                     groups=SALESMAN_GROUPS, email=False,
                                     company_id=company.id, company_ids=[(6, 0, company.ids)],
                                     name="Committed Salesman")
            admin = new_test_user(env, cls.unique_name("admin").replace(" ", "_"),
                                  groups="base.group_system,sales_team.group_sale_manager",
                                  company_id=company.id, company_ids=[(6, 0, company.ids)],
                                  name="Committed Admin")
            connection = env["xero.connection"].create({"company_id": company.id})
            cls.ids = {"company": company.id, "salesman": salesman.id, "admin": admin.id,
                       "connection": connection.id}

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        DEFAULT_PACER.reset()
        xero_clear_invoice_settings_cache()
        self.patch(Registry, "_lock", DummyRLock())   # as in a server: no global lock
        token = self.sandbox.connect(tenant_ids=[self.tenant])
        org = next(o for o in self.sandbox.orgs() if o["tenant_id"] == self.tenant)
        with self.committed_env() as env:
            # The organisation's shared state (its day of calls, watermarks, lists)
            # outlives committed tests, as it does workers: each test starts anew.
            env["xero.sync.state"].sudo().search(
                [("connection_id", "=", self.ids["connection"])]).unlink()
            env["xero.connection"].browse(self.ids["connection"]).write({
                "state": "connected", "tenant_id": self.tenant, "tenant_name": org["name"],
                "short_code": org["short_code"], "base_currency": org["base_currency"],
                "access_token": token["access_token"], "refresh_token": token["refresh_token"],
                "token_expires_at": datetime.utcnow() + timedelta(minutes=25),
                "connected_at": datetime.utcnow(),
            })
        self.made = []
        self.addCleanup(self._forget_made)

    @classmethod
    def serialization_failure(cls):
        """A real one, from PostgreSQL (Odoo retries on its error code): two
        transactions updating the same row, the second after the first
        committed."""
        with cls.db_registry.cursor() as first, cls.db_registry.cursor() as second:
            first.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            first.execute("SELECT write_date FROM res_company WHERE id = %s", [cls.ids["company"]])
            second.execute("UPDATE res_company SET write_date = write_date WHERE id = %s",
                           [cls.ids["company"]])
            second.commit()
            try:
                first.execute("UPDATE res_company SET write_date = write_date WHERE id = %s",
                              [cls.ids["company"]], log_exceptions=False)
            except psycopg2.errors.SerializationFailure as exc:
                return exc
        raise AssertionError("PostgreSQL did not refuse the second update")

    @classmethod
    @contextmanager
    def committed_env(cls, uid=SUPERUSER_ID, context=None):
        with cls.db_registry.cursor() as cr:
            yield api.Environment(cr, uid, context or {})

    @staticmethod
    def unique_name(prefix):
        """Committed records outlive a failed run: never reuse a unique name."""
        return f"{prefix} {uuid.uuid4().hex[:8]}"

    def create(self, model, values):  # pylint: disable=method-required-super  # not a model
        """A committed record, deleted after the test."""
        with self.committed_env() as env:
            record = env[model].create(values)
            self.made.append((model, record.id))
            return record.id

    def _forget_made(self):
        with self.committed_env() as env:
            for model, record_id in reversed(self.made):
                record = env[model].with_context(xero_skip_invoice_delete=True,
                                                 active_test=False).browse(record_id).exists()
                if record:
                    record.unlink()
            env["xero.write"].search([("connection_id", "=", self.ids["connection"])]).unlink()

    def click(self, user, model, ids, method, *args, **kwargs):
        """``method`` as the web client calls it, in a transaction of its own
        as ``user`` ("salesman" or "admin"), retried on a serialization
        failure, committed.  Returns (result, None) or (None, exception)."""
        uid = self.ids[user] if isinstance(user, str) else user
        with self.db_registry.cursor() as cr:
            env = api.Environment(cr, uid, {"allowed_company_ids": [self.ids["company"]]})

            def call():
                records = env[model].browse(ids)
                return getattr(records, method)(*args, **kwargs)
            try:
                return retrying(partial(call), env), None
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - returned for the test to assert
                return None, exc

    def read(self, model, record_id, *fields):  # pylint: disable=method-required-super
        with self.committed_env() as env:
            record = env[model].browse(record_id)
            return {field: record[field] for field in fields}
