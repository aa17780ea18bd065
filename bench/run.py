"""Throughput and latency of the public pages against a bare Django view, served by gunicorn on 127.0.0.1.

Every number is a ratio to the bare view (one query, a small template)
measured in the same server run, so machines of different speed give
comparable results. Traffic goes only to 127.0.0.1, in a bounded number of
requests. Two rounds: **cold** (page cache off: every request renders) and
**warm** (the anonymous page cache on, shared by the workers through Redis
when REDIS_URL is set, else through a folder of files). Then, optionally, the
registration burst (bench/burst.py).

    .venv/bin/python bench/run.py [--requests 1000] [--concurrency 8] [--scale 0] [--burst] [--reuse]

`--scale 1` adds 10,000 allies, 5,000 events, 200,000 registrations and
3,000 projects (bench/generate.py) — meant for PostgreSQL (DATABASE_URL).
`--reuse` measures the database of an earlier run as it is (no reset, no
generation): to measure a change again on the same data. On PostgreSQL every run first settles the
database (VACUUM ANALYZE, bench/dbreset.py), as autovacuum keeps a live one. `--only network` (repeatable)
measures only the pages whose name contains the word, with the bare view.
Each page gets at most `--page-seconds` per measure: a page that cannot answer
within gunicorn's timeout is reported as such (with its errors), and the run
goes on. The results are printed and written to bench/RESULTS.md.
"""

import argparse
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
    "allies, region + text filter": "/alleati/?region=lombardia&q=welfare",
    "ally page": "/alleati/mag-verona/",
    "events list": "/eventi/",
    "event page (2 days, 14 sessions)": "/eventi/fare-rete-cantieri-per-linnovazione-sociale/",
    "events feed (.ics)": "/eventi/calendario.ics",
    "projects list": "/progetti/",
    "projects by region": "/progetti/regioni/",
    "project page": "/progetti/cooperiamo-per-leconomia-del-buon-vivere-comune/",
    "pathway page": "/percorsi/costruire-comunita/",
    "network page": "/rete/",
    "sitemap.xml": "/sitemap.xml",
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
    conn.request("GET", path, headers={"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {})})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise PageError(f"HTTP {response.status}")
    if not cookie and response.getheader("Set-Cookie"):
        raise RuntimeError(f"{path}: an anonymous reader got a cookie")


def _try(conn_holder, port, path, cookie=None) -> bool:
    """One request; False (and a fresh connection) when it failed or timed out."""
    try:
        fetch(conn_holder[0], path, cookie)
        return True
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


def latencies(port, path, count, seconds=None, cookie=None):
    """One client, one request at a time: the p50 and p95 in milliseconds (None when none answered)."""
    deadline = time.perf_counter() + seconds if seconds else None
    conn = [http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)]
    times = []
    for _ in range(count):
        if deadline and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        if _try(conn, port, path, cookie):
            times.append((time.perf_counter() - started) * 1000)
    conn[0].close()
    if not times:
        return None, None
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


class Server:
    def __init__(self, env, workers=2, threads=1):
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
            cwd=ROOT,
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


def measure(env, args, cached: bool):
    server = Server({**env, "PAGE_CACHE_ENABLED": "true" if cached else "false"})
    seconds = args.page_seconds
    try:
        for path in PAGES.values():  # warm-up: imports, templates, and (warm round) the page cache
            hammer(server.port, path, 4, 2, seconds)
            drain(server.port)
        rates, single = {}, {}
        for name, path in PAGES.items():
            rates[name] = hammer(server.port, path, args.requests, args.concurrency, seconds)
            drain(server.port)
        for name, path in PAGES.items():
            single[name] = latencies(server.port, path, args.latency_requests, seconds)
            drain(server.port)
    finally:
        server.stop()
    return rates, single


def report(title, rates, single):
    base_rate = rates[BASELINE][0]
    base_p95 = single[BASELINE][1]
    lines = [
        f"### {title}",
        "",
        "| page | throughput × bare | p50 ms | p95 ms | p95 × bare | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in PAGES:
        rate, errors = rates[name]
        p50, p95 = single[name]
        if p50 is None:
            lines.append(f"| {name} | {rate / base_rate:.2f} | no answer | no answer | – | {errors} |")
        else:
            lines.append(
                f"| {name} | {rate / base_rate:.2f} | {p50:.1f} | {p95:.1f} | {p95 / base_p95:.1f} | {errors} |"
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
    parser.add_argument("--out", help="where to write the results (bench/RESULTS.md unless --only)")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only the pages whose name contains this (repeatable); the bare view always",
    )
    args = parser.parse_args()
    out = args.out or (None if args.only else str(ROOT / "bench" / "RESULTS.md"))
    if args.only:
        chosen = {name: path for name, path in PAGES.items() if any(word in name for word in args.only)}
        PAGES.clear()
        PAGES.update({BASELINE: BARE_PATH, **chosen})

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

    lines = [
        "# Benchmark results",
        "",
        f"`bench/run.py --requests {args.requests} --concurrency {args.concurrency} --scale {args.scale}"
        f"{' --reuse' if args.reuse else ''} --page-seconds {args.page_seconds:g}"
        f"{''.join(f' --only {word!r}' for word in args.only)}`"
        f" on {database}, gunicorn with 2 sync workers, production settings, "
        f"cache: {'Redis' if env.get('REDIS_URL') else 'files'}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "Ratios are to the bare view measured in the same server run.",
        "",
    ]
    load_before = os.getloadavg()[0]
    cold = measure(env, args, cached=False)
    lines += report("Cold (every request renders)", *cold)
    lines.append("")
    warm = measure(env, args, cached=True)
    lines += report("Warm (anonymous page cache)", *warm)
    lines += [
        "",
        f"Load average (1 minute) on {os.cpu_count()} CPUs: {load_before:.2f} before the run,"
        f" {os.getloadavg()[0]:.2f} after it (other work on the machine slows every page, the bare view too).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        Path(out).write_text(text, encoding="utf-8")  # kept even if the burst fails
    if args.burst:
        sys.path.insert(0, str(ROOT))  # run as a script, bench/ itself is on the path
        from bench import burst

        burst_lines = ["", *burst.run(env)]
        print("\n".join(burst_lines))
        if out:
            Path(out).write_text(text + "\n".join(burst_lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
