"""Benchmark scenario: the account views with their Xero columns, as the web
client reads them (the helpers of tests/test_views_queries.py, which assert
the same on a smaller database): SQL queries for the list and the kanban at
80 and 800 records, and a linked account's form, with the Xero calls it
makes (read from the sandbox's call log).
"""
import time


def child_views(env, connection, sandbox, args):
    from odoo.addons.crm_xero.tests import test_views_queries as views
    records = views.make_accounts(env, connection, 800, prefix="Bench")
    views.add_invoice_rows(env, records[0], 3)
    env.cr.commit()
    result = {}
    for view_type in ("list", "kanban"):
        for size in (80, 800):
            started = time.monotonic()
            result[f"{view_type}_queries_{size}"] = views.list_queries(
                env, records[:size].ids, view_type)
            result[f"{view_type}_seconds_{size}"] = round(time.monotonic() - started, 3)
    many = records[2]   # another linked account, with ten times the invoice rows
    views.add_invoice_rows(env, many, 30)
    sandbox.clear_calls()
    queries, values = views.form_queries(env, records[0])
    xero_queries, _values = views.form_xero_queries(env, records[0])
    result.update({
        "form_queries": queries, "form_xero_queries": xero_queries,
        "form_xero_queries_30_invoices": views.form_xero_queries(env, many)[0],
        "form_xero_queries_max": views.FORM_XERO_QUERIES_MAX,
        "form_check_state": values["xero_check_state"],
        "form_invoice_rows": len(values["xero_invoice_row_ids"]),
        "form_xero_calls": sandbox.stats()["api_calls"]})
    return result
