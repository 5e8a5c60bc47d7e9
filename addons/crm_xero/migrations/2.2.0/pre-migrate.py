"""2.2.0, before the module's tables are updated: an opportunity may have
several Xero invoices from now on (a deposit, progress invoices, the final
one), each in its own place (``xero_invoice_link.sequence``, unique per
opportunity and organisation).  The unique constraint of one invoice per
opportunity and organisation that earlier versions made goes here; the
update then adds the new column, each existing link first (its default), and
the new constraint.
"""
import logging

_logger = logging.getLogger(__name__)

OLD_CONSTRAINT = "xero_invoice_link_lead_unique"


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE IF EXISTS xero_invoice_link DROP CONSTRAINT IF EXISTS %s"
               % OLD_CONSTRAINT)
    _logger.info("crm_xero 2.2.0: opportunities may have several Xero invoices")
