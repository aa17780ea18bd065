"""Placeholder until this area is written."""

from django.http import Http404


def register(request, **kwargs):
    raise Http404


def registration_detail(request, **kwargs):
    raise Http404


def confirm_email(request, **kwargs):
    raise Http404


def cancel(request, **kwargs):
    raise Http404


def my_registrations(request, **kwargs):
    raise Http404
