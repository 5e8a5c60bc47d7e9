"""Benchmark scenario: a simulated day of crm_xero's scheduled actions.

N company accounts linked to the N contacts of a sandbox organisation
(about 2.7 sales invoices each), 2 % of them with an open opportunity
invoice, are written with bulk SQL, as after an import and a pass of the
figures job (the import is not what is measured here, and 100,000 accounts
imported would take longer than the day); every job then runs once, not
counted, but the weekly ones, whose run of the day is counted.
Every scheduled action of crm_xero then runs, as Odoo's cron workers run
them, through 24 simulated hours at its default interval (the interval of
its ir.cron record; a daily or weekly job once, on the day it falls due,
i.e. the worst day), and whenever one wakes another (``_trigger``), while
the sandbox plays the accountant: every hour 1/24 of 1 % of the contacts
edited and of 1 % of the invoices changed (a third new, the others
approved or paid), and four times a day salespeople add accounts (0.1 % of
N a day; half of them customers the accountant adds in Xero too).

The sandbox's clock and Odoo's (``fields.Datetime.now``) move on 5 minutes
a tick, so If-Modified-Since, "a day old" and webhook silence see a day go
by; pacing is lifted (Odoo's pacer and the sandbox's minute limit), since
calls and bytes are counted, not time.  Calls and bytes (as the sandbox
sent them: gzipped when asked) are counted at the sandbox, per scheduled
action.  Then ``reserve_kept``: the organisation has 1,040 calls left of a
day of 5,000; background work is run until it stops using calls, then a
salesperson clicks Refresh on an account: does the click still get through?
"""
import datetime
import math
import time

HOURS = 24
TICK = datetime.timedelta(minutes=5)
CHANGE_SHARE = 0.01            # of contacts and of invoices, a day
OPEN_INVOICE_SHARE = 0.02      # linked accounts with an open opportunity invoice
NEW_ACCOUNT_SHARE = 0.001      # accounts salespeople add in a day
NEW_ACCOUNT_HOURS = (9, 12, 15, 18)
RESERVE_DAY_LIMIT = 5000
RESERVE_LEFT = 1040            # 20 % of 5,000 kept for people, and 40 more
RESERVE_ROUNDS = 12
MINUTES = {"minutes": 1, "hours": 60, "days": 1440, "weeks": 10080, "months": 43200}


class SimClock:
    """Odoo's clock (fields.Datetime.now, fields.Date.today) and the
    sandbox's, moved on together."""

    def __init__(self, sandbox):
        from odoo import fields
        self.sandbox, self.offset = sandbox, datetime.timedelta(0)
        real_now = fields.Datetime.now
        fields.Datetime.now = staticmethod(lambda *a: real_now() + self.offset)
        fields.Date.today = staticmethod(lambda *a: (real_now() + self.offset).date())
        self._real = real_now

    def now(self):
        return self._real() + self.offset

    def advance(self, delta):
        self.offset += delta
        self.sandbox._call("POST", "clock", json={"advance_seconds": delta.total_seconds()})


def _crons(env):
    data = env["ir.model.data"].search([("module", "=", "crm_xero"), ("model", "=", "ir.cron")])
    crons = env["ir.cron"].browse(data.mapped("res_id")).exists().filtered("active")
    return {cron.id: {"name": data.filtered(lambda d, c=cron: d.res_id == c.id).name,
                      "every": cron.interval_number * MINUTES[cron.interval_type],
                      "model": cron.model_id.model, "code": cron.code.strip()}
            for cron in crons}


