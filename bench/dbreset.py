"""Drop and re-create the PostgreSQL database named by DATABASE_URL (bench runs only)."""

import os
from urllib.parse import urlsplit


def reset():
    import psycopg2

    url = urlsplit(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    if not name.startswith("alleanza_bench"):
        raise SystemExit(f"Refusing to reset {name!r}: bench databases are named alleanza_bench*.")
    conn = psycopg2.connect(
        dbname="postgres",
        user=url.username or None,
        password=url.password or None,
        host=url.hostname or None,
        port=url.port or None,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
