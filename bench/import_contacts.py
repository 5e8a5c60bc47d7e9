"""Benchmark: import Xero contacts into an empty CRM through the addon's real code.

    python bench/import_contacts.py [--contacts 10000] [--naive-contacts 10000]

Creates a fresh database with crm_xero (template `crm_xero_bench_base`, copied
once per scenario so each starts from an empty CRM), starts its own sandbox on a
free 127.0.0.1 port (stopped by its pid), and runs each scenario in a child
process (Odoo used as a library), so peak memory is that scenario's alone:

- import:   Import Xero Data as the UI does it: the wizard's preview (a dry run,
            timed and counted apart), then Import (queued run -> the scheduled
            action), pages of 1,000, a commit per page; then a re-run with
            nothing changed (preview and import again);
- faults:   the import (no preview) with a 429 on every 3rd call at the sandbox,
            pages of 150 so that it needs well over 60 calls: the pacer has to
            keep them under 60 in any minute;
- naive:    the baseline: pages of 100, one create per record, no matching index;
            its time spent waiting for the pacer (50 background calls a minute)
            is reported apart, and the ratio is given with and without it;
- gateway:  listing every contact at pageSize 1000.

Prints one JSON document; exit status 1 when a target is missed.
"""
import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_DB = "crm_xero_bench_base"
CLIENT_ID, CLIENT_SECRET = "sandbox-client-id", "sandbox-client-secret"
FAULTS_PAGE_SIZE = 150   # ~67 pages + ~33 429s = ~100 calls for 10,000: the 60-a-minute limit is tested


# -- parent: databases, sandbox, scenarios ---------------------------------------------
def _free_port():
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


def _copy_db(name):
    from scripts import odoo_db
    odoo_db.drop(name)
    _pg(f'CREATE DATABASE "{name}" TEMPLATE "{BASE_DB}"')


def _odoo_cmd(args):
    odoo_src = os.environ["ODOO_SRC"]
    return [sys.executable, f"{odoo_src}/odoo-bin", "-c", str(ROOT / "odoo.conf"),
            f"--addons-path={odoo_src}/addons,{ROOT}/addons"] + args


