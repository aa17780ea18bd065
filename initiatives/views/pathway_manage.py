"""The coordinators' side of pathways: the editor, the applications and their decisions, the progress grid."""

import csv
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from .. import selectors, services
from ..forms.pathways import ApplicationFilterForm, PathwayDecisionForm, PathwayEditor, StageProgressForm
from ..models import Pathway, PathwayApplication, StageProgress
from ..permissions import can_run_pathways
from ..services import InitiativeError
from .pathways import label_log

AppStatus = PathwayApplication.Status


def coordinators_only(view):
    """Anonymous visitors are asked to log in; anyone else who is not a coordinator finds nothing here."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_run_pathways(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _count(status):
    return Count("applications", filter=Q(applications__status=status), distinct=True)


@coordinators_only
@require_safe
def pathway_list(request):
    pathways = Pathway.objects.annotate(
        submitted_count=_count(AppStatus.SUBMITTED),
        admitted_count=_count(AppStatus.ADMITTED),
        waitlisted_count=_count(AppStatus.WAITLISTED),
    ).order_by("-created_at", "pk")
    return render(request, "initiatives/pathways/manage/pathway_list.html", {"pathways": list(pathways)})


# The editor --------------------------------------------------------------------------------


def _edit(request, pathway: Pathway, *, creating: bool):
    posted = request.method == "POST"
    editor = PathwayEditor(request.POST if posted else None, request.FILES if posted else None, instance=pathway)
    if posted and editor.is_valid():
        pathway = editor.save()
        if creating:
            message = _("The pathway “%(title)s” was created.")
        else:
            message = _("The pathway “%(title)s” was saved.")
        messages.success(request, message % {"title": pathway.title})
        return redirect("initiatives:pathway_manage_list")
    return render(
        request,
        "initiatives/pathways/manage/pathway_form.html",
        {"editor": editor, "pathway": pathway, "creating": creating},
    )


@coordinators_only
@require_http_methods(["GET", "HEAD", "POST"])
def pathway_create(request):
    return _edit(request, Pathway(), creating=True)


@coordinators_only
@require_http_methods(["GET", "HEAD", "POST"])
def pathway_edit(request, slug):
    return _edit(request, get_object_or_404(Pathway, slug=slug), creating=False)


# Applications ------------------------------------------------------------------------------


@coordinators_only
@require_safe
def application_list(request, slug):
    pathway = get_object_or_404(Pathway, slug=slug)
    filter_form = ApplicationFilterForm(request.GET or None)
    applications = list(filter_form.filter(selectors.applications_for_review(pathway)))
    counts = dict(pathway.applications.values_list("status").annotate(n=Count("pk")).order_by())
    return render(
        request,
        "initiatives/pathways/manage/application_list.html",
        {
            "pathway": pathway,
            "applications": applications,
            "filter_form": filter_form,
            "counts": [(value, label, counts.get(value, 0)) for value, label in AppStatus.choices],
            "admitted_count": counts.get(AppStatus.ADMITTED, 0),
        },
    )


def _application(pathway, pk) -> PathwayApplication:
    application = selectors.applications_for_review(pathway).prefetch_related("log__actor").filter(pk=pk).first()
    if application is None:
        raise Http404
    label_log(application)
    return application


@coordinators_only
@require_http_methods(["GET", "HEAD", "POST"])
def application_decide(request, slug, pk):
    pathway = get_object_or_404(Pathway, slug=slug)
    application = _application(pathway, pk)
    form = PathwayDecisionForm(request.POST if request.method == "POST" else None, application=application)
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["decision"]
        try:
            services.decide_pathway_application(
                application=application, actor=request.user, status=status, reason=form.cleaned_data["reason"]
            )
        except InitiativeError as exc:
            form.add_error(None, exc)
            application = _application(pathway, pk)
        else:
            done = {
                AppStatus.ADMITTED: _("“%(ally)s” is admitted to the pathway; the applicant was told by e-mail."),
                AppStatus.WAITLISTED: _("“%(ally)s” is on the waiting list; the applicant was told by e-mail."),
                AppStatus.DECLINED: _("The application of “%(ally)s” was declined; the applicant received your "
                                      "reason by e-mail."),
            }[status]
            messages.success(request, done % {"ally": application.ally.name})
            return redirect("initiatives:pathway_applications", slug=pathway.slug)
    return render(
        request,
        "initiatives/pathways/manage/application_decide.html",
        {
            "pathway": pathway,
            "application": application,
            "form": form if form.fields["decision"].choices else None,
            "admitted_count": pathway.applications.filter(status=AppStatus.ADMITTED).count(),
        },
    )


# Progress ----------------------------------------------------------------------------------


def _pathway_with_stages(slug) -> Pathway:
    return get_object_or_404(Pathway.objects.prefetch_related("stages"), slug=slug)


@coordinators_only
@require_http_methods(["GET", "HEAD", "POST"])
def progress_grid(request, slug):
    pathway = _pathway_with_stages(slug)
    if request.method == "POST":
        return _set_progress(request, pathway)
    stages, rows = selectors.progress_grid(pathway)
    reports = [
        (application, progress)
        for application, cells in rows
        for progress in cells
        if progress is not None and progress.report_submitted_at
    ]
    return render(
        request,
        "initiatives/pathways/manage/progress_grid.html",
        {
            "pathway": pathway,
            "stages": stages,
            "rows": [(application, list(zip(stages, cells, strict=True))) for application, cells in rows],
            "reports": reports,
            "states": StageProgress.State.choices,
        },
    )


def _set_progress(request, pathway):
    form = StageProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The change was not saved: choose a state, and keep the note under 2000 characters."))
        return redirect("initiatives:progress_grid", slug=pathway.slug)
    application = selectors.applications_for_review(pathway).filter(pk=form.cleaned_data["application"]).first()
    stage = next((s for s in pathway.stages.all() if s.pk == form.cleaned_data["stage"]), None)
    if application is None or stage is None:
        raise Http404
    try:
        services.set_stage_progress(
            application=application, stage=stage, actor=request.user,
            state=form.cleaned_data["state"], note=form.cleaned_data["note"],
        )
    except InitiativeError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("“%(ally)s”, %(stage)s: %(state)s.")
            % {"ally": application.ally.name, "stage": stage.title,
               "state": StageProgress.State(form.cleaned_data["state"]).label.lower()},
        )
    url = reverse("initiatives:progress_grid", kwargs={"slug": pathway.slug})
    return redirect(f"{url}#cell-{application.pk}-{stage.pk}")


def _spreadsheet_safe(text: str) -> str:
    # A cell that starts like a formula is run by spreadsheets: make it plain text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_cell(stage, progress) -> str:
    state = StageProgress.State(progress.state if progress else StageProgress.State.NOT_STARTED).label
    if not stage.report_prompt:
        return str(state)
    submitted = progress is not None and progress.report_submitted_at is not None
    return _("%(state)s; report submitted: %(answer)s") % {
        "state": state, "answer": _("yes") if submitted else _("no"),
    }


@coordinators_only
@require_safe
def progress_csv(request, slug):
    pathway = _pathway_with_stages(slug)
    stages, rows = selectors.progress_grid(pathway)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{pathway.slug}-progress.csv"'
    response.write("\ufeff")  # lets spreadsheets read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Organization")] + [_spreadsheet_safe(stage.title) for stage in stages])
    for application, cells in rows:
        writer.writerow(
            [_spreadsheet_safe(application.ally.name)]
            + [_csv_cell(stage, progress) for stage, progress in zip(stages, cells, strict=True)]
        )
    return response
