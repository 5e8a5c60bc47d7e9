#!/usr/bin/env bash
# Prepare everything `make test` and `make run` need, idempotently, for each
# Odoo series given (default: ODOO_SERIES, or the first supported one):
#   1. the series' Odoo source (ODOO_SRC_18 / ODOO_SRC_19, known paths, or a
#      clone of the upstream branch);
#   2. system libraries to build Odoo's Python requirements (Debian, as root);
#   3. the series' virtualenv .venv-<series> with its Odoo's requirements and ours;
#   4. a PostgreSQL server that answers (installing Debian's one as root if needed);
#   5. Chromium for the browser tours (Debian's package, as root; never a download);
#   6. the local CA in var/ca whose certificate the Xero sandbox serves HTTPS with
#      (made once; the sandbox, the tests and the demo trust it, nothing else does).
# Each step says exactly what is missing when it cannot fix it itself.
# Writes the resolved settings to var/env-<series>.sh for the other scripts.
#   bash scripts/bootstrap.sh            # ODOO_SERIES (default 18.0)
#   bash scripts/bootstrap.sh all        # every supported series (make test)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${ODOO_SERIES:-$DEFAULT_SERIES}")
[ "${wanted[*]}" = "all" ] && read -r -a wanted <<< "$SUPPORTED_SERIES"
for series in "${wanted[@]}"; do check_series "$series"; done
mkdir -p "$VAR"

# --- 1. Odoo source ------------------------------------------------------------
tree_series() {   # "18.0" for an Odoo tree, empty if $1 is none
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] || return 0
    grep -E "^version_info = \(" "$1/odoo/release.py" \
        | sed -E 's/version_info = \(([0-9]+), ([0-9]+).*/\1.\2/'
}

find_odoo_src() {   # the first tree of series $1 among the known places
    local series=$1 major d
    major=$(series_major "$series")
    local candidates=("$(eval echo "\${ODOO_SRC_$major:-}")" "${ODOO_SRC:-}" "/opt/odoo$major"
                      "$ROOT/.odoo$major" "$ROOT/../odoo$major")
    [ "$series" = "$DEFAULT_SERIES" ] && candidates+=(/opt/odoo "$ROOT/.odoo" "$ROOT/../odoo")
    for d in "${candidates[@]}"; do
        if [ -n "$d" ] && [ "$(tree_series "$d")" = "$series" ]; then
            echo "$d"; return 0
        fi
    done
    return 1
}

odoo_source() {   # the tree of series $1, cloned from upstream if the network allows
    local series=$1 major src
    major=$(series_major "$series")
    src=$(find_odoo_src "$series" || true)
    if [ -n "$src" ]; then echo "$src"; return 0; fi
    say "No Odoo $series source found; trying to clone upstream branch $series into .odoo$major" >&2
    if command -v git >/dev/null && git clone --quiet --depth 1 --branch "$series" \
            https://github.com/odoo/odoo.git "$ROOT/.odoo$major.partial" 2>/dev/null; then
        mv "$ROOT/.odoo$major.partial" "$ROOT/.odoo$major"
        echo "$ROOT/.odoo$major"; return 0
    fi
    rm -rf "$ROOT/.odoo$major.partial"
    die "Odoo $series source is missing and could not be cloned (no network to github.com?).
  Provide a tree of Odoo $series and point ODOO_SRC_$major at it, e.g.:
    git clone --depth 1 --branch $series https://github.com/odoo/odoo.git /opt/odoo$major
    export ODOO_SRC_$major=/opt/odoo$major
  (Looked in: \$ODOO_SRC_$major, \$ODOO_SRC, /opt/odoo$major, $ROOT/.odoo$major, $ROOT/../odoo$major.)"
}

declare -A sources
for series in "${wanted[@]}"; do
    sources[$series]=$(odoo_source "$series")
    say "Odoo $series source: ${sources[$series]}"
done

