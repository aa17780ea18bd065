"""Atom feeds of the events and projects, and an iCal feed of the events with the filters of the
events list (theme, region, organizing ally, words)."""

from datetime import timedelta

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from events.calendar import feed_calendar

from . import selectors

FEED_ITEMS = 50


class EventsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Events of the network")
    subtitle = _("Events and workshops of the alliance, the newest first.")

    def link(self):
        return reverse("events:event_list")

    def items(self):
        return selectors.public_events().prefetch_related(None).order_by("-published_at", "-pk")[:FEED_ITEMS]

    def item_title(self, event):
        prefix = f"[{_('Cancelled')}] " if event.status == "cancelled" else ""
        start = timezone.localtime(event.start).strftime("%d/%m/%Y")
        return f"{prefix}{event.title} ({start}{', ' + event.city if event.city else ''})"

    def item_description(self, event):
        return event.summary

    def item_pubdate(self, event):
        return event.published_at

    def item_updateddate(self, event):
        return event.updated_at


class ProjectsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Projects of the network")
    subtitle = _("Territorial projects of the alliance, the newest first.")

    def link(self):
        return reverse("initiatives:project_list")

    def items(self):
        return selectors.public_projects().prefetch_related(None).order_by("-published_at", "-pk")[:FEED_ITEMS]

    def item_title(self, project):
        return project.title

    def item_description(self, project):
        return project.summary

    def item_pubdate(self, project):
        return project.published_at

    def item_updateddate(self, project):
        return project.updated_at


@require_safe
def events_calendar(request):
    """The events of the last three months and the future, filtered like the events list."""
    since = timezone.now() - timedelta(days=90)
    events = selectors.filtered(
        selectors.public_events().prefetch_related(None).filter(end__gte=since), "event", request.GET
    ).select_related("province")
    return HttpResponse(feed_calendar(events), content_type="text/calendar; charset=utf-8")
