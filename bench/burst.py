"""The registration burst: 1,000 signed-in people register in the same moment for a 200-seat event.

Served by gunicorn with workers and threads on 127.0.0.1. Checks the outcome
(exactly 200 confirmed, 800 waitlisted, one e-mail each, no 5xx) and reports
p50/p99 latencies, with the bare view asked by the same people in the same
waves as the reference. Then the same burst again, on a new event, through the
Procfile's 3 sync workers (its outcome is checked too; its latencies are
indicative: it always runs second). Then times the reminder scan (nothing due)
over every registration in the database.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.burst   (bench/run.py --burst calls it)
"""

import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 1000
SEATS = 200
SLUG = "bench-burst"
WARMUP, WARMUP_SLUG = 40, "bench-burst-warmup"  # 20 seats: confirmations and waiting lists both
CONNECTIONS = 200  # open at once; each sends its next request as soon as one is answered


def setup(people: int = PEOPLE, seats: int = SEATS) -> list[dict]:
    """Users with verified addresses, a signed-in session each, and a 200-seat event open to members; and
    WARMUP more people for a small event of its own, registered before the burst (see `run`)."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from events.models import Event

    User = get_user_model()
    now = timezone.now()
    from alliance.models import OutgoingEmail

    Event.objects.filter(slug__in=[SLUG, WARMUP_SLUG]).delete()
    # The e-mails of an earlier burst on the same database (bench/run.py --reuse) are not this one's.
    OutgoingEmail.objects.filter(to__startswith="burst", to__endswith="@example.org").delete()
    _vacuum("events_registration", "alliance_outgoingemail", "alliance_logentry", "django_session")
    for slug, capacity in ((SLUG, seats), (WARMUP_SLUG, WARMUP // 2)):
        Event.objects.create(
            title="Burst",
            slug=slug,
            summary="Mille persone, duecento posti.",
            start=now + timezone.timedelta(days=30),
            end=now + timezone.timedelta(days=30, hours=4),
            capacity=capacity,
            status="published",
            published_at=now,
            registration_policy="open",
        )
    people_rows = []
    for n in range(people + WARMUP):
        email = f"burst{n}@example.org" if n < people else f"burst-warmup{n - people}@example.org"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=None, full_name=f"Persona {n}"
        )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        slug = SLUG if n < people else WARMUP_SLUG
        people_rows.append({"email": email, "name": user.full_name, "session": session.session_key, "slug": slug})
    return people_rows


def _vacuum(*tables) -> None:
    """The rows an earlier round deleted or left dead, cleared before the next round (PostgreSQL only): a round
    must not find them, nor autovacuum start on them in the middle of it."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")


def outcome() -> dict:
    import django

    django.setup()
    from django.db.models import Count

    from alliance.models import OutgoingEmail
    from events.models import Registration

    statuses = dict(
        Registration.objects.filter(event__slug=SLUG)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    mails = OutgoingEmail.objects.filter(to__startswith="burst", to__endswith="@example.org").exclude(
        to__startswith="burst-warmup"
    )
    per_person = mails.values("to").annotate(n=Count("pk"))
    return {
        "statuses": statuses,
        "emails": mails.count(),
        "people_with_more_than_one_email": sum(1 for row in per_person if row["n"] > 1),
    }


def reminder_scan(repeat: int = 20) -> dict:
    import django

    django.setup()
    from django.db import connection

    from alliance.models import Theme
    from events.models import Registration
    from events.services import send_due_reminders

    def timed(fn):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    connection.ensure_connection()
    bare = timed(lambda: Theme.objects.order_by("pk").first())
    scan = timed(send_due_reminders)
    return {"registrations": Registration.objects.count(), "scan_ms": scan, "bare_query_ms": bare}


def _registration_request(row) -> tuple[str, str, str, dict]:
    body = urlencode(
        {"name": row["name"], "email": row["email"], "privacy_consent": "on", "csrfmiddlewaretoken": "b" * 32}
    )
    headers = {
        "Host": "127.0.0.1",
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={row['session']}; csrftoken={'b' * 32}",
        "Referer": "http://127.0.0.1/",
    }
    return "POST", f"/eventi/{row['slug']}/iscriviti/", body, headers


def _bare_request(row) -> tuple[str, str, str | None, dict]:
    return "GET", "/bench/bare/", None, {"Host": "127.0.0.1", "Cookie": f"sessionid={row['session']}"}


def _burst(port, rows, request, connections: int = CONNECTIONS) -> tuple[list[float], list[int], float]:
    """Every row's request, in waves of `connections` sent together (each waits until the whole wave is ready):
    the latencies (ms, sorted), the failed statuses, and the requests answered per second."""
    # One barrier per wave, as large as the wave (the last one may be smaller).
    waves = [threading.Barrier(len(rows[i : i + connections])) for i in range(0, len(rows), connections)]
    times, failures = [], []

    def send(numbered):
        number, row = numbered
        method, path, body, headers = request(row)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            waves[number // connections].wait(timeout=60)
        except threading.BrokenBarrierError:
            pass
        began = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - began) * 1000)
        if response.status >= 400:
            failures.append(response.status)
        conn.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(send, enumerate(rows)))
    return sorted(times), failures, len(rows) / (time.perf_counter() - began)


def _p(times, q) -> float:
    return times[min(len(times) - 1, int(len(times) * q))]


def _django(env, code):
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


PROCFILE = (3, 1)  # the Procfile's web process: WEB_CONCURRENCY=3 sync workers


