from . import test_accounts
from . import test_connection
from . import test_gateway
from . import test_gateway_faults
from . import test_gateway_pacing
from . import test_oauth_client
from . import test_security
from . import test_tokens