class Day:
    def __init__(self, env, sandbox, tenant, clock):
        self.env, self.sandbox, self.tenant, self.clock = env, sandbox, tenant, clock
        self.crons = _crons(env)
        self.figures = {c["name"]: {"runs": 0, "calls": 0, "bytes": 0, "seconds": 0.0,
                                    "every_minutes": c["every"]} for c in self.crons.values()}
        self.errors = []

    def usage(self):
        tenant = self.sandbox.stats()["by_tenant"].get(self.tenant) or {}
        return tenant.get("api_calls", 0), tenant.get("bytes_sent", 0)

    def run(self, cron_id, count=True):
        cron = self.crons[cron_id]
        calls, sent = self.usage()
        started = time.monotonic()
        try:
            eval(cron["code"], {"model": self.env[cron["model"]]})  # noqa: S307 - our own cron code
            self.env.cr.commit()
        except Exception as exc:  # noqa: BLE001 - counted and reported, the day goes on
            self.env.cr.rollback()
            self.errors.append("%s: %r" % (cron["name"], exc))
        after_calls, after_sent = self.usage()
        if count:
            figures = self.figures[cron["name"]]
            figures["runs"] += 1
            figures["calls"] += after_calls - calls
            figures["bytes"] += after_sent - sent
            figures["seconds"] += time.monotonic() - started
        return after_calls - calls

    def run_triggered(self, count=True):
        """What Odoo's cron worker runs next: the jobs woken by _trigger."""
        Trigger = self.env["ir.cron.trigger"].sudo()
        for _round in range(20):
            due = Trigger.search([("call_at", "<=", self.clock.now()),
                                  ("cron_id", "in", list(self.crons))])
            if not due:
                return
            cron_ids = set(due.mapped("cron_id").ids)
            due.unlink()
            self.env.cr.commit()
            for cron_id in sorted(cron_ids):
                self.run(cron_id, count)

    def warm_up(self):
        """Each job once (and what it wakes), not counted: the state the
        day starts from (the first link check made...).  Weekly jobs wait
        for the day (their one run in it is counted)."""
        for cron_id in sorted(self.crons):
            if self.crons[cron_id]["every"] < MINUTES["weeks"]:
                self.run(cron_id, count=False)
                self.run_triggered(count=False)

    def simulate(self, size, invoice_count, partner_factory):
        """24 hours, a tick at a time: the accountant's changes on the hour,
        then every job whose time has come, then what they woke."""
        due = {cron_id: datetime.timedelta(0) for cron_id in self.crons}
        contacts_per_hour = size * CHANGE_SHARE / HOURS
        invoices_per_hour = invoice_count * CHANGE_SHARE / HOURS
        changed = {"contacts": 0, "invoices": 0, "new_contacts": 0, "new_accounts": 0}
        carry = [0.0, 0.0]
        elapsed = datetime.timedelta(0)
        while elapsed < datetime.timedelta(hours=HOURS):
            if elapsed.seconds % 3600 == 0:
                hour = elapsed.seconds // 3600
                carry[0] += contacts_per_hour
                carry[1] += invoices_per_hour
                new_here = math.ceil(size * NEW_ACCOUNT_SHARE / len(NEW_ACCOUNT_HOURS)) \
                    if hour in NEW_ACCOUNT_HOURS else 0
                done = self.sandbox._call("POST", f"orgs/{self.tenant}/churn", json={
                    "contacts": int(carry[0]), "invoices": int(carry[1]),
                    "new_contacts": math.ceil(new_here / 2), "seed": hour})
                carry = [carry[0] - int(carry[0]), carry[1] - int(carry[1])]
                changed["contacts"] += len(done["contacts"])
                changed["invoices"] += len(done["invoices"])
                changed["new_contacts"] += len(done["new_contacts"])
                if new_here:
                    names = [c["Name"] for c in done["new_contacts"]]
                    names += [f"Walk-in Prospect {hour}-{i}" for i in range(new_here - len(names))]
                    partner_factory(names)
                    changed["new_accounts"] += len(names)
            for cron_id in sorted(self.crons):
                if due[cron_id] <= elapsed:
                    self.run(cron_id)
                    due[cron_id] += datetime.timedelta(minutes=self.crons[cron_id]["every"])
            self.run_triggered()
            self.clock.advance(TICK)
            elapsed += TICK
        return changed


