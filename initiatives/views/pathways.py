"""Orientation pathways for visitors, and for the organizations that apply and follow them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance import workflow
from alliance.ratelimit import RATE_LIMITED_MESSAGE, allow
from members import selectors as member_selectors
from members.models import Ally

from .. import selectors, services
from ..forms.pathways import PathwayApplicationForm, StageReportForm
from ..models import Pathway, PathwayApplication, StageProgress
from ..permissions import can_manage_pathway, can_view_pathway
from ..services import InitiativeError

AppStatus = PathwayApplication.Status
PATHWAYS_PER_PAGE = 20

# Pathways one can apply to first, then those under way, then the closed ones.
OPEN_FIRST = Case(
    When(status=Pathway.Status.OPEN, then=Value(0)),
    When(status=Pathway.Status.RUNNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# Public pages ------------------------------------------------------------------------


@require_safe
def pathway_list(request):
    paginator = Paginator(selectors.public_pathways().order_by(OPEN_FIRST, "-created_at", "pk"), PATHWAYS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "initiatives/pathways/pathway_list.html",
        {"page_obj": page, "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)},
    )


def _viewable_pathway(request, slug) -> Pathway:
    pathway = selectors.pathway_for_page(slug)
    if pathway is None or not can_view_pathway(request.user, pathway):
        raise Http404
    return pathway


def _closed_reason(state: str):
    return None if state == "open" else services.applications_closed_reason(state)


@require_safe
def pathway_detail(request, slug):
    pathway = _viewable_pathway(request, slug)
    stages = list(pathway.stages.all())
    upcoming = sorted(
        ((event, stage) for stage in stages for event in stage.events.all()), key=lambda pair: pair[0].start
    )
    state = pathway.applications_state()
    return render(
        request,
        "initiatives/pathways/pathway_detail.html",
        {
            "pathway": pathway,
            "stages": stages,
            "current_stage": pathway.current_stage(),
            "applications_state": state,
            "closed_reason": _closed_reason(state),
            "places_left": None if pathway.places is None else max(pathway.places - pathway.admitted_count, 0),
            "upcoming_events": upcoming,
            "participants": pathway.public_participants,
            "can_manage": can_manage_pathway(request.user, pathway),
        },
    )


# Applying ----------------------------------------------------------------------------


def _profiles_for(user, pathway):
    """Every profile `user` manages, with whether it may apply to `pathway` and, if not, why."""
    applications = {a.ally_id: a for a in selectors.applications_of_user(user).filter(pathway=pathway)}
    rows = []
    for ally in member_selectors.allies_managed_by(user).order_by("name"):
        row = {"ally": ally, "reason": None, "must_join": False, "application": None}
        application = applications.get(ally.pk)
        if application is not None and application.status != AppStatus.WITHDRAWN:
            row["application"] = application
        else:
            try:
                services.check_eligibility(pathway, ally)
            except InitiativeError as exc:
                row["reason"] = " ".join(exc.messages)
                row["must_join"] = (
                    pathway.eligibility == Pathway.Eligibility.MEMBER_ORGANIZATIONS
                    and ally.is_organization
                    and not ally.is_member
                )
        row["eligible"] = row["application"] is None and row["reason"] is None
        rows.append(row)
    return rows


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pathway_apply(request, slug):
    pathway = _viewable_pathway(request, slug)
    state = pathway.applications_state()
    profiles = _profiles_for(request.user, pathway)
    eligible = [row["ally"] for row in profiles if row["eligible"]]
    form = None
    if state == "open" and eligible:
        initial = {"contact_name": request.user.full_name, "contact_email": request.user.email}
        if len(eligible) == 1:
            initial["ally"] = eligible[0].pk
        form = PathwayApplicationForm(
            request.POST if request.method == "POST" else None,
            allies=Ally.objects.filter(pk__in=[ally.pk for ally in eligible]).order_by("name"),
            initial=initial,
        )
        valid = request.method == "POST" and form.is_valid()
        if valid and not allow(request, "initiatives.pathway_application", key=str(form.cleaned_data["ally"].pk)):
            form.add_error(None, RATE_LIMITED_MESSAGE)
        elif valid:
            data = form.cleaned_data
            try:
                services.apply_to_pathway(
                    pathway=pathway,
                    ally=data["ally"],
                    applicant=request.user,
                    motivation=data["motivation"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    show_publicly=data["show_publicly"],
                )
            except InitiativeError as exc:
                form.add_error(None, exc)
            except PermissionDenied:
                form.add_error("ally", _("Choose one of the profiles you manage that may apply."))
            else:
                messages.success(
                    request,
                    _(
                        "The application of “%(ally)s” to “%(pathway)s” was sent: the coordinators will write to "
                        "you with their decision."
                    )
                    % {"ally": data["ally"].name, "pathway": pathway.title},
                )
                return redirect("initiatives:my_pathways")
    return render(
        request,
        "initiatives/pathways/pathway_apply.html",
        {
            "pathway": pathway,
            "applications_state": state,
            "closed_reason": _closed_reason(state),
            "profiles": profiles,
            "form": form,
        },
    )


@login_required
@require_safe
def my_pathways(request):
    applications = list(selectors.applications_of_user(request.user))
    for application in applications:
        application.completed_stage_count = sum(
            1 for progress in application.progress.all() if progress.state == StageProgress.State.COMPLETED
        )
    return render(
        request,
        "initiatives/pathways/my_pathways.html",
        {"applications": applications, "promoted": list(selectors.pathways_promoted_by(request.user))},
    )


# The organization's timeline ---------------------------------------------------------------


def _own_application(user, pk) -> PathwayApplication:
    """An application of an ally `user` manages; anyone else finds nothing here."""
    application = selectors.applications_of_user(user).filter(pk=pk).prefetch_related("pathway__stages").first()
    if application is None:
        raise Http404
    return application


def _render_timeline(request, application, *, report_forms=None):
    report_forms = report_forms or {}
    admitted = application.status == AppStatus.ADMITTED
    by_stage = {progress.stage_id: progress for progress in application.progress.all()}
    rows = []
    for stage in application.pathway.stages.all():
        progress = by_stage.get(stage.pk)
        row = {"stage": stage, "progress": progress, "state": progress.state if progress else None, "form": None}
        if admitted and progress is not None and stage.report_prompt and not progress.report_submitted_at:
            row["form"] = report_forms.get(stage.pk) or StageReportForm(stage=stage)
        rows.append(row)
    return render(
        request,
        "initiatives/pathways/application_timeline.html",
        {
            "application": application,
            "pathway": application.pathway,
            "rows": rows,
            "current_stage": application.pathway.current_stage(),
            "completed": admitted and bool(rows) and all(row["state"] == StageProgress.State.COMPLETED for row in rows),
            "can_withdraw": application.can_become(AppStatus.WITHDRAWN),
            "history": list(workflow.history(application)),
        },
    )


@login_required
@require_safe
def application_timeline(request, pk):
    return _render_timeline(request, _own_application(request.user, pk))


@login_required
@require_POST
def stage_report(request, pk, stage_pk):
    application = _own_application(request.user, pk)
    progress = next((p for p in application.progress.all() if p.stage_id == stage_pk), None)
    if progress is None:
        raise Http404
    form = StageReportForm(request.POST, stage=progress.stage)
    if form.is_valid():
        try:
            services.submit_stage_report(progress=progress, actor=request.user, report=form.cleaned_data["report"])
        except InitiativeError as exc:
            form.add_error("report", exc)
        else:
            messages.success(
                request, _("Your report on “%(stage)s” was sent to the coordinators.") % {"stage": progress.stage.title}
            )
            return redirect(reverse("initiatives:application_timeline", kwargs={"pk": pk}) + f"#stage-{stage_pk}")
    return _render_timeline(request, application, report_forms={stage_pk: form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_withdraw(request, pk):
    application = _own_application(request.user, pk)
    error = None
    if request.method == "POST":
        try:
            services.withdraw_pathway_application(application=application, actor=request.user)
        except PermissionDenied as exc:
            raise Http404 from exc
        except InitiativeError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("The application of “%(ally)s” to “%(pathway)s” was withdrawn.")
                % {"ally": application.ally.name, "pathway": application.pathway.title},
            )
            return redirect("initiatives:my_pathways")
    return render(
        request,
        "initiatives/pathways/application_withdraw.html",
        {
            "application": application,
            "can_withdraw": application.can_become(AppStatus.WITHDRAWN),
            "error": error,
        },
    )
