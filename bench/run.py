"""Throughput and latency of the public pages against a bare Django view, served by gunicorn on 127.0.0.1.

Every number is a ratio to the bare view (one query, a small template)
measured in the same server run, so machines of different speed give
comparable results. Traffic goes only to 127.0.0.1, in a bounded number of
requests. Two rounds: **cold** (page cache off: every request renders) and
**warm** (the anonymous page cache on, shared by the workers through Redis
when REDIS_URL is set, else through a folder of files). Then, optionally, the
registration burst (bench/burst.py).

    .venv/bin/python bench/run.py [--requests 1000] [--concurrency 8] [--scale 0] [--burst] [--reuse]
                                  [--page "events feed (.ics)" ...]

`--scale 1` adds 10,000 allies, 5,000 events, 200,000 registrations and
3,000 projects (bench/generate.py) — meant for PostgreSQL (DATABASE_URL).
`--reuse` measures the database of an earlier run as it is (no reset, no
generation): to measure a change again on the same data. `--page NAME`
(repeatable) measures only those pages, always beside the bare view. On PostgreSQL every
run first settles the database (VACUUM ANALYZE, bench/dbreset.py), as autovacuum keeps a
live one.
Each page gets at most `--page-seconds` per measure: a page that cannot answer
within gunicorn's timeout is reported as such (with its errors), and the run
goes on. The results are printed and written to bench/RESULTS.md.
"""

import argparse
import gzip
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "bare Django view (baseline)"
BARE_PATH = "/bench/bare/"
PAGES = {
    BASELINE: BARE_PATH,
    "home (it)": "/",
    "home (en)": "/en/",
    "search": "/cerca/?q=welfare",
    "search (a place)": "/cerca/?q=verona",
    "allies directory": "/alleati/",
    # A later page (the last but a few at scale 1; on the demo, the last page): what a crawler following
    # the pages' links asks.
    "allies directory, page 400": "/alleati/?page=400",
    "allies, region + text filter": "/alleati/?region=lombardia&q=welfare",
    "ally page": "/alleati/mag-verona/",
    "events list": "/eventi/",
    "past events, page 150": "/eventi/?when=past&page=150",
    "event page (2 days, 14 sessions)": "/eventi/fare-rete-cantieri-per-linnovazione-sociale/",
    "events feed (.ics)": "/eventi/calendario.ics",
    "projects list": "/progetti/",
    "projects list, page 140": "/progetti/?page=140",
    "projects by region": "/progetti/regioni/",
    "project page": "/progetti/cooperiamo-per-leconomia-del-buon-vivere-comune/",
    "pathway page": "/percorsi/costruire-comunita/",
    "network page": "/rete/",
    "sitemap.xml": "/sitemap.xml",
    "sitemap page (allies)": "/sitemap-allies.xml",
    "API: events": "/api/v1/events/",
}


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REQUEST_TIMEOUT = 35  # gunicorn's own is 30 s


class PageError(RuntimeError):
    pass


def fetch(conn, path, cookie=None):
    """GET `path`; anonymous unless `cookie` (a signed-in session, bench/pickers.py) is given."""
    # Accept-Encoding as every browser and calendar program sends it (the page cache keeps a gzipped copy).
    headers = {"Host": "127.0.0.1", "Accept-Encoding": "gzip", **({"Cookie": cookie} if cookie else {})}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise PageError(f"HTTP {response.status}")
    if not cookie and response.getheader("Set-Cookie"):
        raise RuntimeError(f"{path}: an anonymous reader got a cookie")
    return response.getheader("X-Queries")  # bench/middleware.py; absent on a page served by the cache


def _try(conn_holder, port, path, cookie=None) -> bool:
    """One request; False (and a fresh connection) when it failed or timed out."""
    return _try_counting(conn_holder, port, path, cookie) is not False


