"""Scale data for the benchmarks: a network of ten thousand allies.

Adds, next to the demo content, 10,000 approved allies (with regions and
themes), 5,000 published events (one in ten with 20 sessions), 200,000
registrations and 3,000 published projects, with bulk inserts. Run it through
Django (bench/run.py does):

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.generate [--scale 1.0]

`--scale` multiplies every count (0.1 for a quick try). PostgreSQL is the
intended database for this size; SQLite works but slowly.
"""

import argparse
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
WORDS = (
    "comunità welfare generativo cooperativa territorio orti sociali rigenerazione beni comuni economia "
    "civile giovani lavoro inclusione cultura educazione salute abitare rete fondazione associazione "
    "partecipazione ambiente innovazione sociale scuola quartiere montagna filiera agricoltura cura"
).split()
BATCH = 2000


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def generate(scale: float = 1.0, seed: int = 7, out=print) -> dict:
    import django

    django.setup()
    from django.utils import timezone

    from alliance.models import Region, Theme
    from events.models import Event, Registration, Session
    from initiatives.models import Project
    from members.models import Ally

    rng = random.Random(seed)
    counts = {
        "allies": int(10_000 * scale),
        "events": int(5_000 * scale),
        "registrations": int(200_000 * scale),
        "projects": int(3_000 * scale),
    }
    now = timezone.now()
    regions = list(Region.objects.all())
    themes = list(Theme.objects.all())

    out(f"allies: {counts['allies']}")
    allies = []
    for i in range(counts["allies"]):
        organization = i % 3 != 0
        allies.append(
            Ally(
                kind="organization" if organization else "person",
                name=f"{'Cooperativa' if organization else 'Persona'} {_text(rng, 2).title()} {i}",
                slug=f"bench-alleato-{i}",
                summary=_text(rng, 12),
                description=_text(rng, 80),
                legal_form="cooperativa_sociale" if organization else "",
                approved_at=now - timedelta(days=rng.randint(1, 2000)),
                membership_status="active",
            )
        )
    allies = Ally.objects.bulk_create(allies, batch_size=BATCH)
    _m2m(Ally.regions.through, "ally_id", "region_id", allies, regions, rng)
    _m2m(Ally.themes.through, "ally_id", "theme_id", allies, themes, rng)

    out(f"projects: {counts['projects']}")
    projects = [
        Project(
            title=f"Progetto {_text(rng, 3)} {i}",
            slug=f"bench-progetto-{i}",
            summary=_text(rng, 15),
            description=_text(rng, 120),
            lead_ally=rng.choice(allies),
            status=rng.choice(["proposed", "running", "concluded"]),
            publication="published",
            published_at=now - timedelta(days=rng.randint(1, 1500)),
            start_date=(now - timedelta(days=rng.randint(1, 1500))).date(),
        )
        for i in range(counts["projects"])
    ]
    projects = Project.objects.bulk_create(projects, batch_size=BATCH)
    _m2m(Project.regions.through, "project_id", "region_id", projects, regions, rng)
    _m2m(Project.themes.through, "project_id", "theme_id", projects, themes, rng)

    out(f"events: {counts['events']}")
    events = []
    for i in range(counts["events"]):
        day = (now + timedelta(days=rng.randint(-700, 400))).astimezone(ROME).date()
        events.append(
            Event(
                title=f"Incontro {_text(rng, 3)} {i}",
                slug=f"bench-evento-{i}",
                summary=_text(rng, 15),
                description=_text(rng, 60),
                city=rng.choice(["Verona", "Milano", "Reggio Emilia", "Bologna", "Napoli", "Torino"]),
                region=rng.choice(regions) if regions else None,
                start=datetime.combine(day, time(14), tzinfo=ROME),
                end=datetime.combine(day, time(18), tzinfo=ROME),
                capacity=rng.choice([None, 50, 200]),
                status="published",
                published_at=now,
            )
        )
    events = Event.objects.bulk_create(events, batch_size=BATCH)
    _m2m(Event.organizers.through, "event_id", "ally_id", events, allies, rng)
    sessions = []
    for event in events[::10]:
        day = event.start.astimezone(ROME).date()
        for n in range(20):
            hour = 9 + (n % 8)
            sessions.append(
                Session(
                    event=event,
                    day=day,
                    start_time=time(hour),
                    end_time=time(hour, 50),
                    title=f"Laboratorio {_text(rng, 2)} {n}",
                    kind="workshop",
                    room=f"Aula {n % 4 + 1}",
                )
            )
    Session.objects.bulk_create(sessions, batch_size=BATCH)

    out(f"registrations: {counts['registrations']}")
    per_event = max(1, counts["registrations"] // max(1, len(events)))
    batch = []
    created = 0
    for event in events:
        for n in range(per_event):
            batch.append(
                Registration(
                    event=event,
                    name=f"Persona {n}",
                    email=f"persona{n}.{event.pk}@example.org",
                    privacy_accepted_at=now,
                    status="confirmed",
                    confirmed_at=now,
                    email_confirmed_at=now,
                )
            )
            if len(batch) >= BATCH:
                Registration.objects.bulk_create(batch)
                created += len(batch)
                batch = []
    if batch:
        Registration.objects.bulk_create(batch)
        created += len(batch)
    counts["registrations"] = created
    out("search index (bulk inserts send no signal)")
    from alliance.search import reindex_all

    reindex_all()
    from django.db import connection

    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum would gather them on a live database in time:
        # without them the first measures would be of plans made for empty tables.
        out("statistics (ANALYZE)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out("done")
    return counts


def _m2m(through, left, right, objects, choices, rng, most=3):
    if not choices:
        return
    rows = []
    for obj in objects:
        for choice in rng.sample(choices, k=min(len(choices), rng.randint(1, most))):
            rows.append(through(**{left: obj.pk, right: choice.pk}))
    through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    generate(scale=args.scale)
