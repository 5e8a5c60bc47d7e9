"""Benchmark scenarios about speed: the ORM's floor, the import against a
Xero as slow as the real one (read-then-write beside read-ahead), and the
import of a large organisation.  Each runs in a child process of
bench/import_contacts.py (see its docstring); ``env`` is a superuser
environment on a fresh database whose company is connected to the sandbox.
"""
import collections
import os
import threading
import time
from types import SimpleNamespace

import bench_lib as lib

PAGE = 1000


def _rss_mb():
    """Resident memory now (ru_maxrss only tells the peak)."""
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


# -- the floor ----------------------------------------------------------------------------
def child_floor(env, connection, sandbox, args):
    """Odoo's own batch ``create`` of exactly the records the import makes
    (accounts, their people and invoice addresses as child contacts, the links), with the
    import's context flags, a commit per page of 1,000 as the import does,
    and no Xero: the contacts are read and the values made before the clock
    starts.  The import cannot beat this; how close it comes is the point."""
    from odoo import fields
    from odoo.addons.crm_xero.models.xero_import_engine import PAGE_ORDER, QUIET
    from odoo.addons.crm_xero.xero import contacts as xero_contacts
    company = connection.company_id
    run = env["xero.import.run"].new({"connection_id": connection.id, "archived_mode": "skip"})
    gateway, pages, page = connection._xero_gateway("background"), [], 1
    while True:
        answer = gateway.get_contacts(page=page, page_size=PAGE, include_archived=True,
                                      order=PAGE_ORDER)
        # what the import creates from this page of an empty CRM, valued as it does
        creates = [c for action, c, *_ in run._xero_plan(answer["Contacts"]) if action == "create"]
        accounts = [{**run._xero_partner_values(c), "company_id": company.id,
                     "is_company": not xero_contacts.is_individual(c),
                     "active": c.get("ContactStatus") != "ARCHIVED"} for c in creates]
        # its people, then its invoice address (Xero's postal address)
        people = [run._xero_person_values(made, vals, c, [])
                  + run._xero_invoice_address_values(made, c)
                  for vals, c in zip(accounts, creates)
                  for made in [SimpleNamespace(id=None, company_id=company, vat=vals["vat"],
                                               active=vals["active"])]]
        links = [{**env["xero.contact.link"]._xero_link_values(c),
                  "connection_id": connection.id, "synced_values": c,
                  "odoo_values": xero_contacts.contact_to_snapshot(c)} for c in creates]
        pages.append((accounts, people, links))
        if page >= (answer["pagination"] or {}).get("pageCount", 0):
            break
        page += 1
    Partner = env["res.partner"].sudo().with_context(**QUIET)
    Link = env["xero.contact.link"].sudo()
    made = collections.Counter()
    started = time.monotonic()
    for accounts, people, links in pages:
        partners = Partner.create(accounts)
        children = [{**child, "parent_id": partner.id}
                    for partner, group in zip(partners, people) for child in group]
        if children:
            Partner.create(children)
        now = fields.Datetime.now()
        Link.create([{**link, "partner_id": partner.id, "synced_at": now}
                     for partner, link in zip(partners, links)])
        env.cr.commit()
        env.invalidate_all()
        made.update(accounts=len(partners), child_contacts=len(children), links=len(links))
    seconds = time.monotonic() - started
    return {"orm_create_seconds": round(seconds, 2), "pages": len(pages), **made,
            "context": sorted(QUIET)}


# -- a Xero as slow as the real one -------------------------------------------------------
def _watch_in_flight():
    """The most Xero calls in flight at once for one organisation, as the
    pacer (which every call goes through) sees them."""
    from odoo.addons.crm_xero.xero.pacing import DEFAULT_PACER
    state, lock = {"now": collections.Counter(), "max": 0}, threading.Lock()
    acquire, release = DEFAULT_PACER.acquire, DEFAULT_PACER.release

    def counted_acquire(tenant_id, *args, **kwargs):
        acquire(tenant_id, *args, **kwargs)
        with lock:
            state["now"][tenant_id] += 1
            state["max"] = max(state["max"], state["now"][tenant_id])

    def counted_release(tenant_id, *args, **kwargs):
        with lock:
            state["now"][tenant_id] -= 1
        return release(tenant_id, *args, **kwargs)
    DEFAULT_PACER.acquire, DEFAULT_PACER.release = counted_acquire, counted_release
    return state


def _latency_figures(env, connection, sandbox, run, seconds, in_flight):
    figures = lib.first_run_figures(env, connection, sandbox, run, seconds)
    figures["max_calls_in_flight_per_org"] = in_flight["max"]
    return figures