def _try_counting(conn_holder, port, path, cookie=None):
    """One request: its number of queries (None if not told), or False when it failed or timed out."""
    try:
        return fetch(conn_holder[0], path, cookie)
    except (PageError, OSError, http.client.HTTPException):
        conn_holder[0].close()
        conn_holder[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        return False


def hammer(port, path, requests, concurrency, seconds=None, cookie=None):
    """(requests per second, errors) with `concurrency` keep-alive clients, for at most `seconds`."""
    deadline = time.perf_counter() + seconds if seconds else None

    def worker(count):
        conn = [http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)]
        done = errors = 0
        for _ in range(count):
            if deadline and time.perf_counter() > deadline:
                break
            if _try(conn, port, path, cookie):
                done += 1
            else:
                errors += 1
        conn[0].close()
        return done, errors

    share = [max(1, requests // concurrency)] * concurrency
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(worker, share))
    elapsed = time.perf_counter() - started
    return sum(done for done, _ in results) / elapsed, sum(errors for _, errors in results)


def drain(port, limit=120):
    """Wait until the workers are free again: a slow page leaves requests queued after its clients
    gave up, and the next page must not be measured behind them."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
        started = time.perf_counter()
        try:
            fetch(conn, BARE_PATH)
        except (PageError, OSError, http.client.HTTPException):
            time.sleep(1)
            continue
        finally:
            conn.close()
        if time.perf_counter() - started < 0.5:
            return


def latencies(port, path, count, seconds=None, cookie=None, queries=None, failures=None):
    """One client, one request at a time: the p50 and p95 in milliseconds (None when none answered).
    `queries`: a dict that gets `path`'s number of queries, as the last response told it; `failures`: a
    dict that gets the number of requests of `path` that failed or timed out (not in the times)."""
    deadline = time.perf_counter() + seconds if seconds else None
    conn = [http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)]
    times = []
    for _ in range(count):
        if deadline and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        told = _try_counting(conn, port, path, cookie)
        if told is not False:
            times.append((time.perf_counter() - started) * 1000)
            if queries is not None and told is not None:
                queries[path] = int(told)
        elif failures is not None:
            failures[path] = failures.get(path, 0) + 1
    conn[0].close()
    if not times:
        return None, None
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


class Server:
    def __init__(self, env, workers=2, threads=1, root=ROOT):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "bench.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ],
            cwd=root,
            env=env,
        )
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=1).request("GET", "/bench/bare/")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def measure(env, args, cached: bool, pages: dict):
    server = Server({**env, "PAGE_CACHE_ENABLED": "true" if cached else "false"})
    seconds = args.page_seconds
    try:
        for path in pages.values():  # warm-up: imports, templates, and (warm round) the page cache
            hammer(server.port, path, 4, 2, seconds)
            drain(server.port)
        rates, single, queries = {}, {}, {}
        for name, path in pages.items():
            rates[name] = hammer(server.port, path, args.requests, args.concurrency, seconds)
            drain(server.port)
        for name, path in pages.items():
            failed = {}
            single[name] = latencies(
                server.port, path, args.latency_requests, seconds, queries=queries, failures=failed
            )
            # A request that failed has no time: it counts with the page's errors, which fail its targets.
            rates[name] = (rates[name][0], rates[name][1] + failed.get(path, 0))
            drain(server.port)
    finally:
        server.stop()
    return rates, single, {name: queries.get(path) for name, path in pages.items()}


def report(title, rates, single, queries):
    base_rate = rates[BASELINE][0]
    base_p95 = single[BASELINE][1]
    lines = [
        f"### {title}",
        "",
        "| page | throughput × bare | p50 ms | p95 ms | p95 × bare | errors | queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in rates:
        rate, errors = rates[name]
        p50, p95 = single[name]
        counted = "–" if queries.get(name) is None else queries[name]
        if p50 is None:
            lines.append(f"| {name} | {rate / base_rate:.2f} | no answer | no answer | – | {errors} | {counted} |")
        else:
            lines.append(
                f"| {name} | {rate / base_rate:.2f} | {p50:.1f} | {p95:.1f} | {p95 / base_p95:.1f} | {errors} "
                f"| {counted} |"
            )
    lines.append("")
    lines.append(
        f"Bare view: {base_rate:.0f} requests/s with the concurrent clients, p95 {base_p95:.1f} ms single-client."
    )
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-requests", type=int, default=60)
    parser.add_argument("--scale", type=float, default=0.0, help="add scale data (1.0 = 10,000 allies...)")
    parser.add_argument("--burst", action="store_true", help="also run the registration burst (bench/burst.py)")
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=30.0,
        help="at most this long per page and measure (a slow page does not stop the run)",
    )
    parser.add_argument("--reuse", action="store_true", help="measure the database of an earlier run as it is")
    parser.add_argument(
        "--lighthouse", action="store_true", help="also run Lighthouse on the demo's pages (bench/lighthouse.py)"
    )
    parser.add_argument(
        "--page",
        action="append",
        choices=[name for name in PAGES if name != BASELINE],
        help="only this page (repeatable); the targets are judged only on a run of every page",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="alleanza-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "BENCH_CACHE_DIR": str(workdir / "cache"),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    python = sys.executable
    database = env["DATABASE_URL"].split(":", 1)[0]
    if database.startswith("postgres") and not args.reuse:
        # A fresh database for every run, so that the figures do not depend on earlier runs.
        subprocess.run([python, "-c", "import bench.dbreset as r; r.reset()"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if not args.reuse:
        subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        if args.scale:
            subprocess.run([python, "-m", "bench.generate", "--scale", str(args.scale)], cwd=ROOT, env=env, check=True)
    if database.startswith("postgres"):
        subprocess.run([python, "-c", "import bench.dbreset as r; r.settle()"], cwd=ROOT, env=env, check=True)
    if args.reuse and args.scale:
        # --reuse measures the data as it is: the scale named must be there (10,000 allies at scale 1).
        code = "import django; django.setup(); from members.models import Ally; print(Ally.objects.count())"
        allies = int(
            subprocess.run(
                [python, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            ).stdout.split()[-1]
        )
        if allies < 10000 * args.scale:
            raise SystemExit(f"--scale {args.scale:g} named, but the database holds {allies} allies")

    lines = [
        "# Benchmark results",
        "",
        f"`bench/run.py --requests {args.requests} --concurrency {args.concurrency} --scale {args.scale}"
        f" --latency-requests {args.latency_requests}{' --reuse' if args.reuse else ''}"
        f" --page-seconds {args.page_seconds:g}{''.join(f' --page {name!r}' for name in args.page or [])}`"
        f" on {database}, gunicorn with 2 sync workers, production settings, "
        f"cache: {'Redis' if env.get('REDIS_URL') else 'files'}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "Ratios are to the bare view measured in the same server run.",
        "",
    ]
    pages = {name: path for name, path in PAGES.items() if not args.page or name in {BASELINE, *args.page}}
    load_before = os.getloadavg()[0]
    cold = measure(env, args, cached=False, pages=pages)
    lines += report("Cold (every request renders)", *cold)
    lines.append("")
    warm = measure(env, args, cached=True, pages=pages)
    lines += report("Warm (anonymous page cache)", *warm)
    lines += [
        "",
        f"Load average (1 minute) on {os.cpu_count()} CPUs: {load_before:.2f} before the rounds,"
        f" {os.getloadavg()[0]:.2f} after them (other work on the machine slows every page, the bare view too).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")  # kept even if the burst fails
    sys.path.insert(0, str(ROOT))  # run as a script, bench/ itself is on the path
    burst_figures, lighthouse_figures = {}, {}
    if args.burst:
        from bench import burst

        burst_text = "\n".join(["", *burst.run(env, figures=burst_figures)]) + "\n"
        print(burst_text)
        text += burst_text
        Path(args.out).write_text(text, encoding="utf-8")
    if args.lighthouse:
        from bench import lighthouse

        lighthouse_figures = lighthouse.run(3, str(ROOT / "bench" / "LIGHTHOUSE.md"))
    if args.page:  # a run of some pages judges none of the targets, which are about every page
        return
    summary = targets(args, cold, warm, burst_figures, lighthouse_figures)
    print("\n".join(summary))
    Path(args.out).write_text(text + "\n" + "\n".join(summary) + "\n", encoding="utf-8")


SEARCH_PAGES = ("search", "search (a place)")


def css_gzipped_kb() -> float:
    """The most CSS a page can ship, gzipped: the portal's build and every stylesheet of static/css together."""
    files = [ROOT / "static" / "build" / "bootstrap-italia.css", *sorted((ROOT / "static" / "css").glob("*.css"))]
    return sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files) / 1024


