"""Every write about projects and pathways.

Services take plain data (keyword arguments and the small dataclasses below),
hold every rule, and put each change on the portal's record
(`alliance.workflow`). Forms only check the shape of what people typed; the
admin calls these same functions.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from alliance import text
from alliance.dates import sane_date
from alliance.emails import queue_email
from alliance.permissions import is_coordinator
from alliance.workflow import TransitionError, log, transition
from members.models import member_q
from members.services import coordinators

from .models import (
    ExternalPartner,
    Pathway,
    PathwayApplication,
    PathwayObjective,
    ProgressUpdate,
    Project,
    ProjectAttachment,
    ProjectLink,
    ProjectObjective,
    ProjectPartner,
    Stage,
    StageProgress,
)
from .permissions import can_edit_project, can_link_project, can_manage_pathway, can_publish_projects, manages_ally

Publication = Project.Publication
AppStatus = PathwayApplication.Status
MAX_ROWS = 50


class InitiativeError(ValidationError):
    """A rule about projects or pathways refused; the message is for the person.

    Built from a dict ({field: message}) it names the fields the message is about,
    so that a form can show it beside them.
    """


# Words the URLs use after /progetti/ and /percorsi/ (in both languages): never a slug.
RESERVED_SLUGS = {"regioni", "regions", "nuovo", "new"}


def unique_slug(model, title: str, *, exclude_pk=None) -> str:
    return text.unique_slug(model, title, fallback="iniziativa", reserved=RESERVED_SLUGS, exclude_pk=exclude_pk)


def _move(obj, to, *, actor, field: str = "status", **kwargs):
    """`alliance.workflow.transition`, with its refusal as an InitiativeError."""
    try:
        return transition(obj, to, actor=actor, field=field, **kwargs)
    except TransitionError as exc:
        raise InitiativeError(exc.messages) from exc


def _check_dates(**dates) -> None:
    """Every date that reaches a service is within the portal's sane range."""
    errors = {}
    for name, value in dates.items():
        try:
            sane_date(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise InitiativeError(errors)


@dataclass
class Row:
    """One row of a list on an editor page (an objective, a partner, a stage...).

    `pk` None is a new row; `remove` deletes a saved row; `position` orders the
    rows (empty: after the others); `values` are the row's fields.
    """

    pk: int | None = None
    values: dict = field(default_factory=dict)
    remove: bool = False
    position: int | None = None


def _own_rows(model, parent_field: str, parent, rows) -> dict:
    """The saved rows named in `rows`, which must all belong to `parent`."""
    wanted = {row.pk for row in rows if row.pk is not None}
    found = {obj.pk: obj for obj in model.objects.filter(pk__in=wanted, **{parent_field: parent})} if wanted else {}
    if set(found) != wanted:
        raise InitiativeError(_("A row of the form does not belong here: reload the page and try again."))
    return found


def _save_rows(model, parent_field: str, parent, rows, *, numbered: bool = False) -> list:
    """Delete, update and create the rows of `parent`; number them 1, 2, 3… when `numbered`. Returns the new rows."""
    rows = list(rows)
    if len([row for row in rows if not row.remove]) > MAX_ROWS:
        raise InitiativeError(_("At most %(count)s rows, please.") % {"count": MAX_ROWS})
    saved = _own_rows(model, parent_field, parent, rows)
    kept = []
    for index, row in enumerate(rows):
        if row.remove:
            if row.pk is not None:
                saved[row.pk].delete()
            continue
        kept.append((row.position if row.position is not None else MAX_ROWS * 10, index, row))
    created = []
    for number, (_wanted, _index, row) in enumerate(sorted(kept, key=lambda item: item[:2]), start=1):
        obj = saved[row.pk] if row.pk is not None else model(**{parent_field: parent})
        for name, value in row.values.items():
            setattr(obj, name, value)
        if numbered:
            obj.position = number
        try:
            obj.full_clean(exclude=[parent_field])
        except ValidationError as exc:
            raise InitiativeError(exc.messages) from exc
        is_new = obj.pk is None
        obj.save()
        if is_new:
            created.append(obj)
    return created


def _set_file(obj, name: str, value) -> None:
    """A new file replaces the stored one; False removes it; None keeps it."""
    if value is False:
        setattr(obj, name, "")
    elif value is not None:
        setattr(obj, name, value)


# Projects ---------------------------------------------------------------------------


@dataclass
class ProjectData:
    """The fields of a project that its editors write."""

    title: str
    summary: str
    lead_ally: object
    description: str = ""
    regions: list = field(default_factory=list)
    provinces: list = field(default_factory=list)
    municipalities: str = ""
    scope: str = Project.Scope.LOCAL
    themes: list = field(default_factory=list)
    status: str = Project.Status.PROPOSED
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    results: str = ""
    cover_image: object = None  # a new image; False removes it; None keeps it


def save_project(
    *,
    actor,
    data: ProjectData,
    project: Project | None = None,
    objectives=(),
    partners=(),
    external_partners=(),
    links=(),
    attachments=(),
) -> Project:
    """Create a draft project (`project` None) or save the edits of an existing one, with its rows.

    Rows are `Row`s: objectives {text}, partners {ally, role}, external
    partners {name, kind}, links {title, url}, attachments {title, file}. A
    published project stays published. Nothing is written unless every rule holds.
    """
    creating = project is None
    _check_dates(start_date=data.start_date, end_date=data.end_date)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise InitiativeError({"end_date": [_("The end cannot come before the start.")]})
    lead = data.lead_ally
    with transaction.atomic():
        if creating:
            project = Project(created_by=actor, publication=Publication.DRAFT)
            previous_lead = None
        else:
            project = Project.objects.select_for_update().select_related("lead_ally").get(pk=project.pk)
            if not can_edit_project(actor, project):
                raise PermissionDenied
            previous_lead = project.lead_ally
        if lead != previous_lead:
            if not lead.is_member:
                raise InitiativeError({"lead_ally": [_("The lead ally must be an approved member of the alliance.")]})
            if not (is_coordinator(actor) or manages_ally(actor, lead)):
                raise PermissionDenied
        for name in (
            "title",
            "summary",
            "description",
            "municipalities",
            "scope",
            "status",
            "start_date",
            "end_date",
            "results",
        ):
            setattr(project, name, getattr(data, name))
        project.title = " ".join(project.title.split())
        project.lead_ally = lead
        _set_file(project, "cover_image", data.cover_image)
        if creating:
            project.slug = unique_slug(Project, project.title)
        project.save()
        project.regions.set(data.regions)
        project.provinces.set(data.provinces)
        project.themes.set(data.themes)
        _check_partners(project, partners)
        _save_rows(ProjectObjective, "project", project, objectives, numbered=True)
        _save_rows(ProjectPartner, "project", project, partners)
        _save_rows(ExternalPartner, "project", project, external_partners)
        _save_rows(ProjectLink, "project", project, links)
        _save_rows(ProjectAttachment, "project", project, attachments)
        if creating:
            log(project, "publication.draft", actor=actor, data={"field": "publication", "from": "", "to": "draft"})
        else:
            log(project, "changed", actor=actor)
    return project


def _check_partners(project, partners) -> None:
    current = set(project.partners.values_list("ally_id", flat=True)) if project.pk else set()
    seen = set()
    for row in partners:
        if row.remove:
            continue
        ally = row.values.get("ally")
        if ally is None:
            raise InitiativeError(_("Choose the partner ally of each row."))
        if ally.pk == project.lead_ally_id:
            raise InitiativeError(_("%(ally)s is the lead ally: name it only once, as the lead.") % {"ally": ally.name})
        if ally.pk in seen:
            raise InitiativeError(_("%(ally)s is named twice among the partners.") % {"ally": ally.name})
        seen.add(ally.pk)
        # A partner whose membership ended may stay; a new partner must be a member.
        if not ally.is_member and ally.pk not in current:
            raise InitiativeError(_("%(ally)s is not a member of the alliance.") % {"ally": ally.name})


def submit_project(*, project: Project, actor) -> Project:
    with transaction.atomic():
        project = _project_transition(
            project, Publication.SUBMITTED, actor=actor, allowed=lambda p: can_edit_project(actor, p)
        )
        recipients = [(c.email, c.preferred_language, c.full_name) for c in coordinators()]
    for email, language, name in recipients:
        queue_email(
            to=email,
            template="project_submitted",
            language=language,
            context={"project": project, "recipient_name": name},
        )
    return project


def publish_project(*, project: Project, actor) -> Project:
    with transaction.atomic():
        project = _project_transition(
            project,
            Publication.PUBLISHED,
            actor=actor,
            allowed=lambda p: can_publish_projects(actor),
            published_at=project.published_at or timezone.now(),
            review_comment="",
        )
    _email_lead(project, "project_published")
    return project


def send_back_project(*, project: Project, actor, comment: str) -> Project:
    """Back to draft with the coordinators' comment: from review, or withdrawn from the public."""
    if not comment.strip():
        raise InitiativeError({"comment": [_("Please tell the proposers what to change.")]})
    with transaction.atomic():
        project = _project_transition(
            project,
            Publication.DRAFT,
            actor=actor,
            allowed=lambda p: can_publish_projects(actor),
            note=comment.strip(),
            review_comment=comment.strip(),
        )
    _email_lead(project, "project_sent_back")
    return project


def _project_transition(project, state, *, actor, allowed, note="", **fields):
    project = Project.objects.select_for_update().select_related("lead_ally").get(pk=project.pk)
    if not allowed(project):
        raise PermissionDenied
    if "published_at" in fields and project.published_at:
        fields["published_at"] = project.published_at
    for name, value in fields.items():
        setattr(project, name, value)
    _move(
        project,
        state,
        actor=actor,
        field="publication",
        note=note,
        update_fields=list(fields),
        message=_("This project is %(state)s and cannot go there.")
        % {"state": project.get_publication_display().lower()},
    )
    return project


def _email_lead(project, template):
    """Called once the change is committed: the e-mails are rendered outside the project's lock."""
    for manager in project.lead_ally.memberships.select_related("user"):
        user = manager.user
        queue_email(
            to=user.email,
            template=template,
            language=user.preferred_language,
            context={"project": project, "recipient_name": user.full_name},
        )


@transaction.atomic
def add_progress_update(*, project: Project, actor, text: str, date=None, percentage=None) -> ProgressUpdate:
    """A dated note on the project's timeline; without a date, today."""
    if not can_edit_project(actor, project):
        raise PermissionDenied
    date = date or timezone.localdate()
    _check_dates(date=date)
    if percentage is not None and not 0 <= percentage <= 100:
        raise InitiativeError({"percentage": [_("The progress is a percentage between 0 and 100.")]})
    if not text.strip():
        raise InitiativeError({"text": [_("Please say what happened.")]})
    return ProgressUpdate.objects.create(
        project=project, date=date, text=text.strip(), percentage=percentage, created_by=actor
    )


# Pathways ---------------------------------------------------------------------------


@dataclass
class PathwayData:
    """The fields of a pathway that its editors write."""

    title: str
    purpose: str
    eligibility: str = Pathway.Eligibility.MEMBER_ORGANIZATIONS
    status: str = Pathway.Status.DRAFT
    applications_open_at: datetime.datetime | None = None
    applications_close_at: datetime.datetime | None = None
    places: int | None = None
    project: Project | None = None
    organizers: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    brochure: object = None  # a new PDF; False removes it; None keeps it


def save_pathway(*, actor, data: PathwayData, pathway: Pathway | None = None, objectives=(), stages=()) -> Pathway:
    """Create a pathway (coordinators) or save the edits of one (its managers), with objectives and stages.

    Objectives are `Row`s of {text}; stages of {kind, title, description,
    start_date, end_date, report_prompt}; both are numbered 1, 2, 3… in the
    order asked. Places are never fewer than the organizations admitted.
    """
    from .permissions import can_create_pathways

    creating = pathway is None
    _check_dates(applications_open_at=data.applications_open_at, applications_close_at=data.applications_close_at)
    opens, closes = data.applications_open_at, data.applications_close_at
    if opens and closes and closes <= opens:
        raise InitiativeError({"applications_close_at": [_("Applications must close after they open.")]})
    if data.places is not None and data.places < 1:
        raise InitiativeError({"places": [_("Leave it empty for no limit, or give at least one place.")]})
    for row in stages:
        if row.remove:
            continue
        start, end = row.values.get("start_date"), row.values.get("end_date")
        _check_dates(start_date=start, end_date=end)
        if start and end and end < start:
            raise InitiativeError(
                _("The stage “%(title)s” cannot end before it starts.") % {"title": row.values.get("title", "")}
            )
        if end and not start:
            raise InitiativeError(
                _("The stage “%(title)s” needs a start: the current stage follows the dates.")
                % {"title": row.values.get("title", "")}
            )
    with transaction.atomic():
        if creating:
            if not can_create_pathways(actor):
                raise PermissionDenied
            pathway = Pathway(status=Pathway.Status.DRAFT)
            previous = None
        else:
            pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
            if not can_manage_pathway(actor, pathway):
                raise PermissionDenied
            previous = {"places": pathway.places, "status": pathway.status, "project": pathway.project_id}
            admitted = pathway.applications.filter(status=AppStatus.ADMITTED).count()
            if data.places is not None and data.places < admitted:
                raise InitiativeError(
                    {
                        "places": [
                            ngettext(
                                "%(count)d organization is already admitted: the places cannot be fewer.",
                                "%(count)d organizations are already admitted: the places cannot be fewer.",
                                admitted,
                            )
                            % {"count": admitted}
                        ]
                    }
                )
        if data.project is not None and data.project.pk != (previous or {}).get("project"):
            if not can_link_project(actor, data.project):
                raise InitiativeError({"project": [_("You may link only a project your organization takes part in.")]})
        organizers = _check_organizers(actor, pathway, data.organizers)
        for name in (
            "title",
            "purpose",
            "eligibility",
            "applications_open_at",
            "applications_close_at",
            "places",
            "project",
        ):
            setattr(pathway, name, getattr(data, name))
        _set_file(pathway, "brochure", data.brochure)
        if creating:
            pathway.slug = unique_slug(Pathway, pathway.title)
            pathway.status = data.status
        pathway.save()
        pathway.organizers.set(organizers)
        pathway.themes.set(data.themes)
        pathway.regions.set(data.regions)
        _save_rows(PathwayObjective, "pathway", pathway, objectives, numbered=True)
        new_stages = _save_rows(Stage, "pathway", pathway, stages, numbered=True)
        if new_stages:
            # Organizations admitted before a stage was added follow it too.
            admitted_applications = pathway.applications.filter(status=AppStatus.ADMITTED)
            StageProgress.objects.bulk_create(
                [StageProgress(application=a, stage=s) for a in admitted_applications for s in new_stages],
                ignore_conflicts=True,
            )
        if creating:
            log(
                pathway,
                f"status.{pathway.status}",
                actor=actor,
                data={"field": "status", "from": "", "to": pathway.status},
            )
        else:
            if data.status != pathway.status:
                _move(pathway, data.status, actor=actor)
            changes = {}
            if previous["places"] != pathway.places:
                changes["places"] = {"from": previous["places"], "to": pathway.places}
            log(pathway, "changed", actor=actor, data=changes)
    return pathway


def _check_organizers(actor, pathway, chosen) -> list:
    """Coordinators name any member ally; a manager adds or removes only the allies they manage."""
    chosen = list(chosen)
    current = list(pathway.organizers.all()) if pathway.pk else []
    for ally in chosen:
        if ally not in current and not ally.is_member:
            raise InitiativeError(
                {"organizers": [_("%(ally)s is not a member of the alliance.") % {"ally": ally.name}]}
            )
    if is_coordinator(actor):
        return chosen
    changed = set(chosen) ^ set(current)
    if any(not manages_ally(actor, ally) for ally in changed):
        raise InitiativeError({"organizers": [_("You may add or remove only the allies you manage.")]})
    if not any(manages_ally(actor, ally) for ally in chosen):
        raise InitiativeError(
            {
                "organizers": [
                    _(
                        "Keep at least one of your allies among the promoters, or you could not manage the pathway any more."
                    )
                ]
            }
        )
    return chosen


def set_pathway_status(*, pathway: Pathway, actor, status: str) -> Pathway:
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        if not can_manage_pathway(actor, pathway):
            raise PermissionDenied
        _move(pathway, status, actor=actor)
    return pathway


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


def pathway_managers(pathway):
    """Coordinators and the managers of the promoting member allies, each once: who hears of new applications."""
    from django.contrib.auth import get_user_model

    people = {user.pk: user for user in coordinators()}
    for user in (
        get_user_model()
        .objects.filter(ally_memberships__ally__in=pathway.organizers.filter(member_q()), is_active=True)
        .distinct()
    ):
        people.setdefault(user.pk, user)
    return list(people.values())


def apply_to_pathway(
    *,
    pathway: Pathway,
    ally,
    applicant,
    motivation: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    show_publicly: bool = True,
) -> PathwayApplication:
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        if not manages_ally(applicant, ally):
            raise PermissionDenied
        state = pathway.applications_state()
        if state != "open":
            raise InitiativeError(applications_closed_reason(state))
        check_eligibility(pathway, ally)
        existing = PathwayApplication.objects.select_for_update().filter(pathway=pathway, ally=ally).first()
        if existing is not None and existing.status != AppStatus.WITHDRAWN:
            raise InitiativeError(_("%(ally)s has already applied to this pathway.") % {"ally": ally.name})
        if existing is not None:
            # Applying again starts afresh: progress of an earlier admission does not carry over.
            existing.progress.all().delete()
        application = existing or PathwayApplication(pathway=pathway, ally=ally, status=AppStatus.SUBMITTED)
        application.applicant = applicant
        application.motivation = motivation.strip()
        application.contact_name = contact_name.strip()
        application.contact_email = contact_email.strip()
        application.contact_phone = contact_phone.strip()
        application.show_publicly = show_publicly
        application.decision_reason = ""
        application.decided_at = application.decided_by = None
        fields = [
            "applicant",
            "motivation",
            "contact_name",
            "contact_email",
            "contact_phone",
            "show_publicly",
            "decision_reason",
            "decided_at",
            "decided_by",
        ]
        if existing is not None:
            _move(application, AppStatus.SUBMITTED, actor=applicant, update_fields=fields)
        else:
            application.save()
            log(
                application,
                "status.submitted",
                actor=applicant,
                data={"field": "status", "from": "", "to": AppStatus.SUBMITTED},
            )
        recipients = pathway_managers(pathway)
    _email_applicant(application, "pathway_application_submitted")
    for person in recipients:
        queue_email(
            to=person.email,
            template="pathway_application_new",
            language=person.preferred_language,
            context={"application": application, "pathway": pathway, "recipient_name": person.full_name},
        )
    return application


def decide_pathway_application(
    *, application: PathwayApplication, actor, status: str, reason: str = ""
) -> PathwayApplication:
    """Admit, waitlist or decline; never more admitted than the pathway's places."""
    _check_decision(status, reason)
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=application.pathway_id)
        if not can_manage_pathway(actor, pathway):
            raise PermissionDenied
        application = PathwayApplication.objects.select_for_update().get(pk=application.pk)
        if status == AppStatus.ADMITTED and _places_left(pathway) == 0:
            raise InitiativeError(
                ngettext(
                    "The only place is taken: put the application on the waiting list, or free the place.",
                    "All %(count)d places are taken: put the application on the waiting list, or free a place.",
                    pathway.places,
                )
                % {"count": pathway.places}
            )
        _decide_application(pathway, application, status=status, reason=reason, actor=actor)
    _email_applicant(application, f"pathway_application_{status}")
    return application


