"""Throughput of the public pages against a bare Django view, served by gunicorn on 127.0.0.1.

Every number is a ratio to the bare view measured in the same run, so machines
of different speed give comparable results. Traffic goes only to 127.0.0.1,
in a bounded number of requests.

    .venv/bin/python bench/run.py [--requests 2000] [--concurrency 8]
"""

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "bare Django view (baseline)": "/bench/bare/",
    "home (it)": "/",
    "home (en)": "/en/",
    "search": "/cerca/?q=welfare",
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
}


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hammer(port, path, requests, concurrency):
    def worker(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(count):
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            if response.getheader("Set-Cookie"):
                raise RuntimeError(f"{path}: an anonymous reader got a cookie")
        conn.close()

    share = [requests // concurrency] * concurrency
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, share))
    return sum(share) / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    port = free_port()
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    env.setdefault("DATABASE_URL", f"sqlite:///{db}")
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "bench.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/bench/bare/")
                break
            except OSError:
                time.sleep(0.1)
        for path in PAGES.values():  # warm-up
            hammer(port, path, 50, 2)
        results = {name: hammer(port, path, args.requests, args.concurrency) for name, path in PAGES.items()}
    finally:
        server.terminate()
        server.wait(timeout=10)

    baseline = results["bare Django view (baseline)"]
    print(f"{args.requests} requests per page, {args.concurrency} concurrent clients, gunicorn with 2 workers")
    for name, rate in results.items():
        print(f"  {name:32} {rate / baseline:5.2f} × baseline")


if __name__ == "__main__":
    main()
