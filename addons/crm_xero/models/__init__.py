from . import xero_connection
from . import xero_connection_oauth
from . import xero_tenant_choice
from . import res_config_settings
from . import xero_contact_link
from . import xero_contact_sync
from . import res_partner
from . import res_partner_xero
