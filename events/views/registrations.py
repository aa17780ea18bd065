"""Placeholder until this area is written."""

from django.http import Http404


def registration_list(request, **kwargs):
    raise Http404


def registrations_csv(request, **kwargs):
    raise Http404


def registration_action(request, **kwargs):
    raise Http404


def message(request, **kwargs):
    raise Http404


def check_in(request, **kwargs):
    raise Http404