def _round(env, people, seats, workers, threads) -> dict:
    """One burst through gunicorn with `workers` × `threads`, on an event and sessions made for it."""
    from bench.run import Server, latencies

    rows = _django(env, f"import json, bench.burst as b; print(json.dumps(b.setup({people}, {seats})))")
    warmup, rows = rows[people:], rows[:people]
    server = Server({**env, "PAGE_CACHE_ENABLED": "false"}, workers=workers, threads=threads)
    try:
        latencies(server.port, "/bench/bare/", 30)  # warm
        bare_p50, bare_p95 = latencies(server.port, "/bench/bare/", 30)
        # Warm-up, as the page benchmark's: each worker's first registrations load the code and the templates
        # of the form, the service and the e-mails, which a portal that is running has long done.
        warmup_failures = _burst(server.port, warmup, _registration_request, connections=8)[1]
        if warmup_failures:
            raise RuntimeError(f"the warm-up's registrations failed: {warmup_failures}")
        # The yardstick: the same people, the same connections, asking the bare view.
        baseline, baseline_failures, baseline_rate = _burst(server.port, rows, _bare_request)
        times, failures, rate = _burst(server.port, rows, _registration_request)
    finally:
        server.stop()
    result = _django(env, "import json, bench.burst as b; print(json.dumps(b.outcome()))")
    statuses = result["statuses"]
    return {
        "confirmed": statuses.get("confirmed", 0),
        "waitlisted": statuses.get("waitlisted", 0),
        "others": sum(v for k, v in statuses.items() if k not in ("confirmed", "waitlisted")),
        "errors": len(failures),
        "failed_statuses": sorted(set(failures)),
        "extra_emails": result["people_with_more_than_one_email"],
        "emails": result["emails"],
        "p50": statistics.median(times),
        "p99": _p(times, 0.99),
        "rate": rate,
        "bare_burst_p50": statistics.median(baseline),
        "bare_burst_p99": _p(baseline, 0.99),
        "bare_burst_rate": baseline_rate,
        "bare_burst_errors": len(baseline_failures),
        "bare_p50": bare_p50,
        "bare_p95": bare_p95,
    }


def run(env, people: int = PEOPLE, seats: int = SEATS, figures: dict | None = None) -> list[str]:
    """The report's lines; `figures`, if given, gets the outcome and the latencies (bench/run.py's targets).

    The issue's round (4 workers × 8 threads) is the one the targets judge; a second round through the Procfile's
    3 sync workers tells what production's own configuration does with the same burst.
    """
    main = _round(env, people, seats, 4, 8)
    procfile = _round(env, people, seats, *PROCFILE)
    scan = _django(env, "import json, bench.burst as b; print(json.dumps(b.reminder_scan()))")
    if figures is not None:
        figures.update(main, people=people, seats=seats, procfile=procfile)
    m = main
    lines = [
        f"### Registration burst: {people} signed-in people at once for {seats} seats",
        "",
        f"gunicorn with 4 workers × 8 threads; the requests leave in waves of {CONNECTIONS} sent together, each "
        f"wave as soon as the last one's {CONNECTIONS} are answered; {WARMUP} registrations for another event "
        "first warm the workers up.",
        "",
        f"- confirmed: {m['confirmed']}, waitlisted: {m['waitlisted']}, other: {m['others']}",
        f"- e-mails queued: {m['emails']}; people with more than one: {m['extra_emails']}",
        f"- HTTP errors (4xx/5xx): {m['errors']} {m['failed_statuses'] or ''}",
        f"- latency p50 {m['p50']:.0f} ms, p99 {m['p99']:.0f} ms; {m['rate']:.0f} registrations per second",
        f"- the bare view asked by the same {people} people in the same waves: p50 {m['bare_burst_p50']:.0f} ms, "
        f"p99 {m['bare_burst_p99']:.0f} ms, {m['bare_burst_rate']:.0f} requests per second, "
        f"{m['bare_burst_errors']} errors; the registrations' p99 is {m['p99'] / m['bare_burst_p99']:.1f}× the "
        "bare view's",
        f"- the bare view, one request at a time: p50 {m['bare_p50']:.1f} ms, p95 {m['bare_p95']:.1f} ms",
        "",
        f"The same burst, on a new event, through the Procfile's {PROCFILE[0]} sync workers (after the first round, "
        "on the same database: its latencies are indicative):",
        "",
        f"- confirmed: {procfile['confirmed']}, waitlisted: {procfile['waitlisted']}, other: {procfile['others']}; "
        f"e-mails {procfile['emails']}, people with more than one: {procfile['extra_emails']}; HTTP errors: "
        f"{procfile['errors']} {procfile['failed_statuses'] or ''}",
        f"- latency p50 {procfile['p50']:.0f} ms, p99 {procfile['p99']:.0f} ms; {procfile['rate']:.0f} registrations "
        f"per second; the bare view in the same waves: p99 {procfile['bare_burst_p99']:.0f} ms, "
        f"{procfile['bare_burst_rate']:.0f} requests per second",
        "",
        f"### Reminder scan with nothing due, over {scan['registrations']} registrations",
        "",
        f"- {scan['scan_ms']:.1f} ms per scan (median of 20); one bare query: {scan['bare_query_ms']:.2f} ms "
        f"({scan['scan_ms'] / max(scan['bare_query_ms'], 0.001):.0f}×)",
    ]
    return lines


if __name__ == "__main__":
    import os

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    print("\n".join(run(env)))
