# Shared helpers for the scripts in this folder (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR="$ROOT/var"            # generated files, logs and pid files (ignored by git)
VENV="${VENV:-$ROOT/.venv}"

say()  { printf '\033[1m[crm_xero]\033[0m %s\n' "$*"; }
warn() { printf '[crm_xero] WARNING: %s\n' "$*" >&2; }
die()  { printf '[crm_xero] ERROR: %s\n' "$*" >&2; exit 1; }

is_root_on_debian() {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null
}

apt_updated=""
apt_install() {
    say "Installing Debian packages: $*"
    if [ -z "$apt_updated" ]; then
        apt-get update -qq >/dev/null || die "apt-get update failed"
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
        || die "apt-get install $* failed"
}

# True when the configured PostgreSQL (PGHOST/PGPORT/PGUSER, or the local
# socket as the current user) accepts a connection.
pg_answers() {
    "$VENV/bin/python" - <<'PY' 2>/dev/null
import psycopg2
psycopg2.connect(dbname="postgres", connect_timeout=3).close()
PY
}

pg_answers_as_postgres() {
    su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1
}

# Settings written by bootstrap.sh (ODOO_SRC).
load_env() {
    [ -f "$VAR/env.sh" ] || die "Run scripts/bootstrap.sh first (make bootstrap)."
    # shellcheck disable=SC1091
    source "$VAR/env.sh"
    local options=(-c "$ROOT/odoo.conf" --addons-path="$ODOO_SRC/addons,$ROOT/addons")
    ODOO_BIN=("$VENV/bin/python" "$ODOO_SRC/odoo-bin" "${options[@]}")
    # Odoo's subcommands come before the options.
    ODOO_SHELL=("$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell "${options[@]}")
}

# A free TCP port on 127.0.0.1.
free_port() {
    "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