def _check_decision(status: str, reason: str) -> None:
    if status == AppStatus.DECLINED and not reason.strip():
        raise InitiativeError({"reason": [_("Please give the applicant a reason.")]})
    if status not in (AppStatus.ADMITTED, AppStatus.WAITLISTED, AppStatus.DECLINED):
        raise InitiativeError(_("Choose one of the decisions offered."))


def _places_left(pathway) -> int | None:
    """Places not taken yet (None: no limit); the pathway is locked."""
    if pathway.places is None:
        return None
    return max(pathway.places - pathway.applications.filter(status=AppStatus.ADMITTED).count(), 0)


def _decide_application(pathway, application, *, status, reason, actor) -> None:
    """One decision with the pathway and the application locked; the e-mail is the caller's, after commit."""
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.decision_reason = reason.strip()
    _move(
        application,
        status,
        actor=actor,
        note=reason.strip(),
        update_fields=["decided_by", "decided_at", "decision_reason"],
        message=_("This application is %(status)s and cannot be changed that way.")
        % {"status": application.get_status_display().lower()},
    )
    if status == AppStatus.ADMITTED:
        StageProgress.objects.bulk_create(
            [StageProgress(application=application, stage=stage) for stage in pathway.stages.all()],
            ignore_conflicts=True,
        )
    application.pathway = pathway


