"""What exactly-once rests on, held by PostgreSQL itself, on Odoo 18.0 and
19.0 alike: each unique constraint exists (19.0 ignores ``_sql_constraints``;
the models declare them through compat.Constraint) and refuses a duplicate
row, and the indexes the write path and Xero's webhooks look rows up by are
there."""
import uuid

import psycopg2

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

# table -> {constraint: definition}, as PostgreSQL reports them.
UNIQUE = {
    "xero_connection": {"xero_connection_company_unique": "UNIQUE (company_id)"},
    "xero_write": {"xero_write_key_unique": "UNIQUE (idempotency_key)"},
    "xero_contact_link": {
        "xero_contact_link_partner_unique": "UNIQUE (connection_id, partner_id)",
        "xero_contact_link_contact_unique": "UNIQUE (connection_id, contact_id)",
    },
    "xero_invoice_link": {"xero_invoice_link_lead_unique": "UNIQUE (connection_id, lead_id)"},
    "xero_webhook_event": {
        "xero_webhook_event_event_unique":
            "UNIQUE (connection_id, category, resource_id, event_type, event_date)",
    },
}
# (table, column): what is looked up by it.
INDEXED = {
    ("xero_write", "link_id"): "a link's unsettled writes, before every click",
    ("xero_write", "state"): "the recovery job's writes to settle",
    ("xero_contact_link", "contact_id"): "a webhook's contact",
    ("xero_invoice_link", "invoice_id"): "a webhook's invoice",
    ("xero_webhook_event", "state"): "the events left to handle",
}


@tagged("post_install", "-at_install", "crm_xero")
class TestConstraints(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Constraint Test Ltd"})
        cls.connection = cls.env["xero.connection"].create({"company_id": cls.company.id})
        cls.partner = cls.env["res.partner"].create({"name": "Kauri Timber", "is_company": True})
        cls.lead = cls.env["crm.lead"].create({"name": "Deck", "type": "opportunity"})

    def assertRefused(self, constraint, model, values):
        """Creating ``values`` is refused by PostgreSQL, by ``constraint``."""
        with self.assertRaises(psycopg2.errors.UniqueViolation) as refused, \
                mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env[model].create(values)
            self.env.flush_all()
        self.assertEqual(refused.exception.diag.constraint_name, constraint)

    def test_each_unique_constraint_is_in_postgresql(self):
        self.env.cr.execute("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
              FROM pg_constraint
             WHERE contype = 'u' AND conrelid::regclass::text IN %s
        """, [tuple(UNIQUE)])
        found = {}
        for table, name, definition in self.env.cr.fetchall():
            found.setdefault(table, {})[name] = definition
        self.assertEqual(found, UNIQUE)

    def test_the_indexes_looked_up_by_are_in_postgresql(self):
        self.env.cr.execute("""
            SELECT t.relname, a.attname
              FROM pg_index i
              JOIN pg_class t ON t.oid = i.indrelid
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
             WHERE t.relname IN %s
        """, [tuple({table for table, _column in INDEXED})])
        leading = set(self.env.cr.fetchall())
        self.assertEqual({key: why for key, why in INDEXED.items() if key not in leading}, {})

    def test_one_write_per_idempotency_key(self):
        values = {"connection_id": self.connection.id, "operation": "contact_create",
                  "link_model": "xero.contact.link", "link_id": 1,
                  "idempotency_key": str(uuid.uuid4())}
        self.env["xero.write"].create(values)
        self.assertRefused("xero_write_key_unique", "xero.write", dict(values, link_id=2))

    def test_one_connection_per_company(self):
        self.assertRefused("xero_connection_company_unique", "xero.connection",
                           {"company_id": self.company.id})

    def test_one_contact_link_per_account_and_one_account_per_contact(self):
        contact_id = str(uuid.uuid4())
        self.env["xero.contact.link"].create({
            "connection_id": self.connection.id, "partner_id": self.partner.id,
            "contact_id": contact_id})
        self.assertRefused("xero_contact_link_partner_unique", "xero.contact.link", {
            "connection_id": self.connection.id, "partner_id": self.partner.id,
            "contact_id": str(uuid.uuid4())})
        other = self.env["res.partner"].create({"name": "Other Timber", "is_company": True})
        self.assertRefused("xero_contact_link_contact_unique", "xero.contact.link", {
            "connection_id": self.connection.id, "partner_id": other.id,
            "contact_id": contact_id})

    def test_one_invoice_link_per_opportunity(self):
        self.env["xero.invoice.link"].create({
            "connection_id": self.connection.id, "lead_id": self.lead.id,
            "invoice_id": str(uuid.uuid4())})
        self.assertRefused("xero_invoice_link_lead_unique", "xero.invoice.link", {
            "connection_id": self.connection.id, "lead_id": self.lead.id,
            "invoice_id": str(uuid.uuid4())})

    def test_one_webhook_event_per_delivery(self):
        values = {"connection_id": self.connection.id, "tenant_id": str(uuid.uuid4()),
                  "category": "INVOICE", "event_type": "UPDATE",
                  "resource_id": str(uuid.uuid4()), "event_date": "2026-12-01 10:00:00"}
        self.env["xero.webhook.event"].create(values)
        self.assertRefused("xero_webhook_event_event_unique", "xero.webhook.event", values)
