"""What every benchmark scenario shares: databases, the sandbox, Odoo as a
library in a child process, Setup -> Allow access, and the counters read
back from the sandbox and PostgreSQL.

The parent (bench/import_contacts.py) makes the databases and starts the
sandboxes; each scenario runs in a child process of its own (Odoo used as a
library), so its peak memory is its own.
"""
import json
import os
import resource
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CA = ROOT / "var" / "ca" / "ca.pem"   # the local CA of the sandbox's HTTPS (bootstrap.sh)
# Benchmark databases: <prefix>_base, then one <prefix>_<scenario> at a time;
# each Odoo series its own (scripts/bench.sh sets ODOO_SERIES).
SERIES = os.environ.get("ODOO_SERIES") or "18.0"
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX") or (
    "crm_xero_bench" if SERIES == "18.0" else "crm_xero_bench_" + SERIES.split(".")[0])
BASE_DB = f"{DB_PREFIX}_base"
CLIENT_ID, CLIENT_SECRET = "sandbox-client-id", "sandbox-client-secret"


# -- parent: databases, sandboxes, child processes ---------------------------------------
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg(query):
    import psycopg2
    conn = psycopg2.connect(dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(query)
    finally:
        conn.close()


def drop_db(name):
    from scripts import odoo_db
    odoo_db.drop(name)


def copy_db(name):
    """A fresh copy of the base database (crm_xero installed, nothing else)."""
    drop_db(name)
    _pg(f'CREATE DATABASE "{name}" TEMPLATE "{BASE_DB}"')


def _odoo_cmd(args):
    odoo_src = os.environ["ODOO_SRC"]
    return [sys.executable, f"{odoo_src}/odoo-bin", "-c", str(ROOT / "odoo.conf"),
            f"--addons-path={odoo_src}/addons,{ROOT}/addons"] + args


def make_base_db(reuse=False):
    from scripts import odoo_db
    if reuse and odoo_db.exists(BASE_DB):
        return 0.0
    drop_db(BASE_DB)
    started = time.monotonic()
    # No demo data: scripts/lib.sh's demo_options for the series, from bench.sh.
    no_demo = os.environ.get("ODOO_NO_DEMO", "--without-demo=all").split()
    subprocess.run(_odoo_cmd(["-d", BASE_DB, "-i", "crm_xero", *no_demo,
                              "--stop-after-init", "--log-level=warn",
                              "--data-dir", str(ROOT / "var" / "data")]),
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return round(time.monotonic() - started, 1)


class Sandbox:
    """A sandbox process of the benchmark's own on a free 127.0.0.1 port,
    stopped by its pid; ``control`` drives /_sandbox/... from the parent."""

    def __init__(self, contacts, day_limit=1000000):
        self.port = free_port()
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xero_sandbox", "--host", "127.0.0.1", "--port", str(self.port),
             "--browser-port", "0", "--tls-dir", str(CA.parent),
             "--contacts", str(contacts), "--client-id", CLIENT_ID,
             "--client-secret", CLIENT_SECRET, "--day-limit", str(day_limit)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if "listening on" not in line:
            self.stop()
            raise RuntimeError(f"sandbox did not start: {line!r}")
        self.url = line.rsplit(" ", 1)[-1].strip()
        self.start_seconds = round(time.monotonic() - started, 1)

    def control(self, method, path, body=None):
        request = urllib.request.Request(
            f"{self.url}/_sandbox/{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120,
                                    context=ssl.create_default_context(cafile=CA)) as answer:
            data = answer.read()
        return json.loads(data) if data else None

    def latency(self, page_seconds):
        """A page of 1,000 contacts takes ``page_seconds``: a fifth per call,
        the rest per contact listed (0: off)."""
        return self.control("POST", "latency", {"per_call": page_seconds / 5,
                                                "per_item": page_seconds * 4 / 5 / 1000})

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def scenario(name, db, url, *extra):
    """Run one scenario in a child process; its JSON result."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "import_contacts.py"),
                          "--child", name, "--db", db, "--url", url, *map(str, extra)],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stderr[-4000:])
        raise RuntimeError(f"scenario {name} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def in_fresh_db(name, url, *extra, db=None):
    """``scenario`` on a fresh copy of the base database, dropped after."""
    db = db or f"{DB_PREFIX}_{name}"
    copy_db(db)
    try:
        return scenario(name, db, url, *extra)
    finally:
        drop_db(db)


# -- child: Odoo as a library ------------------------------------------------------------
def odoo_registry(db):
    sys.path.insert(0, os.environ["ODOO_SRC"])
    sys.path.insert(0, str(ROOT / "addons"))
    import odoo
    from odoo.tools import config
    config.parse_config(["-c", str(ROOT / "odoo.conf"),
                         f"--addons-path={os.environ['ODOO_SRC']}/addons,{ROOT}/addons",
                         "--log-level=warn", "--data-dir", str(ROOT / "var" / "data")])
    return odoo, odoo.modules.registry.Registry(db)


def set_endpoints(env, url):
    params = env["ir.config_parameter"].sudo()
    for key in ("login_url", "identity_url", "api_url", "go_url"):
        params.set_param(f"crm_xero.{key}", url)
    params.set_param("crm_xero.ca_file", str(CA))   # the sandbox's HTTPS certificate
    params.set_param("crm_xero.client_id", CLIENT_ID)
    params.set_param("crm_xero.client_secret", CLIENT_SECRET)
    params.set_param("web.base.url", "http://127.0.0.1:8069")


def connect(env, url, sandbox, company=None):
    """Settings pointed at the sandbox, then Setup -> Allow access -> callback."""
    set_endpoints(env, url)
    connection = env["xero.connection"]._xero_for_company(company or env.company).sudo(False)
    _location, query = sandbox.consent(connection.action_connect()["url"])
    connection._xero_oauth_callback(query["state"], query.get("code"))
    assert connection.state == "connected", connection.status_message
    env.cr.commit()
    return connection


def contact_calls(stats):
    """(contact list calls, every other API call) from the sandbox's stats."""
    ops = stats["by_operation"]
    listing = sum(n for op, n in ops.items() if "contacts" in op.lower() and "get" in op.lower()
                  and "{" not in op)
    return listing, stats["api_calls"] - listing


def peak_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def counts(env, connection=None):
    """(linked company accounts, links, duplicated Xero ids, partners)."""
    where = "connection_id = %s" % int(connection.id) if connection else "TRUE"
    env.cr.execute(f"""SELECT (SELECT count(*) FROM res_partner WHERE is_company AND id IN
                               (SELECT partner_id FROM xero_contact_link WHERE {where})),
                              (SELECT count(*) FROM xero_contact_link
                                WHERE contact_id IS NOT NULL AND {where}),
                              (SELECT count(*) - count(DISTINCT (connection_id, contact_id))
                                 FROM xero_contact_link WHERE contact_id IS NOT NULL AND {where}),
                              (SELECT count(*) FROM res_partner)""")
    return env.cr.fetchone()


def import_until_done(env, on_pass=None):
    """What the scheduled action does, pass after pass, until no run is left."""
    passes = 0
    while env["xero.import.run"].search_count([("state", "in", ("queued", "running"))]):
        env["xero.import.run"]._xero_cron_import()
        env.cr.commit()
        passes += 1
        if on_pass:
            on_pass(passes)
    return passes


def import_once(env, connection, preview=None, **options):
    """Import (wizard -> run -> scheduled action); with `preview` (the sandbox
    client), the wizard's preview first, as the UI does, measured apart."""
    wizard = env["xero.import.wizard"].create({"connection_id": connection.id, **options})
    if preview:
        started = time.monotonic()
        wizard.action_xero_preview()
        preview_seconds = time.monotonic() - started
        listing, other = contact_calls(preview.stats())
        preview.clear_calls()
        shown = {"seconds": round(preview_seconds, 2), "contact_list_calls": listing,
                 "other_api_calls": other, "would_create": wizard.preview_create,
                 "would_link": wizard.preview_link, "would_skip_archived": wizard.preview_archived}
    started = time.monotonic()
    wizard.action_xero_import()
    env.cr.commit()
    import_until_done(env)   # what the scheduled action runs, pass after pass
    seconds = time.monotonic() - started
    run = env["xero.import.run"].search([("connection_id", "=", connection.id)], limit=1)
    return (run, seconds, shown) if preview else (run, seconds)


def first_run_figures(env, connection, sandbox, run, seconds):
    listing, other = contact_calls(sandbox.stats())
    accounts, links, duplicates, _partners = counts(env, connection)
    env.cr.execute("""SELECT count(*) FROM res_partner WHERE parent_id IN
                      (SELECT partner_id FROM xero_contact_link WHERE connection_id = %s)""",
                   [connection.id])
    children = env.cr.fetchone()[0]
    return {"seconds": round(seconds, 2), "contact_list_calls": listing, "other_api_calls": other,
            "created_accounts": run.created, "skipped": run.skipped,
            "skip_reasons": run.skip_reasons, "child_contacts": children,
            "links": links, "duplicates": duplicates, "state": run.state}
