"""Events, their programme, speakers and registrations.

EventFactory makes a published, one-day event next month (09:30–17:30,
Europe/Rome), open to everyone, with 50 seats; `draft=True` and
`cancelled=True` change its status. `organizers` and `themes` take lists.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

ROME = ZoneInfo("Europe/Rome")


def _now():
    return timezone.now()


def next_month_day(day: int = 10) -> date:
    """`day` of the month after the current one, in Rome."""
    today = timezone.localdate(timezone.now(), ROME)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, day)


def rome(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Event"
        skip_postgeneration_save = True

    class Params:
        day = factory.LazyFunction(next_month_day)
        draft = factory.Trait(status="draft", published_at=None)
        cancelled = factory.Trait(status="cancelled", cancelled_at=factory.LazyFunction(_now))

    title = factory.Sequence(lambda n: f"Incontro della rete {n}")
    slug = factory.Sequence(lambda n: f"incontro-della-rete-{n}")
    kind = "conference"
    summary = "Una giornata per conoscersi e lavorare insieme."
    venue_name = "Centro civico"
    address = "Via Roma 1"
    city = "Reggio Emilia"
    start = factory.LazyAttribute(lambda o: rome(o.day, 9, 30))
    end = factory.LazyAttribute(lambda o: rome(o.day, 17, 30))
    capacity = 50
    status = "published"
    published_at = factory.LazyFunction(_now)
    language = "it"
    registration_policy = "open"

    @factory.post_generation
    def organizers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.organizers.set(extracted)

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.themes.set(extracted)


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Speaker"

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Relatrice {n}")
    role = "Coordinatrice"
    affiliation = "Università di Bologna"


class SessionFactory(factory.django.DjangoModelFactory):
    """A plenary on the first day of its event, 10:00–11:00; `speakers` takes a list."""

    class Meta:
        model = "events.Session"
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    day = factory.LazyAttribute(lambda o: timezone.localtime(o.event.start, ROME).date())
    start_time = time(10, 0)
    end_time = time(11, 0)
    title = factory.Sequence(lambda n: f"Sessione {n}")
    kind = "plenary"

    @factory.post_generation
    def speakers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.speakers.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration of a guest who confirmed the e-mail address."""

    class Meta:
        model = "events.Registration"

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Partecipante {n}")
    email = factory.Sequence(lambda n: f"partecipante{n}@example.org")
    privacy_accepted_at = factory.LazyFunction(_now)
    language = "it"
    status = "confirmed"
    email_confirmed_at = factory.LazyFunction(_now)
    confirmed_at = factory.LazyFunction(_now)