@dataclass(frozen=True)
class BulkDecisionReport:
    """What `decide_pathway_applications` did; `skipped`: chosen applications that could not take the decision."""

    admitted: int = 0
    waitlisted: int = 0
    declined: int = 0
    skipped: int = 0


def decide_pathway_applications(*, pathway: Pathway, ids, status: str, reason: str = "", actor) -> BulkDecisionReport:
    """Decide several applications at once, the oldest first, under one lock of the pathway. Admitting
    stops at the places: the applications beyond them go to the waiting list instead."""
    _check_decision(status, reason)
    try:
        wanted = {int(pk) for pk in ids}
    except (TypeError, ValueError) as exc:
        raise InitiativeError(_("Choose the applications to decide.")) from exc
    if not wanted:
        raise InitiativeError(_("Choose the applications to decide."))
    counts = {AppStatus.ADMITTED: 0, AppStatus.WAITLISTED: 0, AppStatus.DECLINED: 0}
    decided = []
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        if not can_manage_pathway(actor, pathway):
            raise PermissionDenied
        applications = list(
            PathwayApplication.objects.select_for_update()
            .filter(pathway=pathway, pk__in=wanted)
            .order_by("created_at", "pk")
        )
        left = _places_left(pathway)
        for application in applications:
            to = status
            if to == AppStatus.ADMITTED and left == 0:
                to = AppStatus.WAITLISTED
            if not application.can_become(to) or application.status == to:
                continue
            _decide_application(pathway, application, status=to, reason=reason, actor=actor)
            counts[to] += 1
            if to == AppStatus.ADMITTED and left is not None:
                left -= 1
            decided.append((application, to))
    for application, to in decided:
        _email_applicant(application, f"pathway_application_{to}")
    return BulkDecisionReport(
        admitted=counts[AppStatus.ADMITTED],
        waitlisted=counts[AppStatus.WAITLISTED],
        declined=counts[AppStatus.DECLINED],
        skipped=len(wanted) - len(decided),
    )


