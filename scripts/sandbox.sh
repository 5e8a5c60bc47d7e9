#!/usr/bin/env bash
# `make sandbox`: only the Xero sandbox, on 127.0.0.1:${SANDBOX_PORT:-8070}.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
exec "$VENV/bin/python" -m xero_sandbox --host 127.0.0.1 --port "${SANDBOX_PORT:-8070}" "$@"