def child_latency_serial(env, connection, sandbox, args):
    """Today's way: read a page, write it, then read the next (one run,
    pass step after pass step, no reads ahead); the time spent reading
    (in ``_xero_fetch_page``: token, call, answer) and writing (the rest)
    is measured apart in this same run."""
    Run = env["xero.import.run"]
    in_flight = _watch_in_flight()
    reading = [0.0]
    cls, fetch = type(Run), type(Run)._xero_fetch_page

    def timed_fetch(self, page):
        begin = time.monotonic()
        try:
            return fetch(self, page)
        finally:
            reading[0] += time.monotonic() - begin
    cls._xero_fetch_page = timed_fetch
    wizard = env["xero.import.wizard"].create({"connection_id": connection.id})
    wizard.action_xero_import()
    env.cr.commit()
    run = Run.search([("connection_id", "=", connection.id)], limit=1)
    started = time.monotonic()
    while run.state not in ("done", "failed"):
        run._xero_import_pass_step()
    seconds = time.monotonic() - started
    figures = _latency_figures(env, connection, sandbox, run, seconds, in_flight)
    figures.update(read_seconds=round(reading[0], 2), write_seconds=round(seconds - reading[0], 2))
    return figures


def _time_reads():
    """Seconds spent in Xero's contact reads, summed over every thread that
    made one (the read-ahead workers and the writing thread alike)."""
    from odoo.addons.crm_xero.xero.gateway import XeroGateway
    total, lock = [0.0], threading.Lock()
    get_contacts = XeroGateway.get_contacts

    def timed(self, *args, **kwargs):
        begin = time.monotonic()
        try:
            return get_contacts(self, *args, **kwargs)
        finally:
            with lock:
                total[0] += time.monotonic() - begin
    XeroGateway.get_contacts = timed
    return total


def child_latency_overlapped(env, connection, sandbox, args):
    """The import as the scheduled action runs it: page N+1 is read while
    page N is written.  Reading and writing are measured apart in this same
    run: ``read_seconds`` is the time Xero's reads took (on whichever
    thread), ``waited_for_xero_seconds`` the time the writing thread spent
    waiting for a page that was not there yet (or reading one itself), and
    ``write_seconds`` the rest: the writing."""
    from odoo.addons.crm_xero.xero.gateway import ReadAhead
    in_flight = _watch_in_flight()
    reading = _time_reads()
    waited = [0.0]
    Run = env["xero.import.run"]
    cls = type(Run)

    def timed(method):
        def wait(self, *a, **kw):
            begin = time.monotonic()
            try:
                return method(self, *a, **kw)
            finally:
                waited[0] += time.monotonic() - begin
        return wait
    ReadAhead.take = timed(ReadAhead.take)
    cls._xero_fetch_page = timed(cls._xero_fetch_page)
    cls._xero_fetch_again = timed(cls._xero_fetch_again)
    run, seconds = lib.import_once(env, connection)
    figures = _latency_figures(env, connection, sandbox, run, seconds, in_flight)
    figures.update(waited_for_xero_seconds=round(waited[0], 2),
                   read_seconds=round(reading[0], 2),
                   write_seconds=round(seconds - waited[0], 2))
    return figures


# -- a large organisation -------------------------------------------------------------------
def child_large(env, connection, sandbox, args):
    """Import (no preview) as the scheduled action runs it, with each page's
    time and the memory in use as it goes."""
    Run = env["xero.import.run"]
    in_flight = _watch_in_flight()
    steps = []
    cls, step = type(Run), type(Run)._xero_import_pass_step

    def timed_step(self, *a, **kw):
        begin = time.monotonic()
        try:
            return step(self, *a, **kw)
        finally:
            steps.append((time.monotonic() - begin, _rss_mb()))
    cls._xero_import_pass_step = timed_step
    run, seconds = lib.import_once(env, connection)
    figures = _latency_figures(env, connection, sandbox, run, seconds, in_flight)
    tenth = max(len(steps) // 10, 1)
    figures.update({
        "pages": len(steps),
        "first_tenth_seconds_per_page": round(sum(s for s, _m in steps[:tenth]) / tenth, 2),
        "last_tenth_seconds_per_page": round(sum(s for s, _m in steps[-tenth:]) / tenth, 2),
        "rss_mb_after_first_tenth": steps[tenth - 1][1] if steps else None,
        "rss_mb_at_end": steps[-1][1] if steps else None,
    })
    return figures
