"""Every write about projects and pathways."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alliance import text
from alliance.emails import queue_email
from members.services import coordinators

from .models import (
    Pathway,
    PathwayApplication,
    PathwayApplicationLogEntry,
    ProgressUpdate,
    Project,
    ProjectLogEntry,
    Stage,
    StageProgress,
)
from .permissions import can_edit_project, can_publish_projects, can_run_pathways, manages_ally

Publication = Project.Publication
AppStatus = PathwayApplication.Status


class InitiativeError(ValidationError):
    """A rule about projects or pathways refused; the message is for the person."""


# Words the URLs use after /progetti/ and /percorsi/ (in both languages): never a slug.
RESERVED_SLUGS = {"regioni", "regions", "nuovo", "new"}


def unique_slug(model, title: str, *, exclude_pk=None) -> str:
    return text.unique_slug(model, title, fallback="iniziativa", reserved=RESERVED_SLUGS, exclude_pk=exclude_pk)


# Projects ---------------------------------------------------------------------------


@transaction.atomic
def create_project(*, project: Project, actor) -> Project:
    """A new draft project led by an approved ally that `actor` manages (or any, for coordinators)."""
    from alliance.permissions import is_coordinator

    if not project.lead_ally.is_member:
        raise InitiativeError(_("The lead ally must be an approved member of the alliance."))
    if not (is_coordinator(actor) or manages_ally(actor, project.lead_ally)):
        raise PermissionDenied
    project.slug = unique_slug(Project, project.title)
    project.publication = Publication.DRAFT
    project.created_by = actor
    project.save()
    _log(project, "", Publication.DRAFT, actor)
    return project


@transaction.atomic
def update_project(*, project: Project, actor) -> Project:
    """Save the edits of the lead ally's managers or a coordinator; a published project stays published."""
    if not can_edit_project(actor, Project.objects.select_related("lead_ally").get(pk=project.pk)):
        raise PermissionDenied
    project.save()
    return project


def submit_project(*, project: Project, actor) -> Project:
    with transaction.atomic():
        project = _transition(project, Publication.SUBMITTED, actor=actor, allowed=can_edit_project(actor, project))
        for coordinator in coordinators():
            queue_email(
                to=coordinator.email, template="project_submitted", language=coordinator.preferred_language,
                context={"project": project, "recipient_name": coordinator.full_name},
            )
    return project


def publish_project(*, project: Project, actor) -> Project:
    with transaction.atomic():
        project = _transition(project, Publication.PUBLISHED, actor=actor, allowed=can_publish_projects(actor))
        project.published_at = project.published_at or timezone.now()
        project.review_comment = ""
        project.save(update_fields=["published_at", "review_comment"])
        _email_lead(project, "project_published")
    return project


def send_back_project(*, project: Project, actor, comment: str) -> Project:
    if not comment.strip():
        raise InitiativeError(_("Please tell the proposers what to change."))
    with transaction.atomic():
        project = _transition(project, Publication.DRAFT, actor=actor, allowed=can_publish_projects(actor),
                              note=comment.strip())
        project.review_comment = comment.strip()
        project.save(update_fields=["review_comment"])
        _email_lead(project, "project_sent_back")
    return project


def _transition(project, state, *, actor, allowed: bool, note=""):
    if not allowed:
        raise PermissionDenied
    project = Project.objects.select_for_update().select_related("lead_ally").get(pk=project.pk)
    if state not in Project.TRANSITIONS.get(project.publication, set()):
        raise InitiativeError(
            _("This project is %(state)s and cannot go there.")
            % {"state": project.get_publication_display().lower()}
        )
    previous = project.publication
    project.publication = state
    project.save(update_fields=["publication"])
    _log(project, previous, state, actor, note)
    return project


def _log(project, previous, state, actor, note=""):
    ProjectLogEntry.objects.create(project=project, from_state=previous, to_state=state, actor=actor, note=note)


def _email_lead(project, template):
    for manager in project.lead_ally.memberships.select_related("user"):
        user = manager.user
        queue_email(
            to=user.email, template=template, language=user.preferred_language,
            context={"project": project, "recipient_name": user.full_name},
        )


@transaction.atomic
def add_progress_update(*, project: Project, actor, date, text: str, percentage=None) -> ProgressUpdate:
    if not can_edit_project(actor, project):
        raise PermissionDenied
    if percentage is not None and not 0 <= percentage <= 100:
        raise InitiativeError(_("The progress is a percentage between 0 and 100."))
    return ProgressUpdate.objects.create(
        project=project, date=date, text=text.strip(), percentage=percentage, created_by=actor
    )


# Pathways ---------------------------------------------------------------------------


CLOSED_REASONS = {
    "draft": gettext_noop("This pathway is not published."),
    "not_yet": gettext_noop("Applications are not open yet."),
    "closed": gettext_noop("Applications are closed."),
}


def applications_closed_reason(state: str) -> str:
    return _(CLOSED_REASONS[state])


def check_eligibility(pathway: Pathway, ally) -> None:
    """Raise InitiativeError if `ally` may not apply to `pathway`."""
    Eligibility = Pathway.Eligibility
    if pathway.eligibility == Eligibility.PERSONS:
        if ally.is_organization:
            raise InitiativeError(_("This pathway is for persons: apply with your personal profile."))
    elif not ally.is_organization:
        raise InitiativeError(_("This pathway is for organizations: apply with the profile of your organization."))
    if pathway.eligibility == Eligibility.MEMBER_ORGANIZATIONS and not ally.is_member:
        raise InitiativeError(
            _("This pathway is for member organizations of the alliance: your organization must join first.")
        )


