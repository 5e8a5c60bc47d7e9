"""The account views with their Xero columns: as many SQL queries for 800
accounts as for 80 (nothing is read per record), and a linked account's
form opens without calling Xero, in a fixed, small number of queries.

The helpers below read the views as the web client does (the view's own
fields, a specification like the client's) and count the queries; the
benchmark (bench/views.py) runs the same helpers on a larger database.
"""
import itertools
import uuid

from lxml import etree

from odoo.tests import tagged

from .xero_case import XeroHttpCase

FORM_XERO_QUERIES_MAX = 10   # what the Xero fields add to the form: fixed, small
_requests = itertools.count()


def _field_spec(fields, node):
    """The client's specification for one <field> node."""
    name = node.get("name")
    field = fields.get(name) or {}
    if field.get("type") == "many2one":
        return {"fields": {"display_name": {}}}
    if field.get("type") in ("one2many", "many2many"):
        sub = next((child for child in node if child.tag in ("list", "kanban", "form")), None)
        if sub is not None:
            return {"fields": _arch_spec(field.get("related_fields") or {}, sub)}
        return {"fields": {"display_name": {}}}
    return {}


def _arch_spec(fields, arch):
    """The fields an arch shows (not those of its x2many sub-views), as the
    web client asks for them."""
    spec = {}

    def walk(node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field" and child.get("name"):
                spec[child.get("name")] = _field_spec(fields, child)
                continue   # its inline sub-view is the field's own spec
            walk(child)
    walk(arch)
    return spec


def view_spec(env, model, view_type, xero=True):
    """The specification the web client sends for ``model``'s default view
    (without ``xero``: the same without the Xero fields)."""
    views = env[model].get_views([(False, view_type)])
    fields = views["models"][model]["fields"]
    arch = etree.fromstring(views["views"][view_type]["arch"])
    spec = _arch_spec({name: _with_related(env, model, name, f) for name, f in fields.items()},
                      arch)
    spec.setdefault("display_name", {})
    return spec if xero else {k: v for k, v in spec.items() if not k.startswith("xero_")}


def _with_related(env, model, name, description):
    # x2many sub-views read the comodel's fields: describe them for _field_spec
    if description.get("type") in ("one2many", "many2many"):
        comodel = env[model]._fields[name].comodel_name
        description = dict(description, related_fields=env[comodel].fields_get(
            attributes=["type"]))
    return description


def count_queries(env, work):
    """(SQL queries ``work(model)`` runs, its result), as in a request of its
    own: the ORM's cache empty and a new environment (so what an environment
    reads once, such as the current company, is read in every measure)."""
    env.invalidate_all()
    Partner = env["res.partner"].with_context(bin_size=True, xero_request=next(_requests))
    before = env.cr.sql_log_count
    result = work(Partner)
    return env.cr.sql_log_count - before, result


def list_queries(env, ids, view_type):
    """Queries to show ``ids`` in the partner list or kanban (one page of
    len(ids) records), once the caches that every request warms are warm."""
    spec = view_spec(env, "res.partner", view_type)

    def show(Partner):
        return Partner.web_search_read([("id", "in", list(ids))], spec, limit=len(ids))
    count_queries(env, show)   # access rules, ir.model data, views: what any request warms
    queries, result = count_queries(env, show)
    assert result["length"] == len(ids), result["length"]
    return queries


def form_queries(env, partner, xero=True):
    """(Queries to open ``partner``'s form, its values): its fields as the
    client reads them, then the Xero check widget's call if it would make it
    (only for an account not checked yet).  Without ``xero``, the same form
    without its Xero fields."""
    spec = view_spec(env, "res.partner", "form", xero=xero)

    def open_form(Partner):
        record = Partner.browse(partner.id)
        values = record.web_read(spec)[0]
        if xero and values.get("xero_check_state") in (False, "pending"):
            record.action_xero_check_link()
        return values
    count_queries(env, open_form)
    return count_queries(env, open_form)


def form_xero_queries(env, partner):
    """The queries the Xero fields add to the form, and the form's values."""
    queries, values = form_queries(env, partner)
    return queries - form_queries(env, partner, xero=False)[0], values


def make_accounts(env, connection, count, prefix="View"):
    """``count`` records for the views: company accounts linked to Xero
    contacts (with figures), every other one with a person under it."""
    companies = env["res.partner"].create([{
        "name": f"{prefix} Account {i} {uuid.uuid4().hex[:6]}", "is_company": True,
        "email": f"view{i}@example.com", "city": "Wellington"} for i in range((count + 1) // 2)])
    people = env["res.partner"].create([{
        "name": f"{prefix} Person {i}", "parent_id": company.id, "type": "contact"}
        for i, company in enumerate(companies[:count // 2])])
    currency = env.ref("base.USD")
    env["xero.contact.link"].sudo().create([{
        "connection_id": connection.id, "partner_id": company.id,
        "contact_id": str(uuid.uuid4()), "account_number": f"V-{company.id}",
        "contact_status": "ACTIVE", "check_state": "linked", "currency_id": currency.id,
        "total_sales": 1000.0 + i, "overdue_amount": 10.0 * (i % 3),
        "outstanding_amount": 20.0, "synced_values": {"AccountNumber": f"V-{company.id}"},
    } for i, company in enumerate(companies)])
    ordered = [p for pair in zip(companies, people) for p in pair] + list(companies[len(people):])
    return env["res.partner"].browse([p.id for p in ordered][:count])


def add_invoice_rows(env, partner, rows=3):
    link = partner.xero_link_ids
    env["xero.contact.invoice"].sudo().create([{
        "link_id": link.id, "kind": "invoice", "xero_id": str(uuid.uuid4()),
        "number": f"INV-{i:04d}", "status": "AUTHORISED", "currency_id": link.currency_id.id,
        "total": 100.0 * (i + 1), "amount_due": 50.0} for i in range(rows)])


@tagged("post_install", "-at_install", "crm_xero")
class TestViewsQueries(XeroHttpCase):

    def setUp(self):
        super().setUp()
        self.xero_connection = self.connect()
        self.sandbox.clear_calls()

    def test_list_and_kanban_read_nothing_per_record(self):
        records = make_accounts(self.env, self.xero_connection, 800)
        for view_type in ("list", "kanban"):
            with self.subTest(view_type=view_type):
                few = list_queries(self.env, records[:80].ids, view_type)
                many = list_queries(self.env, records.ids, view_type)
                self.assertEqual(few, many, "queries for 80 and 800 records")

    def test_linked_accounts_show_their_xero_columns(self):
        records = make_accounts(self.env, self.xero_connection, 4)
        spec = view_spec(self.env, "res.partner", "list")
        self.assertIn("xero_in_xero", spec)
        rows = self.env["res.partner"].web_search_read([("id", "in", records.ids)], spec)["records"]
        self.assertTrue(all(row["xero_in_xero"] for row in rows), "people show their company's")

    def test_a_linked_accounts_form_calls_no_xero_and_few_queries(self):
        few, many = make_accounts(self.env, self.xero_connection, 1, prefix="Few"), \
            make_accounts(self.env, self.xero_connection, 1, prefix="Many")
        add_invoice_rows(self.env, few, 3)
        add_invoice_rows(self.env, many, 30)
        self.sandbox.clear_calls()
        queries, values = form_xero_queries(self.env, few)
        self.assertEqual(values["xero_check_state"], "linked")
        self.assertEqual(len(values["xero_invoice_row_ids"]), 3)
        self.assertLessEqual(queries, FORM_XERO_QUERIES_MAX)
        self.assertEqual(form_xero_queries(self.env, many)[0], queries,
                         "as many queries with 30 invoices as with 3")
        self.assertEqual(self.api_calls(), [], "no call to Xero")
