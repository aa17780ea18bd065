"""The read-only public API: anonymous, cookie-free, paginated, rate-limited, open to every origin."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import AnonRateThrottle

from alliance.ratelimit import client_ip

from . import selectors, serializers


class PublicRateThrottle(AnonRateThrottle):
    """Requests per client address (`API_RATE_LIMIT`, 120 a minute by default), counted in the cache."""

    scope = "public_api"

    def get_rate(self):
        return getattr(settings, "API_RATE_LIMIT", "120/minute")

    def get_ident(self, request):
        # The same client address as every other limit of the portal (trusted proxies, IPv6 per /64).
        return client_ip(request)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PublicAPIView(generics.GenericAPIView):
    authentication_classes = []  # no session, no cookie, no CSRF: the same answer for everyone
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    throttle_classes = [PublicRateThrottle]
    pagination_class = Pages
    schema = AutoSchema()
    lookup_field = "slug"
    kind = ""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"  # reads only, never with credentials
        return response


def _filter_parameters(kind):
    descriptions = {
        "q": _("Words, as in the site search (accents and plurals do not matter)."),
        "region": _("Region slug, e.g. veneto."),
        "theme": _("Theme slug."),
        "kind": _("Kind (allies: person, organization; events: conference, workshop_series, ...)."),
        "status": _("Status."),
        "ally": _("Slug of an ally that leads or takes part."),
        "year": _("Year of the start."),
        "organizer": _("Slug of an organizing ally."),
        "upcoming": _("1: only events that have not ended."),
    }
    names = ["q", *selectors.FILTERS[kind]]
    return [OpenApiParameter(name, str, description=descriptions[name]) for name in names]


class PublicList(PublicAPIView, generics.ListAPIView):
    def get_queryset(self):
        return selectors.filtered(self.base_queryset(), self.kind, self.request.query_params)


class PublicDetail(PublicAPIView, generics.RetrieveAPIView):
    def get_queryset(self):
        return self.base_queryset()


SUMMARIES = {
    "ally": (_("Public allies"), _("One public ally, by its slug")),
    "project": (_("Public projects"), _("One public project, by its slug")),
    "event": (_("Public events"), _("One public event, by its slug")),
    "pathway": (_("Public pathways"), _("One public pathway, by its slug")),
}


def _resource(kind, base, serializer, plural):
    list_summary, detail_summary = SUMMARIES[kind]
    list_view = extend_schema(parameters=_filter_parameters(kind), summary=list_summary, tags=[plural])(
        type(
            f"{kind.title()}List",
            (PublicList,),
            {
                "kind": kind,
                "base_queryset": staticmethod(base),
                "serializer_class": serializer,
            },
        )
    )
    detail_view = extend_schema(summary=detail_summary, tags=[plural])(
        type(
            f"{kind.title()}Detail",
            (PublicDetail,),
            {
                "kind": kind,
                "base_queryset": staticmethod(base),
                "serializer_class": serializer,
            },
        )
    )
    return list_view, detail_view


AllyList, AllyDetail = _resource("ally", selectors.public_allies, serializers.AllySerializer, "allies")
ProjectList, ProjectDetail = _resource("project", selectors.public_projects, serializers.ProjectSerializer, "projects")
EventList, EventDetail = _resource("event", selectors.public_events, serializers.EventSerializer, "events")
PathwayList, PathwayDetail = _resource("pathway", selectors.public_pathways, serializers.PathwaySerializer, "pathways")


class Schema(SpectacularJSONAPIView):
    """The OpenAPI 3 schema of the API, generated from the views above."""

    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None  # not an endpoint of the API itself
    custom_settings = {
        "TITLE": _("Alleanza public API"),
        "DESCRIPTION": _(
            "Read-only JSON: allies (public fields only), projects, events with sessions and speakers, "
            "pathways. Anonymous, paginated, rate-limited, open to every origin."
        ),
        "VERSION": "1",
    }

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response
