"""Placeholder until this area is written."""

from django.http import Http404


def my_projects(request, **kwargs):
    raise Http404


def project_create(request, **kwargs):
    raise Http404


def project_edit(request, **kwargs):
    raise Http404


def project_submit(request, **kwargs):
    raise Http404


def project_add_update(request, **kwargs):
    raise Http404


def project_queue(request, **kwargs):
    raise Http404


def project_review(request, **kwargs):
    raise Http404
