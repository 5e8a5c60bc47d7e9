from . import xero_connection
from . import xero_connection_oauth
from . import xero_tenant_choice
from . import res_config_settings
from . import xero_contact_link
