"""Placeholder until this area is written."""

from django.http import Http404


def event_list(request, **kwargs):
    raise Http404


def event_create(request, **kwargs):
    raise Http404


def event_edit(request, **kwargs):
    raise Http404


def event_publish(request, **kwargs):
    raise Http404


def event_duplicate(request, **kwargs):
    raise Http404


def event_cancel(request, **kwargs):
    raise Http404