def setup_accounts(env, connection, sandbox, size):
    """N company accounts linked to the organisation's N contacts, and 2 %
    of them with an open opportunity invoice: bulk SQL, read from Xero's
    pages first (not counted)."""
    from psycopg2.extras import execute_values
    contacts, page = [], 1
    while True:
        answer = connection._xero_call(lambda gw, p=page: gw.get_contacts(
            page=p, page_size=1000, summary_only=True, include_archived=True), "background")
        contacts += answer["Contacts"]
        if page >= (answer.get("pagination") or {}).get("pageCount", page):
            break
        page += 1
    contacts = contacts[:size]
    cr, company, uid = env.cr, connection.company_id.id, env.uid
    rows = execute_values(cr, """
        INSERT INTO res_partner (name, complete_name, is_company, company_id, active, type,
                                 create_uid, write_uid, create_date, write_date)
        VALUES %s RETURNING id""", [(c["Name"], c["Name"], True, company,
                                     c.get("ContactStatus") != "ARCHIVED", "contact", uid, uid)
                                    for c in contacts],
        template="(%s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', "
                 "now() at time zone 'UTC')", fetch=True, page_size=5000)
    partner_ids = [row[0] for row in rows]
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)",
               [partner_ids])
    execute_values(cr, """
        INSERT INTO xero_contact_link (connection_id, company_id, partner_id, contact_id,
            account_number, contact_number, contact_status, check_state, checked_at,
            synced_at, create_uid, write_uid, create_date, write_date) VALUES %s""",
        [(connection.id, company, pid, c["ContactID"], c.get("AccountNumber") or None,
          c.get("ContactNumber") or None, c.get("ContactStatus"), "linked", uid, uid)
         for pid, c in zip(partner_ids, contacts)],
        template="(%s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', "
                 "now() at time zone 'UTC', %s, %s, now() at time zone 'UTC', "
                 "now() at time zone 'UTC')", page_size=5000)
    # Open invoices of the linked customers, for opportunities.
    wanted, invoices, page = int(size * OPEN_INVOICE_SHARE), [], 1
    while len(invoices) < wanted:
        answer = connection._xero_call(lambda gw, p=page: gw.get_invoices(
            page=p, page_size=1000, summary_only=True, statuses=["DRAFT", "AUTHORISED"]),
            "background")
        invoices += [i for i in answer["Invoices"] if i.get("Type") == "ACCREC"]
        if not answer["Invoices"]:
            break
        page += 1
    invoices = invoices[:wanted]
    by_contact = dict(zip((c["ContactID"] for c in contacts), partner_ids))
    Lead = env["crm.lead"].with_context(tracking_disable=True, mail_create_nolog=True,
                                        mail_notrack=True)
    leads = Lead.create([{"name": f"Deal {i['InvoiceNumber']}", "type": "opportunity",
                          "partner_id": by_contact.get(i["Contact"]["ContactID"]),
                          "company_id": company} for i in invoices])
    execute_values(cr, """
        INSERT INTO xero_invoice_link (connection_id, company_id, lead_id, sequence, part_kind,
            invoice_id, number, status, open, refreshed_at, create_uid, write_uid, create_date,
            write_date)
        VALUES %s""", [(connection.id, company, lead.id, i["InvoiceID"], i["InvoiceNumber"],
                        i["Status"], True, uid, uid) for lead, i in zip(leads, invoices)],
        # Each opportunity's one invoice, the whole deal (its first place).
        template="(%s, %s, %s, 1, 'whole', %s, %s, %s, %s, now() at time zone 'UTC', %s, %s, "
                 "now() at time zone 'UTC', now() at time zone 'UTC')")
    # As after Import Xero Data: the hourly sync reads what changed since,
    # and the accounts' figures were read by the last pass (rows aside: the
    # day's weekly reconcile reads them all, counted).
    connection.sudo().xero_import_watermark = env.cr.now()
    cr.execute("UPDATE xero_contact_link SET stats_refreshed_at = now() at time zone 'UTC' "
               "WHERE connection_id = %s", [connection.id])
    if hasattr(connection, "_xero_sync_state"):   # the shared state: its own transaction
        now = clock_now(env)
        connection._xero_sync_state()._xero_state_write(
            figures_watermark=now, figures_polled_at=now, reconciled_at=now)
    env.cr.commit()
    env.invalidate_all()
    return len(contacts), len(invoices)


def _new_accounts(env, company):
    def make(names):
        env["res.partner"].with_context(tracking_disable=True).create(
            [{"name": name, "is_company": True, "company_id": company.id} for name in names])
        env.cr.commit()
    return make


def clock_now(env):
    from odoo import fields
    return fields.Datetime.now()


