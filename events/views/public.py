"""Placeholder until this area is written."""

from django.http import Http404


def event_list(request, **kwargs):
    raise Http404


def feed(request, **kwargs):
    raise Http404


def event_detail(request, **kwargs):
    raise Http404


def event_ics(request, **kwargs):
    raise Http404
