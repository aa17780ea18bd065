"""Throughput and latency of the public pages against a bare Django view, served by gunicorn on 127.0.0.1.

Every number is a ratio to the bare view (one query, a small template)
measured in the same server run, so machines of different speed give
comparable results. Traffic goes only to 127.0.0.1, in a bounded number of
requests. Two rounds: **cold** (page cache off: every request renders) and
**warm** (the anonymous page cache on, shared by the workers through Redis
when REDIS_URL is set, else through a folder of files). Then, optionally, the
registration burst (bench/burst.py).

    .venv/bin/python bench/run.py [--requests 1000] [--concurrency 8] [--scale 0] [--burst]

`--scale 1` adds 10,000 allies, 5,000 events, 200,000 registrations and
3,000 projects (bench/generate.py) — meant for PostgreSQL (DATABASE_URL).
The results are printed and written to bench/RESULTS.md.
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
PAGES = {
    BASELINE: "/bench/bare/",
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


def fetch(conn, path, cookie=None):
    """GET `path`; anonymous unless `cookie` (a signed-in session, bench/pickers.py) is given."""
    conn.request("GET", path, headers={"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {})})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    if not cookie and response.getheader("Set-Cookie"):
        raise RuntimeError(f"{path}: an anonymous reader got a cookie")


def hammer(port, path, requests, concurrency, cookie=None):
    """Requests per second with `concurrency` keep-alive clients."""

    def worker(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(count):
            fetch(conn, path, cookie)
        conn.close()

    share = [requests // concurrency] * concurrency
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, share))
    return sum(share) / (time.perf_counter() - started)


def latencies(port, path, count, cookie=None):
    """One client, one request at a time: the p50 and p95 in milliseconds."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        fetch(conn, path, cookie)
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


class Server:
    def __init__(self, env, workers=2, threads=1):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "bench.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"],
            cwd=ROOT, env=env,
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
    try:
        for path in PAGES.values():  # warm-up: imports, templates, and (warm round) the page cache
            hammer(server.port, path, 20, 2)
        rates = {name: hammer(server.port, path, args.requests, args.concurrency) for name, path in PAGES.items()}
        single = {name: latencies(server.port, path, args.latency_requests) for name, path in PAGES.items()}
    finally:
        server.stop()
    return rates, single


def report(title, rates, single):
    base_rate = rates[BASELINE]
    base_p95 = single[BASELINE][1]
    lines = [f"### {title}", "", "| page | throughput × bare | p50 ms | p95 ms | p95 × bare |", "|---|---:|---:|---:|---:|"]
    for name in PAGES:
        p50, p95 = single[name]
        lines.append(f"| {name} | {rates[name] / base_rate:.2f} | {p50:.1f} | {p95:.1f} | {p95 / base_p95:.1f} |")
    lines.append("")
    lines.append(f"Bare view: {base_rate:.0f} requests/s with the concurrent clients, p95 {base_p95:.1f} ms single-client.")
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-requests", type=int, default=60)
    parser.add_argument("--scale", type=float, default=0.0, help="add scale data (1.0 = 10,000 allies...)")
    parser.add_argument("--burst", action="store_true", help="also run the registration burst (bench/burst.py)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="alleanza-bench-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT),
           "BENCH_CACHE_DIR": str(workdir / "cache")}
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    python = sys.executable
    database = env["DATABASE_URL"].split(":", 1)[0]
    if database.startswith("postgres"):
        # A fresh database for every run, so that the figures do not depend on earlier runs.
        subprocess.run([python, "-c", "import bench.dbreset as r; r.reset()"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    if args.scale:
        subprocess.run([python, "-m", "bench.generate", "--scale", str(args.scale)], cwd=ROOT, env=env, check=True)

    lines = [
        "# Benchmark results", "",
        f"`bench/run.py --requests {args.requests} --concurrency {args.concurrency} --scale {args.scale}`"
        f" on {database}, gunicorn with 2 sync workers, production settings, "
        f"cache: {'Redis' if env.get('REDIS_URL') else 'files'}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "Ratios are to the bare view measured in the same server run.", "",
    ]
    cold = measure(env, args, cached=False)
    lines += report("Cold (every request renders)", *cold)
    lines.append("")
    warm = measure(env, args, cached=True)
    lines += report("Warm (anonymous page cache)", *warm)
    if args.burst:
        from bench import burst

        lines += ["", *burst.run(env)]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
