"""Placeholder until this area is written."""

from django.http import Http404


def pathway_list(request, **kwargs):
    raise Http404


def pathway_detail(request, **kwargs):
    raise Http404


def pathway_apply(request, **kwargs):
    raise Http404


def my_pathways(request, **kwargs):
    raise Http404


def application_timeline(request, **kwargs):
    raise Http404


def stage_report(request, **kwargs):
    raise Http404


def application_withdraw(request, **kwargs):
    raise Http404
