"""The public side of projects: the list with its filters, the network's presence by region, each project's page."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from alliance import workflow
from alliance.pagination import KeysFirstPaginator
from members.models import Ally

from .. import selectors
from ..filters import ProjectFilterSet, ally_names_response
from ..models import Project
from ..permissions import can_edit_project, can_view_project

PROJECTS_PER_PAGE = 20


@require_safe
def project_list(request):
    filterset = ProjectFilterSet(request.GET, queryset=selectors.published_projects())
    # A later page joins and sorts only its own rows (alliance.pagination).
    paginator = KeysFirstPaginator(filterset.qs, PROJECTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "initiatives/projects/project_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@require_safe
def ally_names(request):
    """The allies the projects list's "ally involved" filter accepts (members), by name."""
    return ally_names_response(Ally.objects.members(), request)


@require_safe
def project_regions(request):
    return render(request, "initiatives/projects/project_regions.html", {"regions": selectors.presence_by_region()})


@require_safe
def project_detail(request, slug):
    project = selectors.project_for_page(slug)
    if project is None or not can_view_project(request.user, project):
        raise Http404
    can_edit = can_edit_project(request.user, project)
    return render(
        request,
        "initiatives/projects/project_detail.html",
        {
            "project": project,
            "can_edit": can_edit,
            **project_events(project),
            "history": list(workflow.history(project)) if can_edit else [],
            "Publication": Project.Publication,
        },
    )


def project_events(project) -> dict:
    """The project's own published events and those of its pathways' stages, each once, split by time.

    An event that carries out a stage of one of these pathways has `carried_out` = (pathway, stage), else None.
    """
    now = timezone.now()
    events = {event.pk: event for event in project.public_events}
    stages = {}
    for pathway in project.public_pathways:
        for stage in pathway.stages.all():
            for event in stage.events.all():
                events.setdefault(event.pk, event)
                stages.setdefault(event.pk, (pathway, stage))
    for pk, event in events.items():
        event.carried_out = stages.get(pk)
    ordered = sorted(events.values(), key=lambda event: (event.start, event.pk))
    return {
        "upcoming_events": [event for event in ordered if event.end >= now],
        "past_events": [event for event in reversed(ordered) if event.end < now],
    }
