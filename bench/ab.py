"""Before and after on one machine: two gunicorn servers (bench/run.py's, production settings, page
cache off), one serving another checkout and database, the other this checkout and its database;
one client sends each page to both in turn, so that whatever else runs on the machine slows both
alike. Prints the p50 and p95 of each side, and each p95 as a ratio to its side's bare view.

    .venv/bin/python bench/ab.py --before-root ../main --before-db postgres://…/before \\
        --after-db postgres://…/after [--requests 120] [--page search --page "search (a place)"]

Both databases should hold the same content (a copy of one made before migrating the other).
Traffic goes only to 127.0.0.1, in a bounded number of requests.
"""

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402

PAGES = {
    **run.PAGES,  # every page of bench/run.py, and variants of the search and the lists
    "search, one kind": "/cerca/?q=welfare&kind=ally",
    "search, one kind, page 5": "/cerca/?q=welfare&kind=event&page=5",
    "search, a region": "/cerca/?region=lombardia",
    "allies, text filter": "/alleati/?q=welfare",
    "events, text filter": "/eventi/?q=welfare",
    "projects, text filter": "/progetti/?q=welfare",
}

# The pages that search (issue 13), measured by default.
SEARCHING = [
    "search",
    "search (a place)",
    "search, one kind",
    "search, one kind, page 5",
    "search, a region",
    "allies directory",
    "allies, region + text filter",
    "allies, text filter",
    "events list",
    "events, text filter",
    "projects list",
    "projects, text filter",
]


def percentiles(times):
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before-root", required=True, help="the other checkout (its .venv is not used)")
    parser.add_argument("--before-db", required=True)
    parser.add_argument("--after-db", required=True)
    parser.add_argument("--requests", type=int, default=120, help="per page and side")
    parser.add_argument("--page", action="append", choices=list(PAGES), help="a page to measure (repeatable)")
    args = parser.parse_args()
    names = [run.BASELINE, *(name for name in args.page or SEARCHING if name != run.BASELINE)]
    pages = {name: PAGES[name] for name in names}

    def env(root, database):
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(root),
            "DATABASE_URL": database,
            "PAGE_CACHE_ENABLED": "false",
            "BENCH_CACHE_DIR": tempfile.mkdtemp(prefix="alleanza-ab-"),
        }

    before_root = Path(args.before_root).resolve()
    servers = {
        "before": run.Server(env(before_root, args.before_db), root=before_root),
        "after": run.Server(env(ROOT, args.after_db)),
    }
    try:
        conns = {side: http.client.HTTPConnection("127.0.0.1", s.port, timeout=35) for side, s in servers.items()}
        for path in pages.values():  # warm-up: imports, templates
            for side in servers:
                for _ in range(3):
                    run.fetch(conns[side], path)
        results = {}
        for name, path in pages.items():
            times = {side: [] for side in servers}
            for n in range(args.requests):
                for side in list(servers)[:: 1 if n % 2 == 0 else -1]:
                    started = time.perf_counter()
                    run.fetch(conns[side], path)
                    times[side].append((time.perf_counter() - started) * 1000)
            results[name] = {side: percentiles(found) for side, found in times.items()}
    finally:
        for server in servers.values():
            server.stop()
    bare = results[run.BASELINE]
    print(f"{args.requests} single-client requests a page and side, alternating; ms.\n")
    print("| page | before p50 | before p95 | p95 × bare | after p50 | after p95 | p95 × bare |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, sides in results.items():
        (b50, b95), (a50, a95) = sides["before"], sides["after"]
        print(
            f"| {name} | {b50:.1f} | {b95:.1f} | {b95 / bare['before'][1]:.1f} "
            f"| {a50:.1f} | {a95:.1f} | {a95 / bare['after'][1]:.1f} |"
        )


if __name__ == "__main__":
    main()
