"""Small PostgreSQL helpers for the scripts: drop or check a database.

Uses the same connection settings as Odoo (PGHOST, PGPORT, PGUSER...).
"""
import os
import shutil
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


def copy(template, name, data_dir="var/data"):
    """A copy of ``template`` (no one may be connected to it), its filestore too."""
    _run(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                         sql.Identifier(template)))
    source = os.path.join(data_dir, "filestore", template)
    if os.path.isdir(source):
        shutil.copytree(source, os.path.join(data_dir, "filestore", name), dirs_exist_ok=True)


def exists(name):
    return bool(_run("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


if __name__ == "__main__":
    command, name = sys.argv[1], sys.argv[2]
    if command == "drop":
        drop(name)
    elif command == "copy":
        copy(name, sys.argv[3])
    elif command == "exists":
        sys.exit(0 if exists(name) else 1)
    else:
        sys.exit(f"unknown command {command}")
