"""Public querysets for the API, the feeds and the open data, shaped for their serializers
(constant queries), and the filters the pages offer: words (the site search), region, theme..."""

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from alliance.models import Province, Theme
from alliance.search import filter_by_search
from events.models import Event, Session, Speaker
from events.selectors import PUBLIC as PUBLIC_EVENT
from initiatives.models import Pathway, Project, ProjectPartner
from members.models import Ally, public_q


def public_allies():
    return Ally.objects.public().select_related("province").prefetch_related("themes", "regions").order_by("name", "pk")


def public_projects():
    return (
        Project.objects.filter(publication=Project.Publication.PUBLISHED)
        .select_related("lead_ally")
        .prefetch_related(
            "regions",
            "themes",
            "objectives",
            "external_partners",
            Prefetch("provinces", queryset=Province.objects.order_by("name")),
            Prefetch("partners", queryset=ProjectPartner.objects.select_related("ally")),
        )
        .order_by(F("start_date").desc(nulls_last=True), "title", "pk")
    )


# What an ally's reference ({"slug", "name"} when public) reads: the rest of an ally's row is not fetched.
ALLY_REF_FIELDS = ("id", "slug", "name", "membership_status")


def public_events():
    """Public events by start, with what `serializers.EventSerializer` reads. The related rows are
    prefetched into lists (`to_attr`): a page of 50 events with their sessions builds no queryset
    per event and per session."""
    return (
        Event.objects.filter(PUBLIC_EVENT)
        .select_related("region", "province__region", "project")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.only("id", "slug"), to_attr="theme_list"),
            Prefetch("organizers", queryset=Ally.objects.only(*ALLY_REF_FIELDS), to_attr="organizer_list"),
            Prefetch(
                "sessions",
                queryset=Session.objects.prefetch_related(
                    Prefetch("speakers", queryset=Speaker.objects.only("id", "name"), to_attr="speaker_list")
                ),
                to_attr="session_list",
            ),
            Prefetch(
                "speakers",
                queryset=Speaker.objects.select_related("ally").only(
                    "id",
                    "event_id",
                    "name",
                    "role",
                    "affiliation",
                    "bio",
                    "to_be_confirmed",
                    "ally_id",
                    *(f"ally__{name}" for name in ALLY_REF_FIELDS),
                ),
                to_attr="speaker_list",
            ),
        )
        .order_by("start", "pk")
    )


def public_pathways():
    return (
        Pathway.objects.exclude(status=Pathway.Status.DRAFT)
        .prefetch_related("themes", "regions", "organizers", "objectives", "stages")
        .order_by("-created_at", "pk")
    )


def _is_year(value: str) -> bool:
    """Four ASCII digits from 1 on: anything else ("0", "99999999999", "٣") finds nothing, never a 500."""
    return len(value) == 4 and value.isascii() and value.isdigit() and int(value) >= 1


# Filters: each takes the queryset and the request's parameters (a QueryDict or a dict).


def _in_region(prefixes):
    def apply(queryset, slug):
        condition = Q()
        for prefix in prefixes:
            condition |= Q(**{f"{prefix}__slug": slug})
        return queryset.filter(pk__in=queryset.model.objects.filter(condition).values("pk"))

    return apply


FILTERS = {
    "ally": {
        "region": _in_region(["regions", "provinces__region", "province__region"]),
        "theme": lambda qs, slug: qs.filter(themes__slug=slug),
        "kind": lambda qs, value: qs.filter(kind=value),
    },
    "project": {
        "region": _in_region(["regions", "provinces__region"]),
        "theme": lambda qs, slug: qs.filter(themes__slug=slug),
        "status": lambda qs, value: qs.filter(status=value),
        "ally": lambda qs, slug: qs.filter(
            pk__in=Project.objects.filter(Q(lead_ally__slug=slug) | Q(partners__ally__slug=slug)).values("pk")
        ),
        "year": lambda qs, year: qs.filter(start_date__year=int(year)) if _is_year(year) else qs.none(),
    },
    "event": {
        "region": _in_region(["region", "province__region"]),
        "theme": lambda qs, slug: qs.filter(themes__slug=slug),
        "kind": lambda qs, value: qs.filter(kind=value),
        "organizer": lambda qs, slug: qs.filter(public_q("organizers__"), organizers__slug=slug),
        "upcoming": lambda qs, value: qs.filter(end__gte=timezone.now()) if value in ("1", "true") else qs,
    },
    "pathway": {
        "region": _in_region(["regions"]),
        "theme": lambda qs, slug: qs.filter(themes__slug=slug),
        "status": lambda qs, value: qs.filter(status=value),
    },
}


def filtered(queryset, kind: str, params):
    """`queryset` with the filters of `kind` the parameters name; `q` searches like the site search."""
    words = params.get("q", "")
    if words:
        queryset = filter_by_search(queryset, words, kind=kind)
    for name, apply in FILTERS[kind].items():
        value = params.get(name, "")
        if value:
            queryset = apply(queryset, value)
    return queryset
