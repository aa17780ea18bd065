"""Where a public page spends its time, in-process: wall time per request (median and p95 of
`--repeat`), the queries with their time, and optionally a cProfile of the renders, with the bare
view (bench/urls.py) measured the same way in the same run as the yardstick.

    DATABASE_URL=postgres://.../alleanza_bench... PYTHONPATH=. DJANGO_SETTINGS_MODULE=bench.settings \\
        .venv/bin/python -m bench.pageprofile /rete/ /api/v1/events/ / /en/ [--repeat 30] [--profile 25]
        [--explain]

The page cache is off (every request renders), as in bench/run.py's cold round. The garbage
collector works as in gunicorn's processes (alliance/collector.py: what is loaded frozen, collections
between requests). No timing here is a test: it is for finding the cost, bench/run.py measures it
through gunicorn.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time

BARE = "/bench/bare/"


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["PAGE_CACHE_ENABLED"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", type=int, default=0, help="cProfile this many lines per page")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client(HTTP_HOST="127.0.0.1")

    def timed(path):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]

    for path in [BARE, *args.paths]:
        client.get(path)  # imports, templates, lru caches
    from alliance import collector

    collector.install()  # as alliance.wsgi does in gunicorn's processes
    bare = timed(BARE)
    print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'p50×bare':>9} {'queries':>8} {'SQL ms':>8}")
    print(f"{BARE:<28} {bare[0]:8.1f} {bare[1]:8.1f} {1:9.1f}")
    details = {}
    for path in args.paths:
        p50, p95 = timed(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(
            f"{path:<28} {p50:8.1f} {p95:8.1f} {p50 / bare[0]:9.1f} {len(captured.captured_queries):8d} {sql_ms:8.1f}"
        )
        details[path] = captured.captured_queries
    for path, queries in details.items():
        print(f"\n## {path}: queries, slowest first")
        for query in sorted(queries, key=lambda q: -float(q["time"]))[:8]:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:220]}")
        if args.explain and connection.vendor == "postgresql":
            for query in sorted(queries, key=lambda q: -float(q["time"]))[:2]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("\n".join("    " + row[0] for row in cursor.fetchall()))
    if args.profile:
        for path in args.paths:
            profiler = cProfile.Profile()
            reset_queries()
            profiler.enable()
            for _ in range(10):
                client.get(path)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(f"\n## {path}: cProfile of 10 renders, by cumulative time")
            print(out.getvalue())


if __name__ == "__main__":
    main()
