"""Odoo in prefork mode, driven over HTTP as browsers do (JSON-RPC), with the
sandbox as Xero.  scripts/test_workers.sh starts Odoo (--workers=3
--max-cron-threads=2) and gives its URL, database and pid in the environment.

Each simulated user has a session of its own; requests are spread over the
workers by the operating system, as in production.
"""
import importlib.util
import itertools
import json
import os
import pathlib
import time
from urllib.parse import urlparse

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "crm_xero_test_common", ROOT / "addons" / "crm_xero" / "tests" / "common.py")
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)

TIMEOUT = 120
_ids = itertools.count(1)
FIGURES = {}


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(message)
        self.name, self.message = name, message


class Rpc:
    """One logged-in browser: its own session cookie."""

    def __init__(self, url, db, login, password):
        self.url, self.db = url, db
        self.http = requests.Session()
        answer = self._post("/web/session/authenticate",
                            {"db": db, "login": login, "password": password})
        if not answer.get("uid"):
            raise RuntimeError(f"{login} could not log in: {answer}")
        self.uid = answer["uid"]

    def _post(self, path, params):
        response = self.http.post(self.url + path, json={
            "jsonrpc": "2.0", "method": "call", "id": next(_ids), "params": params},
            timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
        if "error" in data:
            error = data["error"].get("data") or {}
            raise RpcError(error.get("name", "?"), error.get("message") or data["error"])
        return data["result"]

    def call(self, model, method, *args, **kwargs):
        """A button or an ORM call, as the web client makes it."""
        return self._post(f"/web/dataset/call_kw/{model}/{method}",
                          {"model": model, "method": method, "args": list(args),
                           "kwargs": {"context": {}, **kwargs}})

    def follow(self, location):
        """Follow an OAuth redirect back to Odoo with this session."""
        target = urlparse(location)
        return self.http.get(f"{self.url}{target.path}?{target.query}", allow_redirects=False,
                             timeout=TIMEOUT)


@pytest.fixture(scope="session")
def odoo():
    url, db = os.environ["ODOO_URL"], os.environ["ODOO_DB"]
    deadline = time.monotonic() + 120
    while True:   # the workers are up when the login page answers
        try:
            if requests.get(url + "/web/login", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("Odoo did not start: see " + os.environ.get("WORKERS_ODOO_LOG", ""))
        time.sleep(0.5)
    return {"url": url, "db": db, "pid": int(os.environ["ODOO_PID"])}


@pytest.fixture(scope="session")
def sandbox():
    return common.SandboxClient(os.environ["XERO_SANDBOX_URL"])


@pytest.fixture(scope="session")
def admin(odoo, sandbox):
    """The administrator, with crm_xero pointed at the sandbox."""
    rpc = Rpc(odoo["url"], odoo["db"], "admin", "admin")
    for key, value in {**sandbox.endpoint_params(),
                       "crm_xero.client_id": common.CLIENT_ID,
                       "crm_xero.client_secret": common.CLIENT_SECRET,
                       "crm_xero.timeout": "10", "web.base.url": odoo["url"]}.items():
        rpc.call("ir.config_parameter", "set_param", key, value)
    return rpc


def connect(admin, sandbox):
    """Settings > CRM > Xero > Setup, Allow access, back to Odoo."""
    settings = admin.call("res.config.settings", "create", {})
    action = admin.call("res.config.settings", "action_xero_connect", [settings])
    location, _query = sandbox.consent(action["url"])
    answer = admin.follow(location)
    assert answer.status_code == 303, answer.text[:300]


@pytest.fixture(scope="session")
def users(odoo, admin):
    """Salespeople with Own Documents Only rights and no email address."""
    group = admin.call("ir.model.data", "search_read",
                       [["module", "=", "sales_team"], ["name", "=", "group_sale_salesman"]],
                       ["res_id"])[0]["res_id"]
    # A user's groups: groups_id on Odoo 18.0, group_ids on 19.0.
    groups = "group_ids" if "group_ids" in admin.call("res.users", "fields_get", [],
                                                      attributes=["type"]) else "groups_id"
    made = {}
    for index in range(4):
        login = f"prefork_sales_{index}_{int(time.time())}"
        admin.call("res.users", "create", {"name": f"Prefork Salesperson {index}", "login": login,
                                           "password": login, "email": False,
                                           groups: [[6, 0, [group]]]})
        made[index] = login
    return {index: (lambda login=login: Rpc(odoo["url"], odoo["db"], login, login))
            for index, login in made.items()}


def record(name, **figures):
    """Figures of one scenario, printed by test_workers.sh at the end."""
    FIGURES[name] = figures
    path = os.environ.get("WORKERS_FIGURES")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(FIGURES, out, indent=2, sort_keys=True)