def _make_base_db():
    from scripts import odoo_db
    odoo_db.drop(BASE_DB)
    started = time.monotonic()
    subprocess.run(_odoo_cmd(["-d", BASE_DB, "-i", "crm_xero", "--without-demo=all",
                              "--stop-after-init", "--log-level=warn",
                              "--data-dir", str(ROOT / "var" / "data")]),
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return round(time.monotonic() - started, 1)


def _start_sandbox(contacts):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "xero_sandbox", "--host", "127.0.0.1", "--port", str(port),
         "--contacts", str(contacts), "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
         "--day-limit", "100000"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"sandbox did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1].strip()


def _scenario(name, db, url, extra=()):
    out = subprocess.run([sys.executable, __file__, "--child", name, "--db", db, "--url", url,
                          *extra], cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stderr[-4000:])
        raise RuntimeError(f"scenario {name} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(args):
    started = time.monotonic()
    report = {"contacts": args.contacts, "machine_cpus": os.cpu_count()}
    report["setup_seconds"] = {"install_crm_xero": _make_base_db()}
    sandbox, url = _start_sandbox(args.contacts)
    try:
        report["gateway_paging"] = _scenario("gateway", BASE_DB, url)
        for name, extra in (("import", ()), ("faults", ()),
                            ("naive", ("--limit", str(args.naive_contacts)))):
            db = f"crm_xero_bench_{name}"
            _copy_db(db)
            report[name] = _scenario(name, db, url, extra)
            from scripts import odoo_db
            odoo_db.drop(db)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    imp, naive = report["import"], report["naive"]
    # Both sides per created account; the import side includes its preview.
    per_contact_fast = imp["preview_and_import"]["seconds"] / max(imp["first_run"]["created_accounts"], 1)
    per_contact_naive = naive["seconds"] / max(naive["created_accounts"], 1)
    per_contact_naive_unpaced = naive["seconds_without_pacing_waits"] / max(naive["created_accounts"], 1)
    report["naive_vs_import_ratio"] = round(per_contact_naive / per_contact_fast, 1)
    report["naive_without_pacing_waits_vs_import_ratio"] = round(per_contact_naive_unpaced / per_contact_fast, 1)
    report["targets"] = {
        "contact_list_calls_le_11": imp["first_run"]["contact_list_calls"] <= 11,
        "preview_contact_list_calls_le_11": imp["preview"]["contact_list_calls"] <= 11,
        "other_calls_fixed_handful": imp["preview_and_import"]["other_api_calls"] <= 5,
        "wall_lt_30s": imp["preview_and_import"]["seconds"] < 30,
        "peak_memory_lt_500mb": imp["peak_rss_mb"] < 500,
        "rerun_1_to_2_calls": 1 <= imp["rerun"]["api_calls"] <= 2,
        "rerun_no_writes": imp["rerun"]["rows_written"] == 0,
        "faults_no_duplicates": report["faults"]["duplicates"] == 0
                                and report["faults"]["created_accounts"] == imp["first_run"]["created_accounts"],
        "faults_over_60_calls": report["faults"]["api_calls"] > 60,
        "faults_max_60_a_minute": report["faults"]["max_calls_in_any_minute"] <= 60,
    }
    report["total_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, indent=2))
    return 0 if all(report["targets"].values()) else 1


# -- child: one scenario inside Odoo ---------------------------------------------------
def _odoo_env(db):
    sys.path.insert(0, os.environ["ODOO_SRC"])
    import odoo
    from odoo.tools import config
    config.parse_config(["-c", str(ROOT / "odoo.conf"),
                         f"--addons-path={os.environ['ODOO_SRC']}/addons,{ROOT}/addons",
                         "--log-level=warn", "--data-dir", str(ROOT / "var" / "data")])
    registry = odoo.modules.registry.Registry(db)
    return odoo, registry


def _connect(env, url, sandbox):
    """Settings pointed at the sandbox, then Setup -> Allow access -> callback."""
    params = env["ir.config_parameter"].sudo()
    for key in ("login_url", "identity_url", "api_url", "go_url"):
        params.set_param(f"crm_xero.{key}", url)
    params.set_param("crm_xero.client_id", CLIENT_ID)
    params.set_param("crm_xero.client_secret", CLIENT_SECRET)
    params.set_param("web.base.url", "http://127.0.0.1:8069")
    connection = env["xero.connection"]._xero_for_company(env.company).sudo(False)
    location, query = sandbox.consent(connection.action_connect()["url"])
    connection._xero_oauth_callback(query["state"], query.get("code"))
    assert connection.state == "connected", connection.status_message
    env.cr.commit()
    return connection


def _contact_calls(stats):
    ops = stats["by_operation"]
    listing = sum(n for op, n in ops.items() if "contacts" in op.lower() and "get" in op.lower()
                  and "{" not in op)
    return listing, stats["api_calls"] - listing


def _peak_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _counts(env):
    env.cr.execute("""SELECT (SELECT count(*) FROM res_partner WHERE is_company AND id IN
                              (SELECT partner_id FROM xero_contact_link)),
                             (SELECT count(*) FROM xero_contact_link WHERE contact_id IS NOT NULL),
                             (SELECT count(*) - count(DISTINCT contact_id) FROM xero_contact_link
                               WHERE contact_id IS NOT NULL),
                             (SELECT count(*) FROM res_partner)""")
    return env.cr.fetchone()


def child(args):
    process_started = time.monotonic()
    sys.path.insert(0, str(ROOT / "addons"))
    odoo, registry = _odoo_env(args.db)
    from odoo.addons.crm_xero.tests.common import SandboxClient
    from odoo.addons.crm_xero.xero.pacing import DEFAULT_PACER
    sandbox = SandboxClient(args.url)
    sandbox.clear_faults()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        connection = _connect(env, args.url, sandbox)
        DEFAULT_PACER.reset()
        sandbox.clear_calls()
        result = globals()[f"_child_{args.child}"](env, connection, sandbox, args)
    result["peak_rss_mb"] = _peak_mb()
    # the whole child: Odoo's registry loaded, Setup -> Allow access, the scenario
    result["process_wall_seconds"] = round(time.monotonic() - process_started, 2)
    print(json.dumps(result))


def _import_once(env, connection, preview=None, **options):
    """Import (wizard -> run -> scheduled action); with `preview` (the sandbox
    client), the wizard's preview first, as the UI does, measured apart."""
    wizard = env["xero.import.wizard"].create({"connection_id": connection.id, **options})
    if preview:
        started = time.monotonic()
        wizard.action_xero_preview()
        preview_seconds = time.monotonic() - started
        listing, other = _contact_calls(preview.stats())
        preview.clear_calls()
        shown = {"seconds": round(preview_seconds, 2), "contact_list_calls": listing,
                 "other_api_calls": other, "would_create": wizard.preview_create,
                 "would_link": wizard.preview_link, "would_skip_archived": wizard.preview_archived}
    started = time.monotonic()
    wizard.action_xero_import()
    env.cr.commit()
    while env["xero.import.run"].search_count([("state", "in", ("queued", "running"))]):
        env["xero.import.run"]._xero_cron_import()   # what the scheduled action runs
        env.cr.commit()
    seconds = time.monotonic() - started
    run = connection._xero_last_import_run()
    return (run, seconds, shown) if preview else (run, seconds)


def _child_import(env, connection, sandbox, args):
    run, seconds, preview = _import_once(env, connection, preview=sandbox)
    stats = sandbox.stats()
    listing, other = _contact_calls(stats)
    accounts, links, duplicates, partners = _counts(env)
    first = {"seconds": round(seconds, 2), "contact_list_calls": listing, "other_api_calls": other,
             "created_accounts": run.created, "skipped": run.skipped,
             "skip_reasons": run.skip_reasons, "child_contacts": partners - accounts,
             "links": links, "duplicates": duplicates, "state": run.state}
    total = {"seconds": round(preview["seconds"] + seconds, 2),
             "contact_list_calls": preview["contact_list_calls"] + listing,
             "other_api_calls": preview["other_api_calls"] + other}
    sandbox.clear_calls()
    env.cr.execute("SELECT coalesce(max(write_date), now()) FROM res_partner")
    before = env.cr.fetchone()[0]
    env.cr.execute("SELECT coalesce(max(write_date), now()) FROM xero_contact_link")
    before_links = env.cr.fetchone()[0]
    rerun, rerun_seconds, rerun_preview = _import_once(env, connection, preview=sandbox)
    env.cr.execute("SELECT count(*) FROM res_partner WHERE write_date > %s", [before])
    written = env.cr.fetchone()[0]
    env.cr.execute("SELECT count(*) FROM xero_contact_link WHERE write_date > %s", [before_links])
    written += env.cr.fetchone()[0]
    stats = sandbox.stats()
    return {"preview": preview, "first_run": first, "preview_and_import": total,
            "rerun": {"seconds": round(rerun_seconds, 2),
                      "preview_seconds": rerun_preview["seconds"],
                      "api_calls": stats["api_calls"] + rerun_preview["contact_list_calls"]
                      + rerun_preview["other_api_calls"],
                      "contacts_read": rerun.processed, "rows_written": written,
                      "if_modified_since": str(rerun.modified_since)}}


def _child_faults(env, connection, sandbox, args):
    sandbox.set_faults(rate_limit_every=3, retry_after=1)
    run, seconds = _import_once(env, connection, page_size=FAULTS_PAGE_SIZE)
    stats = sandbox.stats()
    sandbox.clear_faults()
    listing, other = _contact_calls(stats)
    accounts, links, duplicates, _partners = _counts(env)
    return {"seconds": round(seconds, 2), "api_calls": stats["api_calls"],
            "rate_limited": stats["rate_limited"], "contact_list_calls": listing,
            "max_calls_in_any_minute": stats["max_calls_in_any_minute"],
            "page_size": FAULTS_PAGE_SIZE,
            "created_accounts": run.created, "links": links, "duplicates": duplicates,
            "state": run.state}


def _child_naive(env, connection, sandbox, args):
    """The baseline most integrations ship: default-ish pages of 100, one search and
    one create per record (account, people, link), same gateway and pacing."""
    from odoo.addons.crm_xero.xero import mapping
    from odoo.addons.crm_xero.xero.pacing import DEFAULT_PACER
    waited = [0.0]
    acquire = DEFAULT_PACER.acquire

    def timed_acquire(*a, **kw):   # time spent waiting for the pacer (50 a minute)
        begin = time.monotonic()
        try:
            return acquire(*a, **kw)
        finally:
            waited[0] += time.monotonic() - begin
    DEFAULT_PACER.acquire = timed_acquire
    Partner, Link = env["res.partner"], env["xero.contact.link"]
    started, created, page = time.monotonic(), 0, 1
    while created < args.limit:
        answer = connection._xero_call(lambda gw: gw.get_contacts(page=page, page_size=100),
                                       priority="background")
        for contact in answer["Contacts"]:
            if created >= args.limit:
                break
            if Link.search_count([("contact_id", "=", contact["ContactID"])]):
                continue
            values = mapping.contact_to_partner_values(contact)
            values = {k: v for k, v in values.items() if k not in ("state", "country")}
            partner = Partner.create({**values, "is_company": True})
            for person in contact.get("ContactPersons") or []:
                Partner.create({**mapping.contact_person_values(person), "parent_id": partner.id})
            Link.create({**Link._xero_link_values(contact), "connection_id": connection.id,
                         "partner_id": partner.id, "synced_values": contact})
            created += 1
        env.cr.commit()
        if page >= (answer.get("pagination") or {}).get("pageCount", 0):
            break
        page += 1
    stats = sandbox.stats()
    seconds = time.monotonic() - started
    return {"seconds": round(seconds, 2), "pacing_wait_seconds": round(waited[0], 2),
            "seconds_without_pacing_waits": round(seconds - waited[0], 2),
            "api_calls": stats["api_calls"], "created_accounts": created}


def _child_gateway(env, connection, sandbox, args):
    started, page, count = time.monotonic(), 1, 0
    gateway = connection._xero_gateway("background")
    while True:
        answer = gateway.get_contacts(page=page, page_size=1000, include_archived=True)
        count += len(answer["Contacts"])
        if page >= answer["pagination"]["pageCount"]:
            break
        page += 1
    return {"contacts": count, "page_size": 1000, "calls": sandbox.stats()["api_calls"],
            "seconds": round(time.monotonic() - started, 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10000)
    parser.add_argument("--naive-contacts", type=int, default=10000)
    parser.add_argument("--child")
    parser.add_argument("--db")
    parser.add_argument("--url")
    parser.add_argument("--limit", type=int, default=10000)
    parsed = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if parsed.child:
        child(parsed)
    else:
        sys.exit(main(parsed))
