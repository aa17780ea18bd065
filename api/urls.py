"""Addresses of the API (not translated, under /api/v1/) and of the pages in both languages
(open data, feeds, the API's documentation)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import docs, feeds, network_views, opendata, views

api_patterns = [
    path("v1/allies/", views.AllyList.as_view(), name="ally_list"),
    path("v1/allies/<slug:slug>/", views.AllyDetail.as_view(), name="ally_detail"),
    path("v1/projects/", views.ProjectList.as_view(), name="project_list"),
    path("v1/projects/<slug:slug>/", views.ProjectDetail.as_view(), name="project_detail"),
    path("v1/events/", views.EventList.as_view(), name="event_list"),
    path("v1/events/<slug:slug>/", views.EventDetail.as_view(), name="event_detail"),
    path("v1/pathways/", views.PathwayList.as_view(), name="pathway_list"),
    path("v1/pathways/<slug:slug>/", views.PathwayDetail.as_view(), name="pathway_detail"),
    path("v1/schema.json", views.Schema.as_view(), name="schema"),
]

page_patterns = [
    path(_("open-data/"), opendata.index, name="open_data"),
    path(_("open-data/<slug:resource>.<slug:fmt>"), opendata.download, name="open_data_file"),
    path(_("feeds/events.atom"), feeds.EventsFeed(), name="events_feed"),
    path(_("feeds/projects.atom"), feeds.ProjectsFeed(), name="projects_feed"),
    path(_("feeds/events.ics"), feeds.events_calendar, name="events_calendar"),
    path(_("api-documentation/"), docs.docs, name="docs"),
    path(_("network/"), network_views.network_page, name="network"),
    path(_("network/network.gexf"), network_views.network_gexf, name="network_gexf"),
]
