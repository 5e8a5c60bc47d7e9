"""Benchmark scenario: many companies, each connected to its own Xero
organisation (the sandbox's "Bench Org N", 1,000 contacts each), all
importing through the same scheduled passes.

Measured: whether every company moved on in the first pass (a pass shorter
than the whole work, so one company running to the end before the next
would show), how long each waited for its first page, the busiest minute
per organisation and for the whole app (Xero: 60 and 10,000), calls in
flight per organisation, 429s, and duplicates.
"""
import time
from datetime import datetime, timedelta

import bench_lib as lib
import speed

PAGE_SIZE = 100          # 10 pages per organisation: turns are visible
FIRST_PASS_SECONDS = 15  # well under the whole work (about 20,000 accounts)
APP_MINUTE_LIMIT = 10000


def _connect_companies(env, sandbox, tenants):
    """A company per organisation, connected with a token of its own (the
    consent page played as in XeroCommittedCase)."""
    orgs = {o["tenant_id"]: o for o in sandbox.orgs()}
    connections = env["xero.connection"]
    for number, tenant in enumerate(tenants, 1):
        org = orgs[tenant]
        company = env["res.company"].create({"name": f"Bench Company {number}"})
        token = sandbox.connect(tenant_ids=[tenant])
        connections |= env["xero.connection"].sudo().create({
            "company_id": company.id, "state": "connected", "tenant_id": tenant,
            "tenant_name": org["name"], "short_code": org["short_code"],
            "base_currency": org["base_currency"], "access_token": token["access_token"],
            "refresh_token": token["refresh_token"],
            "token_expires_at": datetime.utcnow() + timedelta(minutes=25),
            "connected_at": datetime.utcnow()})
    env.cr.commit()
    return connections


def child_orgs(env, connection, sandbox, args):
    from odoo.addons.crm_xero.xero.pacing import DEFAULT_PACER
    tenants = [t for t in args.tenants.split(",") if t]
    connections = _connect_companies(env, sandbox, tenants)
    Run = env["xero.import.run"]
    runs = Run.browse([Run._xero_queue(c, full=True, page_size=PAGE_SIZE).id for c in connections])
    env.cr.commit()
    in_flight = speed._watch_in_flight()
    first_page = {}
    cls, step = type(Run), type(Run)._xero_import_pass_step
    started = time.monotonic()

    def noted_step(self, *a, **kw):
        more = step(self, *a, **kw)
        first_page.setdefault(self.id, time.monotonic() - started)
        return more
    cls._xero_import_pass_step = noted_step
    DEFAULT_PACER.reset()
    sandbox.clear_calls()
    Run._xero_cron_import(seconds=FIRST_PASS_SECONDS)
    env.cr.commit()
    first_pass_seconds = time.monotonic() - started
    env.invalidate_all()
    after_first = {run.id: run.processed for run in runs}
    passes = 1 + lib.import_until_done(env)
    seconds = time.monotonic() - started
    env.invalidate_all()
    stats = sandbox.stats()
    created = duplicates = 0
    for conn in connections:
        _accounts, _links, dup, _partners = lib.counts(env, conn)
        duplicates += dup
    created = sum(runs.mapped("created"))
    return {
        "companies": len(connections), "contacts_per_org": 1000, "page_size": PAGE_SIZE,
        "seconds": round(seconds, 2), "passes": passes,
        "first_pass_seconds": round(first_pass_seconds, 2),
        "first_pass_limit_seconds": FIRST_PASS_SECONDS,
        "progressed_in_first_pass": sum(1 for n in after_first.values() if n > 0),
        "all_progressed_in_first_pass": all(n > 0 for n in after_first.values()),
        "max_seconds_to_first_page": round(max(first_page.values()), 2) if first_page else None,
        "runs_done": sum(1 for state in runs.mapped("state") if state == "done"),
        "created_accounts": created, "skipped": sum(runs.mapped("skipped")),
        "duplicates": duplicates, "api_calls": stats["api_calls"],
        "rate_limited": stats["rate_limited"],
        "max_calls_per_org_minute": stats["max_calls_in_any_minute"],
        "max_app_calls_per_minute": stats["max_app_calls_in_any_minute"],
        "app_minute_limit": APP_MINUTE_LIMIT,
        "max_calls_in_flight_per_org": in_flight["max"],
    }