def withdraw_pathway_application(*, application: PathwayApplication, actor) -> PathwayApplication:
    if not manages_ally(actor, application.ally):
        raise PermissionDenied
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=application.pathway_id)
        application = PathwayApplication.objects.select_for_update().select_related("ally").get(pk=application.pk)
        _move(
            application,
            AppStatus.WITHDRAWN,
            actor=actor,
            message=_("This application is %(status)s and cannot be changed that way.")
            % {"status": application.get_status_display().lower()},
        )
        application.pathway = pathway
    _email_applicant(application, "pathway_application_withdrawn")
    return application


def _email_applicant(application, template):
    """Called once the change is committed: rendered outside the pathway's lock."""
    language = application.applicant.preferred_language if application.applicant else "it"
    queue_email(
        to=application.contact_email,
        template=template,
        language=language,
        context={"application": application, "pathway": application.pathway, "ally": application.ally},
    )


@transaction.atomic
def set_stage_progress(
    *, application: PathwayApplication, stage: Stage, actor, state: str, note: str = "", note_date=None
) -> StageProgress:
    """The state of an admitted organization in a stage, and a dated note (today, if no date is given)."""
    pathway = Pathway.objects.get(pk=application.pathway_id)
    if not can_manage_pathway(actor, pathway):
        raise PermissionDenied
    if state not in StageProgress.State.values:
        raise InitiativeError({"state": [_("Choose one of the states offered.")]})
    note = note.strip()
    if note and note_date is None:
        note_date = timezone.localdate()
    _check_dates(note_date=note_date)
    application = PathwayApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != AppStatus.ADMITTED or stage.pathway_id != application.pathway_id:
        raise InitiativeError(_("Progress is kept only for admitted organizations, on the stages of their pathway."))
    progress, _created = StageProgress.objects.get_or_create(application=application, stage=stage)
    previous = progress.state
    progress.state = state
    progress.note = note
    progress.note_date = note_date if note else None
    progress.save(update_fields=["state", "note", "note_date", "updated_at"])
    if previous != state:
        log(
            application,
            "progress",
            actor=actor,
            data={"stage": stage.title, "from": previous, "to": state, "note": note},
        )
    return progress


