"""Running pathways: the editor, the applications and their decisions, the progress grid, messages, history.

Coordinators run every pathway; the managers of a promoting member ally run
that pathway with the same pages and rules, as organizers do their events. To
anyone else these pages do not exist (404); anonymous visitors sign in first.
"""

import csv
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance import workflow
from alliance.dates import html_bounds
from alliance.review import bulk_decision_form, run_bulk_decision

from .. import selectors, services
from ..forms.pathways import (
    ApplicationFilterForm,
    MessageForm,
    PathwayDecisionForm,
    PathwayEditor,
    StageProgressForm,
    add_service_error,
)
from ..models import Pathway, PathwayApplication, StageProgress
from ..permissions import can_create_pathways, can_manage_any_pathway, can_manage_pathway
from ..review import application_cards
from ..services import InitiativeError

AppStatus = PathwayApplication.Status


def coordinators_only(view):
    """Anonymous visitors are asked to log in; anyone else who is not a coordinator finds nothing here."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_create_pathways(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def managers_only(view):
    """Looks the pathway up by slug and lets through the coordinators and the managers of a promoting ally."""

    @login_required
    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        pathway = Pathway.objects.prefetch_related("stages").filter(slug=slug).first()
        if pathway is None or not can_manage_pathway(request.user, pathway):
            raise Http404
        return view(request, pathway, *args, **kwargs)

    return wrapper


def _count(status):
    return Count("applications", filter=Q(applications__status=status), distinct=True)


def pathway_managers_only(view):
    """Coordinators, and the managers of an ally that promotes at least one pathway."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_manage_any_pathway(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@pathway_managers_only
@require_safe
def pathway_list(request):
    pathways = (
        selectors.pathways_managed_by(request.user)
        .annotate(
            submitted_count=_count(AppStatus.SUBMITTED),
            admitted_count=_count(AppStatus.ADMITTED),
            waitlisted_count=_count(AppStatus.WAITLISTED),
        )
        .order_by("-created_at", "pk")
    )
    return render(
        request,
        "initiatives/pathways/manage/pathway_list.html",
        {"pathways": list(pathways), "can_create": can_create_pathways(request.user)},
    )


# The editor --------------------------------------------------------------------------------


def _edit(request, pathway: Pathway, *, creating: bool):
    posted = request.method == "POST"
    title = pathway.title  # validating the form changes the instance
    editor = PathwayEditor(
        request.POST if posted else None, request.FILES if posted else None, instance=pathway, user=request.user
    )
    saved = editor.save() if posted and editor.is_valid() else None
    if saved is not None:
        if creating:
            message = _("The pathway “%(title)s” was created.")
        else:
            message = _("The pathway “%(title)s” was saved.")
        messages.success(request, message % {"title": saved.title})
        return redirect("initiatives:pathway_manage_list")
    return render(
        request,
        "initiatives/pathways/manage/pathway_form.html",
        {
            "editor": editor,
            "pathway": pathway,
            "title": title,
            "creating": creating,
            "history": [] if creating else list(workflow.history(pathway)),
            "admitted_count": 0 if creating else pathway.applications.filter(status=AppStatus.ADMITTED).count(),
        },
    )


@coordinators_only
@require_http_methods(["GET", "HEAD", "POST"])
def pathway_create(request):
    return _edit(request, Pathway(), creating=True)


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def pathway_edit(request, pathway):
    return _edit(request, pathway, creating=False)


# Applications ------------------------------------------------------------------------------


DECISIONS = [
    (AppStatus.ADMITTED, gettext_lazy("Admit")),
    (AppStatus.WAITLISTED, gettext_lazy("Put on the waiting list")),
    (AppStatus.DECLINED, gettext_lazy("Decline")),
]


def _decision_form(data=None):
    return bulk_decision_form(data, decisions=DECISIONS, decline=AppStatus.DECLINED)


@managers_only
@require_safe
def application_list(request, pathway):
    return _application_page(request, pathway)


def _application_page(request, pathway, decision_form=None):
    """The applications as review cards; `decision_form` is the bulk form come back with its errors, shown on
    its fields with the chosen cards still ticked."""
    filter_form = ApplicationFilterForm(request.GET or None)
    applications = list(filter_form.filter(selectors.applications_for_review(pathway)))
    counts = dict(pathway.applications.values_list("status").annotate(n=Count("pk")).order_by())
    cards = application_cards(pathway, applications)
    if decision_form is not None:
        chosen = set(decision_form.data.getlist("ids"))
        for card in cards:
            card.selected = str(card.pk) in chosen
    elif any(card.decidable for card in cards):
        decision_form = _decision_form()
    return render(
        request,
        "initiatives/pathways/manage/application_list.html",
        {
            "pathway": pathway,
            "applications": applications,
            "cards": cards,
            "decision_form": decision_form,
            "filter_form": filter_form,
            "counts": [(value, label, counts.get(value, 0)) for value, label in AppStatus.choices],
            "admitted_count": counts.get(AppStatus.ADMITTED, 0),
        },
    )


