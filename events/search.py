"""Events, their sessions and speakers in the site-wide search (alliance.search).

An event is public once published (a cancelled one stays, marked, if it had been published);
its sessions (breaks aside) and speakers are found with it.
"""

from django.db.models import Prefetch, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from alliance import search
from members.models import Ally

from .models import Event, Session, Speaker


def indexed_events():
    return Event.objects.select_related("province__region", "region").prefetch_related(
        "themes",
        "organizers",
        Prefetch("speakers", queryset=Speaker.objects.prefetch_related("sessions").order_by("position", "name")),
        Prefetch("sessions", queryset=Session.objects.prefetch_related("speakers").order_by("day", "start_time")),
    )


def is_public(event) -> bool:
    return event.status == Event.Status.PUBLISHED or (
        event.status == Event.Status.CANCELLED and event.published_at is not None
    )


def event_documents(event):
    public = is_public(event)
    regions = search.region_slugs([event.region], [event.province])
    start = timezone.localtime(event.start)
    when = formats.date_format(start, "DATE_FORMAT")
    place = ", ".join(filter(None, [event.venue_name, event.city]))
    province = event.province.name if event.province else ""
    region = event.region.name if event.region else (event.province.region.name if event.province else "")
    organizers = [a.name for a in event.organizers.all() if a.is_public]
    themes = list(event.themes.all())
    speakers = list(event.speakers.all())
    sessions = [s for s in event.sessions.all() if s.kind != Session.Kind.BREAK]
    url = {"url_name": "events:event_detail", "url_kwargs": {"slug": event.slug}}
    cancelled = search.labels(Event.Status.CANCELLED, enum=Event.Status) if event.status == "cancelled" else ""
    yield search.Doc(
        obj=event,
        kind="event",
        title=event.title,
        subtitle=" · ".join(filter(None, [when, place])),
        text="\n".join(
            part
            for part in [
                event.summary,
                event.description,
                " · ".join(filter(None, [event.address, province, region])),
                " · ".join(organizers),
                " · ".join(s.name for s in speakers),
                " · ".join(s.title for s in sessions),
                " · ".join(t.name for t in themes),
            ]
            if part
        ),
        regions=regions,
        date=event.start,
        is_public=public,
        extra_terms=" ".join([search.labels(event.kind, enum=Event.Kind), cancelled, *(t.name_en for t in themes)]),
        **url,
    )
    for session in sessions:
        session_speakers = list(session.speakers.all())
        yield search.Doc(
            obj=session,
            kind="session",
            title=session.title,
            subtitle=" · ".join(
                filter(
                    None,
                    [
                        event.title,
                        formats.date_format(session.day, "DATE_FORMAT"),
                        session.start_time.strftime("%H:%M"),
                        event.city,
                    ],
                )
            ),
            text="\n".join(
                part
                for part in [
                    session.description,
                    session.room,
                    " · ".join(", ".join(filter(None, [s.name, s.role, s.affiliation])) for s in session_speakers),
                ]
                if part
            ),
            regions=regions,
            date=event.start,
            is_public=public,
            extra_terms=search.labels(session.kind, enum=Session.Kind),
            url_suffix="#programme-title",
            **url,
        )
    for speaker in speakers:
        yield search.Doc(
            obj=speaker,
            kind="speaker",
            title=speaker.name,
            subtitle=" · ".join(filter(None, [speaker.role, speaker.affiliation, event.title])),
            text="\n".join(
                part
                for part in [
                    speaker.bio,
                    " · ".join(s.title for s in speaker.sessions.all() if s.kind != Session.Kind.BREAK),
                ]
                if part
            ),
            regions=regions,
            date=event.start,
            is_public=public,
            url_suffix="#speakers-title",
            **url,
        )


search.register_kind("event", _("Events"), 30)
search.register_kind("session", _("Sessions and workshops"), 35)
search.register_kind("speaker", _("Speakers"), 40)
search.register(
    search.Indexer(
        model=Event,
        queryset=indexed_events,
        build=event_documents,
        m2m=("themes", "organizers"),
        related={
            Session: lambda row: [row.event_id],
            Speaker: lambda row: [row.event_id],
            Ally: lambda ally: Q(organizers=ally.pk),
        },
        related_m2m={Session.speakers.through: lambda instance: [instance.event_id]},
    )
)