def _clicks_get_through(env, sandbox, tenant, day, connection):
    """Background work until it stops using calls, then a salesperson's
    Refresh: (the click's outcome, the calls left, the rounds run)."""
    from odoo.exceptions import UserError
    sandbox.set_faults(tenant_id=tenant, day_limit=RESERVE_DAY_LIMIT,
                       day_remaining=RESERVE_LEFT, minute_limit=1000000)
    env["ir.config_parameter"].sudo().set_param("crm_xero.day_limit", str(RESERVE_DAY_LIMIT))
    env.cr.commit()
    if hasattr(connection, "_xero_sync_state"):   # a full reconcile asked: much background work
        connection._xero_sync_state()._xero_state_write(reconcile_requested_at=clock_now(env))
        env.ref("crm_xero.ir_cron_xero_reconcile")._trigger()
        env.cr.commit()
    rounds = 0
    while rounds < RESERVE_ROUNDS:
        rounds += 1
        used = sum(day.run(cron_id, count=False) for cron_id in sorted(day.crons))
        day.run_triggered(count=False)
        if not used:
            break
    left = sandbox.stats()["by_tenant"][tenant]["day_remaining"]
    group = env.ref("sales_team.group_sale_salesman")
    salesman = env["res.users"].search([("login", "=", "bench_day_sales")]) or \
        env["res.users"].create({"name": "Bench Salesperson", "login": "bench_day_sales",
                                 "groups_id": [(6, 0, group.ids)],
                                 "company_id": connection.company_id.id,
                                 "company_ids": [(6, 0, connection.company_id.ids)]})
    link = env["xero.contact.link"].search([("connection_id", "=", connection.id),
                                            ("contact_id", "!=", False)], limit=1)
    link.partner_id.user_id = salesman
    env.cr.commit()
    try:
        link.partner_id.with_user(salesman).action_xero_refresh_stats()
        env.cr.commit()
        outcome = "succeeded"
    except UserError as exc:
        env.cr.rollback()
        outcome = "refused: %s" % exc
    return outcome, left, rounds


def child_day(env, connection, sandbox, args):
    from odoo.addons.crm_xero.xero.pacing import DEFAULT_PACER
    # Counted, not timed: no pacing (Odoo's pacer and the sandbox's minute).
    DEFAULT_PACER.per_minute = DEFAULT_PACER.background_per_minute = 10 ** 6
    DEFAULT_PACER.app_per_minute = 10 ** 7
    tenant = connection.tenant_id
    sandbox.set_faults(tenant_id=tenant, minute_limit=10 ** 6)
    started = time.monotonic()
    size, open_invoices = setup_accounts(env, connection, sandbox, args.size)
    setup_seconds = time.monotonic() - started
    invoice_count = _invoice_count(connection)
    clock = SimClock(sandbox)
    day = Day(env, sandbox, tenant, clock)
    if args.once:
        return _each_job_once(env, day, size, open_invoices, setup_seconds)
    started, (calls_before, bytes_before) = time.monotonic(), day.usage()
    day.warm_up()
    warm_up = {"seconds": round(time.monotonic() - started, 1),
               "calls": day.usage()[0] - calls_before,
               "mb": round((day.usage()[1] - bytes_before) / 1e6, 2)}
    sandbox.clear_calls()
    started = time.monotonic()
    changed = day.simulate(size, invoice_count, _new_accounts(env, connection.company_id))
    day_seconds = time.monotonic() - started
    calls, sent = day.usage()
    result = {
        "linked_accounts": size, "open_opportunity_invoices": open_invoices,
        "invoices_in_xero": invoice_count, "changed": changed,
        "calls": calls, "mb": round(sent / 1e6, 2),
        "by_job": {name: {**f, "mb": round(f.pop("bytes") / 1e6, 3),
                          "seconds": round(f["seconds"], 1)}
                   for name, f in sorted(day.figures.items())},
        "warm_up": warm_up, "setup_seconds": round(setup_seconds, 1),
        "day_seconds": round(day_seconds, 1), "errors": day.errors[:20],
    }
    if args.reserve:
        outcome, left, rounds = _clicks_get_through(env, sandbox, tenant, day, connection)
        result["reserve"] = {"click": outcome, "day_remaining_after_jobs": left,
                             "rounds": rounds, "day_limit": RESERVE_DAY_LIMIT,
                             "left_before_jobs": RESERVE_LEFT}
        result["reserve_kept"] = outcome == "succeeded"
    return result


def _each_job_once(env, day, size, open_invoices, setup_seconds):
    """Each scheduled action run once from the state set up (the first run
    of each, counted), and what it woke: calls and bytes per run."""
    started = time.monotonic()
    for cron_id in sorted(day.crons):
        day.run(cron_id)
        day.run_triggered()
    calls, sent = day.usage()
    return {"linked_accounts": size, "open_opportunity_invoices": open_invoices,
            "calls": calls, "mb": round(sent / 1e6, 2),
            "by_job": {name: {**f, "mb": round(f.pop("bytes") / 1e6, 3),
                              "seconds": round(f["seconds"], 1)}
                       for name, f in sorted(day.figures.items())},
            "setup_seconds": round(setup_seconds, 1),
            "seconds": round(time.monotonic() - started, 1), "errors": day.errors[:20]}


def _invoice_count(connection):
    answer = connection._xero_call(lambda gw: gw.get_invoices(
        page=1, page_size=1, where='Type=="ACCREC"'), "background")
    return (answer.get("pagination") or {}).get("itemCount") or 0
