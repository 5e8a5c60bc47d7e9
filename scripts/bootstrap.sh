#!/usr/bin/env bash
# Prepare everything `make test` and `make run` need, idempotently:
#   1. Odoo 18.0 source (ODOO_SRC, known paths, or a clone of upstream 18.0);
#   2. system libraries to build Odoo's Python requirements (Debian, as root);
#   3. the virtualenv .venv with Odoo's requirements and ours;
#   4. a PostgreSQL server that answers (installing Debian's one as root if needed);
#   5. Chromium for the browser tours (Debian's package, as root; never a download).
# Each step says exactly what is missing when it cannot fix it itself.
# Writes the resolved settings to var/env.sh for the other scripts.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# --- 1. Odoo 18.0 source ---------------------------------------------------
find_odoo_src() {
    local d
    for d in "${ODOO_SRC:-}" /opt/odoo18 /opt/odoo "$ROOT/.odoo" "$ROOT/../odoo"; do
        if [ -n "$d" ] && [ -f "$d/odoo-bin" ] && [ -f "$d/odoo/release.py" ]; then
            echo "$d"; return 0
        fi
    done
    return 1
}

odoo_src=$(find_odoo_src || true)
if [ -z "$odoo_src" ]; then
    say "No Odoo 18.0 source found; trying to clone upstream branch 18.0 into .odoo"
    if command -v git >/dev/null && git clone --quiet --depth 1 --branch 18.0 \
            https://github.com/odoo/odoo.git "$ROOT/.odoo.partial" 2>/dev/null; then
        mv "$ROOT/.odoo.partial" "$ROOT/.odoo"
        odoo_src="$ROOT/.odoo"
    else
        rm -rf "$ROOT/.odoo.partial"
        die "Odoo 18.0 source is missing and could not be cloned (no network to github.com?).
  Provide it and point ODOO_SRC at it, e.g.:
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git /opt/odoo18
    export ODOO_SRC=/opt/odoo18
  (Looked in: \$ODOO_SRC, /opt/odoo18, /opt/odoo, $ROOT/.odoo, $ROOT/../odoo.)"
    fi
fi
series=$(grep -E "^version_info = \(" "$odoo_src/odoo/release.py" | sed -E 's/version_info = \(([0-9]+), ([0-9]+).*/\1.\2/')
[ "$series" = "18.0" ] || die "$odoo_src holds Odoo $series, not 18.0. Point ODOO_SRC at an Odoo 18.0 tree."
say "Odoo 18.0 source: $odoo_src"

# --- 2. system libraries -----------------------------------------------------
# psycopg2 and python-ldap build from source: a C compiler, Python's headers,
# libpq, libldap and libsasl headers; and the venv module (Debian splits it out).
python=${PYTHON:-python3}
missing_debs=()
for pkg in libpq-dev libldap2-dev libsasl2-dev; do
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

# --- 3. virtualenv ------------------------------------------------------------
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$pyver" in
    3.10|3.11|3.12) ;;
    *) die "Odoo 18 needs Python 3.10 to 3.12; $python is $pyver. Set PYTHON=/path/to/python3.11." ;;
esac
odoo_reqs="$VAR/odoo-requirements.txt"
mkdir -p "$VAR"
# Odoo pins cbor2 5.4.2 for Python < 3.12, which no longer builds with current
# setuptools; 5.6.2 (Odoo's own pin for 3.12) is API-compatible.
sed -E 's/^cbor2==5\.4\.2.*/cbor2==5.6.2/' "$odoo_src/requirements.txt" > "$odoo_reqs"
stamp="$VENV/.crm_xero-requirements"
want=$(cat "$odoo_reqs" "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" | sha256sum | cut -c1-16)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "Installing Python requirements into $VENV (a few minutes the first time)"
    [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip wheel 'setuptools<81'
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$odoo_reqs" -r "$ROOT/requirements-dev.txt"
    echo "$want" > "$stamp"
fi

# --- 4. PostgreSQL ------------------------------------------------------------
if ! pg_answers; then
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
    pg_answers || die "PostgreSQL does not answer (PGHOST=${PGHOST:-<local socket>} PGPORT=${PGPORT:-5432} user=${PGUSER:-$(id -un)}).
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

cat > "$VAR/env.sh" <<EOF
# Written by scripts/bootstrap.sh
ODOO_SRC='$odoo_src'
EOF