# --- 2. system libraries -----------------------------------------------------
# psycopg2 and python-ldap build from source: a C compiler, Python's headers,
# libpq, libldap and libsasl headers; and the venv module (Debian splits it out).
python=${PYTHON:-python3}
missing_debs=()
for pkg in libpq-dev libldap2-dev libsasl2-dev gettext; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing_debs+=("$pkg")
done
command -v gcc >/dev/null || missing_debs+=(build-essential)
"$python" - <<'PY' 2>/dev/null || missing_debs+=(python3-dev)
import os, sysconfig
assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
PY
"$python" -c "import ensurepip, venv" 2>/dev/null || missing_debs+=(python3-venv)
if [ ${#missing_debs[@]} -gt 0 ]; then
    if is_root_on_debian; then
        apt_install "${missing_debs[@]}"
    elif command -v dpkg >/dev/null; then
        die "Missing system packages: ${missing_debs[*]}. Install them: sudo apt-get install ${missing_debs[*]}"
    else
        warn "Not Debian: make sure the libpq, libldap and libsasl development headers are installed."
    fi
fi

# --- 3. one virtualenv per series ----------------------------------------------
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$pyver" in
    3.10|3.11|3.12) ;;
    *) die "Odoo 18.0 and 19.0 need Python 3.10 to 3.12; $python is $pyver. Set PYTHON=/path/to/python3.11." ;;
esac
for series in "${wanted[@]}"; do
    src=${sources[$series]}
    venv=$(series_venv "$series")
    odoo_reqs="$VAR/odoo-requirements-$series.txt"
    # Odoo 18 pins cbor2 5.4.2 for Python < 3.12, which no longer builds with
    # current setuptools; 5.6.2 (Odoo's own pin for 3.12) is API-compatible.
    sed -E 's/^cbor2==5\.4\.2( |;|$).*/cbor2==5.6.2/' "$src/requirements.txt" > "$odoo_reqs"
    stamp="$venv/.crm_xero-requirements"
    want=$(cat "$odoo_reqs" "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" | sha256sum | cut -c1-16)
    if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "Installing Odoo $series's and our Python requirements into $venv (a few minutes the first time)"
        [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip wheel 'setuptools<81'
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$odoo_reqs" \
            -r "$ROOT/requirements-dev.txt"
        echo "$want" > "$stamp"
    fi
    cat > "$VAR/env-$series.sh" <<ENV
# Written by scripts/bootstrap.sh
ODOO_SRC='$src'
VENV='$venv'
ENV
done
first_venv=$(series_venv "${wanted[0]}")

# --- 4. PostgreSQL ------------------------------------------------------------
if ! pg_answers "$first_venv"; then
    if is_root_on_debian; then
        if ! command -v pg_ctlcluster >/dev/null || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
            apt_install postgresql
        fi
        say "Starting PostgreSQL"
        pg_lsclusters -h | while read -r ver cluster _; do
            pg_ctlcluster "$ver" "$cluster" start 2>/dev/null || true
        done
        for _ in $(seq 30); do pg_answers_as_postgres && break; sleep 1; done
        # Odoo refuses the 'postgres' role; give the current user a role of its own.
        role=$(id -un)
        su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='$role'\"" | grep -q 1 \
            || su postgres -c "createuser --superuser '$role'"
    fi
    pg_answers "$first_venv" || die "PostgreSQL does not answer (PGHOST=${PGHOST:-<local socket>} PGPORT=${PGPORT:-5432} user=${PGUSER:-$(id -un)}).
  Install and start a PostgreSQL server (Debian/Ubuntu: sudo apt-get install postgresql),
  give your user a role that can create databases
  (sudo -u postgres createuser --createdb \$USER), or set PGHOST/PGPORT/PGUSER/PGPASSWORD."
fi
say "PostgreSQL answers"

# --- 5. Chromium (browser tours in make test) ---------------------------------------
if ! command -v chromium >/dev/null && ! command -v google-chrome >/dev/null \
        && ! command -v chromium-browser >/dev/null; then
    if is_root_on_debian; then
        apt_install chromium
    else
        warn "Chromium is missing: make test's browser tours need it (Debian: sudo apt-get install chromium)."
    fi
fi

# --- 6. the sandbox's local CA ----------------------------------------------------
# Xero is https only, and so is the sandbox: its certificate comes from this
# CA, which only the clients told its path trust (never the system's store).
(cd "$ROOT" && "$first_venv/bin/python" -m xero_sandbox.tls ensure "$VAR/ca" >/dev/null) \
    || die "could not make the sandbox's local CA in $VAR/ca"
say "Sandbox CA: $VAR/ca/ca.pem"