def apply_to_pathway(*, pathway: Pathway, ally, applicant, motivation: str, contact_name: str,
                     contact_email: str, contact_phone: str = "", show_publicly: bool = True) -> PathwayApplication:
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        if not manages_ally(applicant, ally):
            raise PermissionDenied
        state = pathway.applications_state()
        if state != "open":
            raise InitiativeError(applications_closed_reason(state))
        check_eligibility(pathway, ally)
        existing = PathwayApplication.objects.filter(pathway=pathway, ally=ally).first()
        if existing is not None and existing.status != AppStatus.WITHDRAWN:
            raise InitiativeError(_("%(ally)s has already applied to this pathway.") % {"ally": ally.name})
        previous_status = existing.status if existing else ""
        if existing is not None:
            # Applying again starts afresh: progress of an earlier admission does not carry over.
            existing.progress.all().delete()
        application = existing or PathwayApplication(pathway=pathway, ally=ally)
        application.applicant = applicant
        application.motivation = motivation.strip()
        application.contact_name = contact_name.strip()
        application.contact_email = contact_email.strip()
        application.contact_phone = contact_phone.strip()
        application.show_publicly = show_publicly
        application.status = AppStatus.SUBMITTED
        application.decision_reason = ""
        application.decided_at = application.decided_by = None
        application.save()
        PathwayApplicationLogEntry.objects.create(
            application=application, from_status=previous_status, to_status=AppStatus.SUBMITTED, actor=applicant
        )
        _email_applicant(application, "pathway_application_submitted")
        for coordinator in coordinators():
            queue_email(
                to=coordinator.email, template="pathway_application_new", language=coordinator.preferred_language,
                context={"application": application, "pathway": pathway, "recipient_name": coordinator.full_name},
            )
    return application


def decide_pathway_application(*, application: PathwayApplication, actor, status: str,
                               reason: str = "") -> PathwayApplication:
    """Admit, waitlist or decline; never more admitted than the pathway's places."""
    if not can_run_pathways(actor):
        raise PermissionDenied
    if status == AppStatus.DECLINED and not reason.strip():
        raise InitiativeError(_("Please give the applicant a reason."))
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=application.pathway_id)
        application = _app_transition(application, status, actor=actor, note=reason.strip())
        if status == AppStatus.ADMITTED:
            admitted = pathway.applications.filter(status=AppStatus.ADMITTED).count()
            if pathway.places is not None and admitted > pathway.places:
                raise InitiativeError(
                    _("All %(places)s places are taken: put the application on the waiting list, or free a place.")
                    % {"places": pathway.places}
                )
            StageProgress.objects.bulk_create(
                [StageProgress(application=application, stage=stage) for stage in pathway.stages.all()],
                ignore_conflicts=True,
            )
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.decision_reason = reason.strip()
        application.save(update_fields=["decided_by", "decided_at", "decision_reason"])
        _email_applicant(application, f"pathway_application_{status}")
    return application


def withdraw_pathway_application(*, application: PathwayApplication, actor) -> PathwayApplication:
    if not manages_ally(actor, application.ally):
        raise PermissionDenied
    with transaction.atomic():
        Pathway.objects.select_for_update().get(pk=application.pathway_id)
        application = _app_transition(application, AppStatus.WITHDRAWN, actor=actor)
        _email_applicant(application, "pathway_application_withdrawn")
    return application


def _app_transition(application, status, *, actor, note=""):
    application = PathwayApplication.objects.select_related("pathway", "ally").get(pk=application.pk)
    if not application.can_become(status):
        raise InitiativeError(
            _("This application is %(status)s and cannot be changed that way.")
            % {"status": application.get_status_display().lower()}
        )
    previous = application.status
    application.status = status
    application.save(update_fields=["status"])
    PathwayApplicationLogEntry.objects.create(
        application=application, from_status=previous, to_status=status, actor=actor, note=note
    )
    return application


def _email_applicant(application, template):
    language = application.applicant.preferred_language if application.applicant else "it"
    queue_email(
        to=application.contact_email, template=template, language=language,
        context={"application": application, "pathway": application.pathway, "ally": application.ally},
    )


@transaction.atomic
def set_stage_progress(*, application: PathwayApplication, stage: Stage, actor, state: str,
                       note: str = "") -> StageProgress:
    if not can_run_pathways(actor):
        raise PermissionDenied
    if state not in StageProgress.State.values:
        raise InitiativeError(_("Choose one of the states offered."))
    application = PathwayApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != AppStatus.ADMITTED or stage.pathway_id != application.pathway_id:
        raise InitiativeError(_("Progress is kept only for admitted organizations, on the stages of their pathway."))
    progress, _created = StageProgress.objects.get_or_create(application=application, stage=stage)
    progress.state = state
    progress.note = note.strip()
    progress.save(update_fields=["state", "note", "updated_at"])
    return progress


@transaction.atomic
def submit_stage_report(*, progress: StageProgress, actor, report: str) -> StageProgress:
    progress = StageProgress.objects.select_for_update().select_related("application__ally", "stage").get(
        pk=progress.pk
    )
    if not manages_ally(actor, progress.application.ally):
        raise PermissionDenied
    if progress.application.status != AppStatus.ADMITTED:
        raise InitiativeError(_("Only admitted organizations submit reports."))
    if not progress.stage.report_prompt:
        raise InitiativeError(_("This stage asks for no report."))
    if not report.strip():
        raise InitiativeError(_("Please write the report."))
    progress.report = report.strip()
    progress.report_submitted_at = timezone.now()
    progress.save(update_fields=["report", "report_submitted_at", "updated_at"])
    return progress
