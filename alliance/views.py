from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .permissions import can_access_coordination
from .registry import registry

SEARCH_LIMIT = 10


@require_safe
def home(request):
    return render(
        request,
        "alliance/home.html",
        {"themes": selectors.list_themes(), "figures": selectors.home_figures()},
    )


@require_safe
def search(request):
    # NUL bytes cannot reach PostgreSQL; nobody types them on purpose.
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:200]
    sections = []
    if query:
        for section in registry.search_sections:
            results = section.search(query, SEARCH_LIMIT)
            sections.append({"label": section.label, "results": results, "more_url_name": section.more_url_name})
    total = sum(len(s["results"]) for s in sections)
    return render(request, "alliance/search.html", {"query": query, "sections": sections, "total": total})


@require_safe
def page(request, template):
    return render(request, template)


@login_required
@require_safe
def coordination(request):
    if not can_access_coordination(request.user):
        raise Http404
    tasks = []
    for task in registry.coordination_tasks:
        count = task.count(request.user)
        if count:
            tasks.append({"label": task.label, "count": count, "url_name": task.url_name})
    links = [{"label": link.label, "url_name": link.url_name} for link in registry.coordination_links]
    return render(request, "alliance/coordination.html", {"tasks": tasks, "links": links})
