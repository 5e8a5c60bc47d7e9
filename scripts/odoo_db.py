"""Small PostgreSQL helpers for the scripts: drop or check a database.

Uses the same connection settings as Odoo (PGHOST, PGPORT, PGUSER...).
"""
import sys

import psycopg2
from psycopg2 import sql


def _run(query, params=None):
    # DROP DATABASE refuses transaction blocks: autocommit, no `with conn`.
    conn = psycopg2.connect(dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


def drop(name):
    _run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def exists(name):
    return bool(_run("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


if __name__ == "__main__":
    command, name = sys.argv[1], sys.argv[2]
    if command == "drop":
        drop(name)
    elif command == "exists":
        sys.exit(0 if exists(name) else 1)
    else:
        sys.exit(f"unknown command {command}")
