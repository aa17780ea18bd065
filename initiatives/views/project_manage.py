"""The lead ally's side of projects (propose, edit, submit, keep current) and the coordinators' review.

To anyone who may not act on a project these pages do not exist (404),
whether or not the project does; anonymous visitors are asked to sign in.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance import workflow
from alliance.permissions import is_coordinator
from members.models import Ally

from .. import selectors, services
from ..forms.allies import matching_allies
from ..forms.pathways import add_service_error
from ..forms.projects import ProgressUpdateForm, ProjectEditor, ReviewForm
from ..models import Project
from ..permissions import can_edit_project, can_propose_projects, can_publish_projects
from ..services import InitiativeError
from .projects import project_events


def editors_only(view):
    """Looks the project up by slug and lets through its lead ally's managers and the coordinators."""

    @login_required
    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        project = Project.objects.select_related("lead_ally").filter(slug=slug).first()
        if project is None or not can_edit_project(request.user, project):
            raise Http404
        return view(request, project, *args, **kwargs)

    return wrapper


def coordinators_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_publish_projects(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _error_text(exc) -> str:
    return " ".join(exc.messages)


@login_required
@require_safe
def my_projects(request):
    return render(
        request,
        "initiatives/projects/my_projects.html",
        {
            "projects": list(selectors.projects_of_user(request.user)),
            "can_propose": can_propose_projects(request.user) or is_coordinator(request.user),
            "Publication": Project.Publication,
        },
    )


def _editor(request, project: Project):
    title = project.title  # validating the form changes the instance
    if request.method == "POST":
        editor = ProjectEditor(request.POST, request.FILES, instance=project, user=request.user)
        saved = editor.save() if editor.is_valid() else None
        if saved is not None:
            if editor.creating:
                messages.success(
                    request,
                    _(
                        "The project is saved as a draft: only the managers of its lead ally "
                        "and the coordinators see it. Submit it for review when it is ready."
                    ),
                )
            elif saved.is_published:
                messages.success(request, _("Your changes are saved and public."))
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect("initiatives:project_edit", slug=saved.slug)
        messages.error(request, _("Nothing was saved: please correct the errors marked below."))
    else:
        editor = ProjectEditor(instance=project, user=request.user)
    return render(
        request,
        "initiatives/projects/project_form.html",
        {
            "project": project if project.pk else None,
            "title": title,
            "editor": editor,
            "Publication": Project.Publication,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_create(request):
    if not (can_propose_projects(request.user) or is_coordinator(request.user)):
        raise Http404
    return _editor(request, Project())


@editors_only
@require_http_methods(["GET", "HEAD", "POST"])
def project_edit(request, project):
    return _editor(request, project)


@editors_only
@require_POST
def project_submit(request, project):
    try:
        services.submit_project(project=project, actor=request.user)
    except InitiativeError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("“%(title)s” is submitted: the coordinators will review it and write to you.") % {"title": project.title},
        )
    return redirect("initiatives:my_projects")


@editors_only
@require_http_methods(["GET", "HEAD", "POST"])
def project_add_update(request, project):
    form = ProgressUpdateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_progress_update(project=project, actor=request.user, **form.cleaned_data)
        except InitiativeError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The update is on the timeline of the project."))
            return redirect(project.get_absolute_url())
    return render(
        request,
        "initiatives/projects/project_update_form.html",
        {"project": project, "form": form, "updates": list(project.updates.all()[:5])},
    )


@coordinators_only
@require_safe
def project_queue(request):
    return render(
        request, "initiatives/projects/project_queue.html", {"projects": list(selectors.projects_to_review())}
    )


@coordinators_only
@require_http_methods(["GET", "HEAD", "POST"])
def project_review(request, slug):
    project = selectors.project_for_page(slug)
    if project is None:
        raise Http404
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == ReviewForm.PUBLISH:
                services.publish_project(project=project, actor=request.user)
                message = _("“%(title)s” is published; the managers of its lead ally were told by e-mail.")
            else:
                services.send_back_project(project=project, actor=request.user, comment=form.cleaned_data["comment"])
                message = _("“%(title)s” was sent back; the managers of its lead ally received your comment by e-mail.")
        except InitiativeError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, message % {"title": project.title})
            return redirect("initiatives:project_queue")
    return render(
        request,
        "initiatives/projects/project_review.html",
        {
            "project": project,
            "form": form,
            "is_open": project.publication == Project.Publication.SUBMITTED,
            "history": list(workflow.history(project)),
            **project_events(project),
            "Publication": Project.Publication,
        },
    )


@login_required
@require_safe
def ally_search(request):
    """Member allies whose name contains `q`, at most 20, as JSON: for a type-ahead over the ally name fields.

    With `scope=managed`, only the member allies the person manages (the organizers an event's editor may name).
    """
    if not (can_propose_projects(request.user) or is_coordinator(request.user)):
        raise Http404
    allies = Ally.objects.filter(Ally.MEMBER_Q)
    if request.GET.get("scope") == "managed":
        allies = allies.filter(memberships__user=request.user)
    found = matching_allies(allies, request.GET.get("q", "")[:200])
    return JsonResponse({"results": [{"id": ally.pk, "name": ally.name} for ally in found]})