@transaction.atomic
def submit_stage_report(*, progress: StageProgress, actor, report: str) -> StageProgress:
    progress = (
        StageProgress.objects.select_for_update().select_related("application__ally", "stage").get(pk=progress.pk)
    )
    if not manages_ally(actor, progress.application.ally):
        raise PermissionDenied
    if progress.application.status != AppStatus.ADMITTED:
        raise InitiativeError(_("Only admitted organizations submit reports."))
    if not progress.stage.report_prompt:
        raise InitiativeError(_("This stage asks for no report."))
    if not report.strip():
        raise InitiativeError({"report": [_("Please write the report.")]})
    progress.report = report.strip()
    progress.report_submitted_at = timezone.now()
    progress.save(update_fields=["report", "report_submitted_at", "updated_at"])
    return progress


def message_admitted_organizations(*, pathway: Pathway, actor, subject: str, body: str) -> int:
    """Write to the contact of every admitted organization; the e-mails are rendered after commit."""
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise InitiativeError(_("Please write a subject and a message."))
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        if not can_manage_pathway(actor, pathway):
            raise PermissionDenied
        recipients = list(
            pathway.applications.filter(status=AppStatus.ADMITTED)
            .exclude(contact_email="")
            .select_related("ally", "applicant")
        )
        log(pathway, "message", actor=actor, data={"subject": subject, "recipients": len(recipients)})

    def send():
        for application in recipients:
            language = application.applicant.preferred_language if application.applicant else "it"
            queue_email(
                to=application.contact_email,
                template="pathway_message",
                language=language,
                context={
                    "application": application,
                    "pathway": pathway,
                    "ally": application.ally,
                    "message_subject": subject,
                    "message_body": body,
                },
            )

    transaction.on_commit(send)
    return len(recipients)
