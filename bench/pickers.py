"""The ally pickers with 10,000 allies: the type-ahead's endpoint and the event editor, against the bare view.

Fills a PostgreSQL database of its own (re-created on every run) with the demo and bench/generate.py's
scale data (10,000 approved allies at `--scale 1`), signs a coordinator in, then serves the portal with
gunicorn as bench/run.py does and measures, in the same server run, the bare Django view and:

- the picker's JSON endpoint (initiatives:ally_search) for a few typed texts: many matches (at most
  20 answered), a rarer word, one full name;
- the event editor's page for a new event, whose two pickers (organizers, admission allies) no longer
  list every ally.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alleanza_bench_h3 \\
        /work/main/.venv/bin/python -m bench.pickers [--scale 1.0] [--requests 400] [--concurrency 4] [--reuse]

Prints a Markdown section (for bench/RESULTS.md); ratios are to the bare view of the same run.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import BASELINE, Server, hammer, latencies

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/alleanza_bench_h3"

SETUP = """
import django, json
django.setup()
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation
from alliance.roles import COORDINATOR_GROUP
from members.models import Ally, User

user, _ = User.objects.get_or_create(email="bench-coordinatrice@example.org", defaults={"full_name": "Bench"})
user.groups.add(Group.objects.get_or_create(name=COORDINATOR_GROUP)[0])
client = Client()
client.force_login(user)
name = Ally.objects.members().filter(slug__startswith="bench-alleato-").order_by("pk").values_list("name", flat=True)[5000]
with translation.override("it"):
    search, editor = reverse("initiatives:ally_search"), reverse("events:event_create")
print(json.dumps({"cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
                  "search": search, "editor": editor, "name": name,
                  "allies": Ally.objects.members().count()}))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="bench/generate.py's scale (1.0 = 10,000 allies)")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-requests", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier run filled")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "BENCH_CACHE_DIR": tempfile.mkdtemp(prefix="alleanza-bench-pickers-"),
        "PAGE_CACHE_ENABLED": "false",
    }
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    python = sys.executable
    if not args.reuse:
        subprocess.run([python, "-c", "import bench.dbreset as r; r.reset()"], cwd=ROOT, env=env, check=True)
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([python, "-m", "bench.generate", "--scale", str(args.scale)], cwd=ROOT, env=env, check=True)
    import json

    setup = json.loads(
        subprocess.run([python, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    from urllib.parse import quote

    search = setup["search"]
    pages = {
        BASELINE: "/bench/bare/",
        "picker: “co” (thousands match, 20 answered)": f"{search}?q=co",
        "picker: “welfare rete” (a rarer pair)": f"{search}?q={quote('welfare rete')}",
        "picker: one full name": f"{search}?q={quote(setup['name'])}",
        "event editor, new event (two pickers)": setup["editor"],
    }
    server = Server(env)
    try:
        for path in pages.values():
            hammer(server.port, path, 20, 2, cookie=setup["cookie"])
        measured = {
            name: hammer(server.port, path, args.requests, args.concurrency, cookie=setup["cookie"])
            for name, path in pages.items()
        }
        single = {
            name: latencies(server.port, path, args.latency_requests, cookie=setup["cookie"])
            for name, path in pages.items()
        }
    finally:
        server.stop()

    failed = {name: errors for name, (_rate, errors) in measured.items() if errors}
    if failed:
        raise RuntimeError(f"requests failed: {failed}")
    rates = {name: rate for name, (rate, _errors) in measured.items()}
    base_rate, base_p95 = rates[BASELINE], single[BASELINE][1]
    lines = [
        "## Ally pickers with 10,000 allies (issue 10)",
        "",
        f"`DATABASE_URL=…/alleanza_bench_h3 python -m bench.pickers --scale {args.scale} --requests {args.requests} "
        f"--concurrency {args.concurrency}`: PostgreSQL, {setup['allies']} member allies, gunicorn with 2 sync "
        f"workers, production settings, signed in as a coordinator; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Ratios are to the bare view of the same run.",
        "",
        "| request | throughput × bare | req/s | p50 ms | p95 ms | p95 × bare |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in pages:
        p50, p95 = single[name]
        lines.append(
            f"| {name} | {rates[name] / base_rate:.2f} | {rates[name]:.0f} | {p50:.1f} | {p95:.1f} | "
            f"{p95 / base_p95:.1f} |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
