"""Benchmark: import Xero contacts into an empty CRM through the addon's real code.

    python bench/import_contacts.py [--contacts 10000] [--naive-contacts 2000]
                                    [--latency 1.5] [--orgs 20] [--large 100000]

Creates a database with crm_xero (template `crm_xero_bench_base`, copied once
per scenario so each starts from an empty CRM), starts its own sandbox on a
free 127.0.0.1 port (stopped by its pid), and runs each scenario in a child
process (Odoo used as a library), so peak memory is that scenario's alone:

- gateway:  listing every contact at pageSize 1000;
- import:   Import Xero Data as the UI does it: the wizard's preview (a dry run,
            timed and counted apart), then Import (queued run -> the scheduled
            action), pages of 1,000, a commit per page; then a re-run with
            nothing changed (preview and import again);
- floor:    Odoo's own batch create of exactly the records the import made
            (accounts, child contacts, links), same context flags, a commit per
            page, no Xero: the ORM's floor (bench/speed.py);
- faults:   the import (no preview) with a 429 on every 3rd call at the sandbox,
            pages of 150 so that it needs well over 60 calls: the pacer has to
            keep them under 60 in any minute;
- naive:    the baseline: pages of 100, one create per record, no matching index;
            its time spent waiting for the pacer is reported apart;
- latency:  the sandbox answers a page of 1,000 in --latency seconds, as real
            Xero does: today's read-then-write (reading and writing timed
            apart) beside the import that reads page N+1 while writing page N;
- views:    the partner list and kanban with the Xero columns for 80 and 800
            accounts, and a linked account's form: SQL queries and Xero calls
            (bench/views.py);
- orgs:     --orgs companies, each with its own organisation of 1,000 contacts,
            all importing in the same scheduled passes (bench/orgs.py).

- day:      a simulated day of every scheduled action at N = 10,000 and
            100,000 linked accounts (--day-sizes), 1 % of contacts and invoices
            changing: calls and MB downloaded per job, and whether a click
            still gets through once background work ran the day down
            (bench/day.py).

With --large N (`make bench-large`) only the import of 10,000 and of N
contacts run, side by side: time, memory and calls as the size grows.
With --only day, only the simulated days; with --only import, only the
import and the ORM's floor (to compare two trees on one machine).

Prints one JSON document (saved by scripts/bench.sh); exit status 1 when a
target is missed.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_checks  # noqa: E402
import bench_lib as lib  # noqa: E402

# ~67 pages + ~33 429s = ~100 calls for 10,000: the 60-a-minute limit is tested
FAULTS_PAGE_SIZE = 150


# -- parent ------------------------------------------------------------------------------
def main(args):
    started = time.monotonic()
    report = {"contacts": args.contacts, "machine_cpus": os.cpu_count()}
    report["setup_seconds"] = {"install_crm_xero": lib.make_base_db(reuse=args.reuse_base)}
    if args.large:
        return _main_large(args, report, started)
    if args.only == "day":
        report["day"] = _main_day(args)
        report["targets"] = {} if args.once else bench_checks.day_targets(report["day"])
        report["total_seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps(report, indent=2))
        return 0 if all(report["targets"].values()) else 1
    sandbox = lib.Sandbox(args.contacts)
    if args.only == "import":   # the import against the ORM's floor, and nothing else
        try:
            report["import"] = lib.in_fresh_db("import", sandbox.url)
            report["floor"] = lib.in_fresh_db("floor", sandbox.url)
        finally:
            sandbox.stop()
        report["total_seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps(report, indent=2))
        return 0
    try:
        url = sandbox.url
        report["gateway_paging"] = lib.in_fresh_db("gateway", url)
        report["import"] = lib.in_fresh_db("import", url)
        report["floor"] = lib.in_fresh_db("floor", url)
        report["faults"] = lib.in_fresh_db("faults", url)
        report["naive"] = lib.in_fresh_db("naive", url, "--limit", args.naive_contacts)
        sandbox.latency(args.latency)
        try:
            report["latency"] = {
                "page_seconds": args.latency,
                "serial": lib.in_fresh_db("latency_serial", url),
                "overlapped": lib.in_fresh_db("latency_overlapped", url)}
        finally:
            sandbox.latency(0)
        report["views"] = lib.in_fresh_db("views", url)
        orgs = sandbox.control("POST", "orgs", {"count": args.orgs, "contacts": 1000,
                                                "name_prefix": "Bench Org"})["orgs"]
        sandbox.latency(args.latency)
        try:
            report["orgs"] = lib.in_fresh_db("orgs", url, "--tenants",
                                             ",".join(o["tenant_id"] for o in orgs))
        finally:
            sandbox.latency(0)
    finally:
        sandbox.stop()
    report["day"] = _main_day(args)
    bench_checks.summarise(report)
    report["targets"] = {**bench_checks.targets(report), **bench_checks.day_targets(report["day"])}
    report["total_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, indent=2))
    return 0 if all(report["targets"].values()) else 1


def _main_day(args):
    """A simulated day at each size, each with its own sandbox organisation of
    that many contacts; reserve_kept measured on the smallest."""
    sizes = [int(size) for size in args.day_sizes.split(",") if size]
    figures = {}
    for size in sizes:
        sandbox = lib.Sandbox(size)
        try:
            extra = ["--size", size] + (["--reserve", "1"] if size == sizes[0] else []) \
                + (["--once", "1"] if args.once else [])
            figures[size] = lib.in_fresh_db("day", sandbox.url, *extra)
            figures[size]["sandbox_start_seconds"] = sandbox.start_seconds
        finally:
            sandbox.stop()
    return bench_checks.day_summary(figures, sizes)


def _main_large(args, report, started):
    """`make bench-large`: 10,000 contacts, then --large, from fresh databases."""
    sizes = {}
    for contacts in (args.contacts, args.large):
        sandbox = lib.Sandbox(contacts)
        try:
            result = lib.in_fresh_db("large", sandbox.url)
            result["sandbox_start_seconds"] = sandbox.start_seconds
            sizes[contacts] = result
        finally:
            sandbox.stop()
    small, large = sizes[args.contacts], sizes[args.large]
    report["import"] = {"first_run": small}
    report["large"] = {**large, "contacts": args.large,
                       "ratio_to_%s" % args.contacts: round(
                           large["seconds"] / max(small["seconds"], 0.01), 2)}
    report["targets"] = bench_checks.large_targets(report, args.contacts, args.large)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, indent=2))
    return 0 if all(report["targets"].values()) else 1


# -- child: one scenario inside Odoo ---------------------------------------------------
def child(args):
    process_started = time.monotonic()
    odoo, registry = lib.odoo_registry(args.db)
    import day
    import orgs
    import speed
    import views

    from odoo.addons.crm_xero.tests.common import SandboxClient
    from odoo.addons.crm_xero.xero.pacing import DEFAULT_PACER
    scenarios = {"gateway": _child_gateway, "import": _child_import, "faults": _child_faults,
                 "naive": _child_naive, "floor": speed.child_floor,
                 "latency_serial": speed.child_latency_serial,
                 "latency_overlapped": speed.child_latency_overlapped,
                 "large": speed.child_large, "views": views.child_views, "orgs": orgs.child_orgs,
                 "day": day.child_day}
    sandbox = SandboxClient(args.url)
    sandbox.clear_faults()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        connection = lib.connect(env, args.url, sandbox)
        DEFAULT_PACER.reset()
        sandbox.clear_calls()
        result = scenarios[args.child](env, connection, sandbox, args)
    result["peak_rss_mb"] = lib.peak_mb()
    # the whole child: Odoo's registry loaded, Setup -> Allow access, the scenario
    result["process_wall_seconds"] = round(time.monotonic() - process_started, 2)
    print(json.dumps(result))


def _child_import(env, connection, sandbox, args):
    run, seconds, preview = lib.import_once(env, connection, preview=sandbox)
    first = lib.first_run_figures(env, connection, sandbox, run, seconds)
    total = {"seconds": round(preview["seconds"] + seconds, 2),
             "contact_list_calls": preview["contact_list_calls"] + first["contact_list_calls"],
             "other_api_calls": preview["other_api_calls"] + first["other_api_calls"]}
    sandbox.clear_calls()
    env.cr.execute("SELECT coalesce(max(write_date), now()) FROM res_partner")
    before = env.cr.fetchone()[0]
    env.cr.execute("SELECT coalesce(max(write_date), now()) FROM xero_contact_link")
    before_links = env.cr.fetchone()[0]
    rerun, rerun_seconds, rerun_preview = lib.import_once(env, connection, preview=sandbox)
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
    run, seconds = lib.import_once(env, connection, page_size=FAULTS_PAGE_SIZE)
    stats = sandbox.stats()
    sandbox.clear_faults()
    listing, _other = lib.contact_calls(stats)
    _accounts, links, duplicates, _partners = lib.counts(env, connection)
    return {"seconds": round(seconds, 2), "api_calls": stats["api_calls"],
            "rate_limited": stats["rate_limited"], "contact_list_calls": listing,
            "max_calls_in_any_minute": stats["max_calls_in_any_minute"],
            "page_size": FAULTS_PAGE_SIZE,
            "created_accounts": run.created, "links": links, "duplicates": duplicates,
            "state": run.state}


def _child_naive(env, connection, sandbox, args):
    """The baseline most integrations ship: default-ish pages of 100, one search and
    one create per record (account, people, link), same gateway and pacing."""
    from odoo.addons.crm_xero.xero import contacts as mapping
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
            for person in mapping.contact_people(contact):
                Partner.create({**person, "parent_id": partner.id})
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
    parser.add_argument("--naive-contacts", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=1.5,
                        help="seconds the sandbox takes to answer a page of 1,000 contacts")
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--large", type=int, default=0)
    parser.add_argument("--reuse-base", action="store_true",
                        help="keep an existing base database (only Python changed since)")
    parser.add_argument("--child")
    parser.add_argument("--db")
    parser.add_argument("--url")
    parser.add_argument("--limit", type=int, default=10000)
    parser.add_argument("--tenants", default="")
    parser.add_argument("--only", choices=["day", "import"],
                        help="only the simulated days, or only the import and its floor")
    parser.add_argument("--day-sizes", default="10000,100000",
                        help="linked accounts of the simulated days")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--reserve", type=int, default=0)
    parser.add_argument("--once", type=int, default=0,
                        help="with --only day: each scheduled action once, not a day")
    parsed = parser.parse_args()
    if parsed.child:
        child(parsed)
    else:
        sys.exit(main(parsed))
