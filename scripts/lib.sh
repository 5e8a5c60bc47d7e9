# Shared helpers for the scripts in this folder (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR="$ROOT/var"            # generated files, logs and pid files (ignored by git)

# The Odoo series the project supports and tests, oldest first.  `make test`
# runs every part on each; `make run`, `make bench` and the others take one,
# ODOO_SERIES (default: the first).
SUPPORTED_SERIES="18.0 19.0"
DEFAULT_SERIES=${SUPPORTED_SERIES%% *}

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

# "18.0" -> "18": the suffix of ODOO_SRC_18, /opt/odoo18, database names.
series_major() { echo "${1%%.*}"; }

check_series() {
    case " $SUPPORTED_SERIES " in
        *" $1 "*) ;;
        *) die "Odoo series '$1' is not supported; choose one of: $SUPPORTED_SERIES" ;;
    esac
}

# The virtualenv of a series (their pins differ): .venv-18.0, .venv-19.0.
series_venv() { echo "${VENV_BASE:-$ROOT/.venv}-$1"; }

# True when the configured PostgreSQL (PGHOST/PGPORT/PGUSER, or the local
# socket as the current user) accepts a connection.
pg_answers() {
    "$1/bin/python" - <<'PY' 2>/dev/null
import psycopg2
psycopg2.connect(dbname="postgres", connect_timeout=3).close()
PY
}

pg_answers_as_postgres() {
    su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1
}

# Settings of one series written by bootstrap.sh: ODOO_SRC, VENV, SERIES, and
# the command lines ODOO_BIN / ODOO_SHELL.  Default: ODOO_SERIES or the first.
load_env() {
    SERIES=${1:-${ODOO_SERIES:-$DEFAULT_SERIES}}
    check_series "$SERIES"
    local env_file="$VAR/env-$SERIES.sh"
    [ -f "$env_file" ] || die "Odoo $SERIES is not set up: run 'ODOO_SERIES=$SERIES make bootstrap' first."
    # shellcheck disable=SC1090
    source "$env_file"
    local options=(-c "$ROOT/odoo.conf" --addons-path="$ODOO_SRC/addons,$ROOT/addons")
    ODOO_BIN=("$VENV/bin/python" "$ODOO_SRC/odoo-bin" "${options[@]}")
    # Odoo's subcommands come before the options.
    ODOO_SHELL=("$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell "${options[@]}")
    ODOO_ADDONS_PATH="$ODOO_SRC/addons,$ROOT/addons"
}

# A free TCP port on 127.0.0.1.
free_port() {
    "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Start the Xero sandbox on 127.0.0.1 (free ports) in the background with the
# given extra options, logging to $1: HTTPS with the local CA's certificate
# (var/ca, made by bootstrap.sh) for Xero's identity and API hosts, plain HTTP
# for the browser's pages.  Sets SANDBOX_PID, SANDBOX_URL (https),
# SANDBOX_BROWSER_URL (http) and SANDBOX_CA (the CA certificate to trust).
start_sandbox() {
    local log=$1; shift
    local port browser_port
    port=$(free_port)
    browser_port=$(free_port)
    "$VENV/bin/python" -m xero_sandbox --host 127.0.0.1 --port "$port" \
        --browser-port "$browser_port" --tls-dir "$VAR/ca" "$@" > "$log" 2>&1 &
    SANDBOX_PID=$!
    for _ in $(seq 100); do
        grep -q "CA certificate" "$log" 2>/dev/null && break
        kill -0 "$SANDBOX_PID" 2>/dev/null || die "the sandbox stopped: see $log"
        sleep 0.2
    done
    grep -q "CA certificate" "$log" || die "the sandbox did not start: see $log"
    SANDBOX_URL=$(sed -n 's/^xero_sandbox listening on \(.*\)$/\1/p' "$log" | head -1)
    SANDBOX_BROWSER_URL=$(sed -n 's/^xero_sandbox browser pages on \(.*\)$/\1/p' "$log" | head -1)
    SANDBOX_CA=$(sed -n 's/^xero_sandbox CA certificate \(.*\)$/\1/p' "$log" | head -1)
}

# Where the series differ on Odoo's command line: demo data.  18.0 loads it
# unless told `--without-demo=all`; 19.0 loads none unless told `--with-demo`
# (and warns about `--without-demo=all`).
demo_options() {   # demo_options yes|no -> the options for the current SERIES
    case "$SERIES:$1" in
        18.0:yes) ;;
        18.0:no) echo "--without-demo=all" ;;
        *:yes) echo "--with-demo" ;;
        *:no) ;;
    esac
}
