"""What the bindings of Odoo records to Xero records share (an account's
contact: xero.contact.link; an opportunity's invoices and quote:
xero.invoice.link, xero.quote.link):
the company's connection, and a committed row the write path can lock."""
from odoo import api, fields, models
from odoo.tools import SQL


class XeroLink(models.AbstractModel):
    _name = "xero.link"
    _description = "Binding of an Odoo record to a Xero record"

    #: The Odoo record's field (unique with connection_id): partner_id, lead_id.
    _xero_owner_field = None
    #: Columns a new row starts with (written in SQL, so no ORM defaults).
    _xero_new_row = {}

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade",
                                    index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)

    @api.model
    def _xero_ensure(self, connection, owner):
        """The link of ``owner`` in ``connection``'s organisation, created
        (committed, in a transaction of its own) if there is none yet, so that
        writes to Xero can lock it.  Safe against a concurrent creator.  (An
        opportunity has several invoice links: xero.invoice.link has
        ``_xero_ensure_slot`` for the next one's place instead.)"""
        owner_column = SQL.identifier(self._xero_owner_field)
        values = {"connection_id": connection.id, "company_id": connection.company_id.id,
                  self._xero_owner_field: owner.id, **self._xero_new_row}
        with connection._xero_fresh_env() as env:
            env.cr.execute(SQL(
                "INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date) "
                "VALUES (%s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC') "
                "ON CONFLICT (connection_id, %s) DO NOTHING",
                SQL.identifier(self._table), SQL(", ").join(map(SQL.identifier, values)),
                SQL(", ").join(SQL("%s", value) for value in values.values()),
                env.uid, env.uid, owner_column))
            env.cr.execute(SQL("SELECT id FROM %s WHERE connection_id = %s AND %s = %s",
                               SQL.identifier(self._table), connection.id, owner_column,
                               owner.id))
            link_id = env.cr.fetchone()[0]
        return self.sudo().browse(link_id)