def targets(args, cold, warm, burst_figures, lighthouse_figures) -> list[str]:
    """The issue's targets, each with the figure that meets or misses it."""
    (cold_rates, cold_single, _), (warm_rates, _, _) = cold, warm
    pages = [name for name in PAGES if name != BASELINE]
    rows = []

    def target(name, figure, met):
        rows.append(f"| {name} | {figure} | {'met' if met else '**NOT met**'} |")

    base = warm_rates[BASELINE][0]
    worst = min(pages, key=lambda name: warm_rates[name][0])
    target(
        "warm: every page ≥ 0.5× the bare view's requests/s",
        f"lowest {warm_rates[worst][0] / base:.2f}× ({worst})",
        warm_rates[worst][0] / base >= 0.5,
    )
    slowest = max(pages, key=lambda name: cold_single[name][1] if cold_single[name][1] is not None else float("inf"))
    p95 = cold_single[slowest][1]
    scale = f"at scale {args.scale:g}" + ("" if args.scale >= 1 else " (the target is for scale 1)")
    target(
        f"cold: every page's p95 < 100 ms single-client, {scale}",
        f"highest {'no answer' if p95 is None else f'{p95:.0f} ms'} ({slowest})",
        p95 is not None and p95 < 100 and args.scale >= 1,
    )
    search = max(cold_single[name][1] or float("inf") for name in SEARCH_PAGES)
    target(f"cold: search p95 < 50 ms, {scale}", f"{search:.0f} ms", search < 50 and args.scale >= 1)
    errors = sum(cold_rates[name][1] + warm_rates[name][1] for name in pages)
    target("no page fails or times out", f"{errors} errors", errors == 0)
    css = css_gzipped_kb()
    target("CSS a page ships ≤ 60 KB gzipped (every stylesheet together)", f"{css:.1f} KB", css <= 60)
    if lighthouse_figures:
        target(
            "Lighthouse performance ≥ 95 on every public page",
            f"lowest {lighthouse_figures['score']:.0f}",
            lighthouse_figures["score"] >= 95,
        )
        target("CLS < 0.05", f"largest {lighthouse_figures['cls']:.3f}", lighthouse_figures["cls"] < 0.05)
    if burst_figures:
        b = burst_figures
        exact = (b["confirmed"], b["waitlisted"], b["others"]) == (b["seats"], b["people"] - b["seats"], 0)
        target(
            f"burst: exactly {b['seats']} confirmed and {b['people'] - b['seats']} waitlisted, one e-mail each",
            f"{b['confirmed']} confirmed, {b['waitlisted']} waitlisted, {b['others']} other, {b['emails']} e-mails",
            exact and b["emails"] == b["people"] and b["extra_emails"] == 0,
        )
        target("burst: no 4xx or 5xx", f"{b['errors']}", b["errors"] == 0)
        sync = b["procfile"]  # the same burst through the Procfile's sync workers: the same outcome
        target(
            "burst through the Procfile's sync workers: the same outcome, no 4xx or 5xx",
            f"{sync['confirmed']} confirmed, {sync['waitlisted']} waitlisted, {sync['others']} other, "
            f"{sync['emails']} e-mails, {sync['errors']} errors",
            (sync["confirmed"], sync["waitlisted"], sync["others"]) == (b["seats"], b["people"] - b["seats"], 0)
            and sync["emails"] == b["people"]
            and sync["extra_emails"] == 0
            and sync["errors"] == 0,
        )
        target(
            "burst: p99 < 1 s",
            f"p99 {b['p99']:.0f} ms (p50 {b['p50']:.0f} ms, {b['rate']:.0f}/s); the bare view in the same waves: "
            f"p99 {b['bare_burst_p99']:.0f} ms ({b['bare_burst_rate']:.0f}/s)",
            b["p99"] < 1000,
        )
    constant = "queries per page: the query-count tests of `make test` hold them constant; the column above shows them"
    return ["## Targets of issue 13", "", "| target | figure | |", "|---|---|---|", *rows, "", constant]


if __name__ == "__main__":
    main()
