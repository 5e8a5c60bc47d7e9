#!/usr/bin/env bash
# `make sandbox`: only the Xero sandbox, on 127.0.0.1: HTTPS on ${SANDBOX_PORT:-8070}
# (its certificate from the local CA var/ca/ca.pem), the browser's pages and the
# control API also on plain HTTP one port above.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
exec "$VENV/bin/python" -m xero_sandbox --host 127.0.0.1 --port "${SANDBOX_PORT:-8070}" \
    --tls-dir "$VAR/ca" "$@"