def _bulk_report_text(report) -> str:
    parts = []
    if report.admitted:
        parts.append(ngettext("%(count)s admitted", "%(count)s admitted", report.admitted) % {"count": report.admitted})
    if report.waitlisted:
        parts.append(
            ngettext("%(count)s on the waiting list", "%(count)s on the waiting list", report.waitlisted)
            % {"count": report.waitlisted}
        )
    if report.declined:
        parts.append(ngettext("%(count)s declined", "%(count)s declined", report.declined) % {"count": report.declined})
    if report.skipped:
        parts.append(
            ngettext("%(count)s left as it was", "%(count)s left as they were", report.skipped)
            % {"count": report.skipped}
        )
    return _("Done: %(parts)s. The applicants were told by e-mail.") % {"parts": "; ".join(parts)}


@managers_only
@require_POST
def applications_decide(request, pathway):
    """The bulk decision of the review cards on the applications page; a form with errors comes back with
    them on its fields."""
    form = _decision_form(request.POST)
    if not form.is_valid():
        return _application_page(request, pathway, decision_form=form)
    run_bulk_decision(
        request,
        form,
        lambda ids, decision, reason: services.decide_pathway_applications(
            pathway=pathway, ids=ids, status=decision, reason=reason, actor=request.user
        ),
        _bulk_report_text,
    )
    return redirect("initiatives:pathway_applications", slug=pathway.slug)


def _application(pathway, pk) -> PathwayApplication:
    application = selectors.applications_for_review(pathway).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def application_decide(request, pathway, pk):
    application = _application(pathway, pk)
    form = PathwayDecisionForm(request.POST if request.method == "POST" else None, application=application)
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["decision"]
        try:
            services.decide_pathway_application(
                application=application, actor=request.user, status=status, reason=form.cleaned_data["reason"]
            )
        except InitiativeError as exc:
            add_service_error(form, exc)
            application = _application(pathway, pk)
        else:
            done = {
                AppStatus.ADMITTED: _("“%(ally)s” is admitted to the pathway; the applicant was told by e-mail."),
                AppStatus.WAITLISTED: _("“%(ally)s” is on the waiting list; the applicant was told by e-mail."),
                AppStatus.DECLINED: _(
                    "The application of “%(ally)s” was declined; the applicant received your reason by e-mail."
                ),
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
            "history": list(workflow.history(application)),
            "card": application_cards(pathway, [application], link=False)[0],
        },
    )


# Progress ----------------------------------------------------------------------------------


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def progress_grid(request, pathway):
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
            "today": timezone.localdate(),
            "date_bounds": html_bounds(),
        },
    )


def _set_progress(request, pathway):
    form = StageProgressForm(request.POST)
    if not form.is_valid():
        if "note_date" in form.errors:
            messages.error(request, _("The change was not saved: %(error)s") % {"error": form.errors["note_date"][0]})
        else:
            messages.error(
                request, _("The change was not saved: choose a state, and keep the note under 2000 characters.")
            )
        return redirect("initiatives:progress_grid", slug=pathway.slug)
    application = selectors.applications_for_review(pathway).filter(pk=form.cleaned_data["application"]).first()
    stage = next((s for s in pathway.stages.all() if s.pk == form.cleaned_data["stage"]), None)
    if application is None or stage is None:
        raise Http404
    try:
        services.set_stage_progress(
            application=application,
            stage=stage,
            actor=request.user,
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
            note_date=form.cleaned_data["note_date"],
        )
    except InitiativeError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("“%(ally)s”, %(stage)s: %(state)s.")
            % {
                "ally": application.ally.name,
                "stage": stage.title,
                "state": StageProgress.State(form.cleaned_data["state"]).label.lower(),
            },
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
        "state": state,
        "answer": _("yes") if submitted else _("no"),
    }


@managers_only
@require_safe
def progress_csv(request, pathway):
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


# Messages to the admitted organizations ------------------------------------------------------


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def message_admitted(request, pathway):
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.message_admitted_organizations(
                pathway=pathway,
                actor=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except InitiativeError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "The message is on its way to one admitted organization.",
                    "The message is on its way to %(count)s admitted organizations.",
                    sent,
                )
                % {"count": sent},
            )
            return redirect("initiatives:pathway_applications", slug=pathway.slug)
    return render(
        request,
        "initiatives/pathways/manage/message_form.html",
        {"pathway": pathway, "form": form, "recipients": list(selectors.admitted_contacts(pathway))},
    )
