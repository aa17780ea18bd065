"""Drop and re-create, or settle, the PostgreSQL database named by DATABASE_URL (bench runs only)."""

import os
from urllib.parse import urlsplit


def _connect(dbname):
    import psycopg2

    url = urlsplit(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    # alleanza_bench*, or a helper's copy of it (alleanza_<name>_bench, notes/HELPER-RULES.md).
    if not (name.startswith("alleanza_bench") or (name.startswith("alleanza_") and name.endswith("_bench"))):
        raise SystemExit(f"Refusing to reset {name!r}: bench databases are named alleanza_bench* or alleanza_*_bench.")
    conn = psycopg2.connect(
        dbname=dbname or name,
        user=url.username or None,
        password=url.password or None,
        host=url.hostname or None,
        port=url.port or None,
    )
    conn.autocommit = True
    return conn, name


def reset():
    conn, name = _connect("postgres")
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def settle():
    """VACUUM (ANALYZE): the visibility map and the statistics that autovacuum keeps on a live
    database. A bench database is measured right after bulk inserts (or copied from another), when
    neither is there yet, and autovacuum may be off on the machine: without them the planner reads
    the table where a live database answers from an index alone (index-only scans)."""
    conn, _name = _connect(None)
    with conn.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    conn.close()
