from . import xero_disconnect_wizard
from . import xero_organisation_wizard
from . import xero_export_wizard
from . import xero_invoice_wizard
from . import xero_import_wizard
