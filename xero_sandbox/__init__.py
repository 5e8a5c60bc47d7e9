"""A local, stateful emulator of the Xero APIs used by crm_xero.

    from xero_sandbox import SandboxServer
    with SandboxServer(port=0) as sandbox:
        print(sandbox.url)
"""
from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxServer
from .store import DEMO_ORG_NAME, SECOND_ORG_NAME, tenant_id_for

DEMO_TENANT_ID = tenant_id_for(DEMO_ORG_NAME)
SECOND_TENANT_ID = tenant_id_for(SECOND_ORG_NAME)

__all__ = ["SandboxServer", "DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET",
           "DEMO_TENANT_ID", "SECOND_TENANT_ID"]
