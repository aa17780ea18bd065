"""Placeholder until this area is written."""

from django.http import Http404


def project_list(request, **kwargs):
    raise Http404


def project_regions(request, **kwargs):
    raise Http404


def project_detail(request, **kwargs):
    raise Http404
