"""What the events bring to the home page (alliance.registry): the next ones, near the visitor's
region first when they chose one, and how many this year."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.home import in_region, near_first
from alliance.registry import HomeCount, HomeSection, registry

from .models import Event

NEXT_EVENTS = 4


def next_events(region):
    events = Event.objects.filter(status=Event.Status.PUBLISHED, end__gte=timezone.now()).select_related(
        "region", "province__region"
    )
    return near_first(events, in_region(region, "region", "province__region"), ("start", "pk"), NEXT_EVENTS)


def count_events_this_year() -> int:
    year = timezone.localdate().year
    # Cancelled events stay public, marked, but did not happen: they are not counted.
    return Event.objects.filter(status=Event.Status.PUBLISHED, start__year=year).count()


def event_regions(region):
    public = Event.objects.filter(status=Event.Status.PUBLISHED)
    return [public.filter(region=region), public.filter(province__region=region)]


registry.home_sections.append(
    HomeSection(
        key="events",
        title=_("Next events"),
        items=next_events,
        template="alliance/home/events.html",
        more_url_name="events:event_list",
        position=10,
    )
)
registry.home_counts.append(
    HomeCount(
        count=count_events_this_year, label=lambda n: ngettext("event this year", "events this year", n), position=40
    )
)
registry.region_presence.append(event_regions)
