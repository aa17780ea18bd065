"""Placeholder until this area is written."""

from django.http import Http404


def pathway_list(request, **kwargs):
    raise Http404


def pathway_create(request, **kwargs):
    raise Http404


def pathway_edit(request, **kwargs):
    raise Http404


def application_list(request, **kwargs):
    raise Http404


def application_decide(request, **kwargs):
    raise Http404


def progress_grid(request, **kwargs):
    raise Http404


def progress_csv(request, **kwargs):
    raise Http404
