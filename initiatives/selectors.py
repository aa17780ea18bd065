"""Reads about projects and pathways, shaped for their pages."""

from django.db import connection
from django.db.models import CharField, Count, F, Prefetch, Q, Value
from django.utils import timezone

from alliance.models import Region

from .models import Pathway, PathwayApplication, Project, ProjectPartner, Stage, StageProgress
from .permissions import linked_through_member_allies, promoted_pathways


def published_projects():
    return (
        Project.objects.filter(publication=Project.Publication.PUBLISHED)
        .select_related("lead_ally")
        .prefetch_related("themes", "regions")
    )


def project_for_page(slug: str):
    """A project with everything its page shows; `public_events` are its published events by start,
    `public_pathways` its pathways that are not drafts, each stage with its published events."""
    from events.models import Event

    published = Event.objects.filter(status=Event.Status.PUBLISHED).order_by("start", "pk")
    return (
        Project.objects.select_related("lead_ally")
        .prefetch_related(
            "themes",
            "regions",
            "provinces",
            "objectives",
            "external_partners",
            "attachments",
            "links",
            "updates",
            Prefetch("partners", queryset=ProjectPartner.objects.select_related("ally")),
            Prefetch("events", queryset=published, to_attr="public_events"),
            Prefetch(
                "pathways",
                queryset=Pathway.objects.exclude(status=Pathway.Status.DRAFT)
                .order_by("-created_at", "pk")
                .prefetch_related(
                    Prefetch("stages", queryset=Stage.objects.prefetch_related(Prefetch("events", queryset=published)))
                ),
                to_attr="public_pathways",
            ),
        )
        .filter(slug=slug)
        .first()
    )


def presence_by_region():
    """For each region: published projects and approved allies there, in two queries (the regions, and
    the counts of the distinct (kind, project or ally, region) pairs grouped in the database).

    A project or an ally is in a region when it names the region or one of its
    provinces, as the filters of the two lists that the counts link to. (One correlated count per
    region and kind took 3.5 times longer at 10,000 allies and 3,000 projects.)
    """
    from members.models import Ally

    def pairs(through, kind, owner, region, within):
        return (
            through.objects.filter(**{f"{owner}__in": within})
            .annotate(what=Value(kind, output_field=CharField()), who=F(f"{owner}_id"), place=F(region))
            .values_list("what", "who", "place")
        )

    published = Project.objects.filter(publication=Project.Publication.PUBLISHED).values("pk")
    members = Ally.objects.members().values("pk")
    union = pairs(Project.regions.through, "project", "project", "region_id", published).union(
        pairs(Project.provinces.through, "project", "project", "province__region_id", published),
        pairs(Ally.regions.through, "ally", "ally", "region_id", members),
        pairs(Ally.provinces.through, "ally", "ally", "province__region_id", members),
    )  # UNION, not UNION ALL: a region named twice (itself and a province) counts once
    sql, params = union.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT what, place, COUNT(*) FROM ({sql}) pairs GROUP BY what, place", params)
        counts = {(kind, region): number for kind, region, number in cursor.fetchall()}
    regions = list(Region.objects.order_by("name"))
    for region in regions:
        region.project_count = counts.get(("project", region.pk), 0)
        region.ally_count = counts.get(("ally", region.pk), 0)
    return regions


def projects_of_user(user):
    return (
        Project.objects.filter(lead_ally__memberships__user=user)
        .select_related("lead_ally")
        .distinct()
        .order_by("-updated_at")
    )


def projects_to_review():
    return (
        Project.objects.filter(publication=Project.Publication.SUBMITTED)
        .select_related("lead_ally")
        .order_by("updated_at")
    )


def count_projects_to_review(user=None) -> int:
    return Project.objects.filter(publication=Project.Publication.SUBMITTED).count()


def public_pathways():
    return (
        Pathway.objects.exclude(status=Pathway.Status.DRAFT)
        .prefetch_related("stages", "organizers", "themes")
        .order_by("-created_at")
    )


def pathway_for_page(slug: str):
    from events.models import Event

    upcoming = Event.objects.filter(status=Event.Status.PUBLISHED, end__gte=timezone.now()).order_by("start")
    return (
        Pathway.objects.select_related("project")
        .prefetch_related(
            "objectives",
            "organizers",
            "themes",
            Prefetch("stages", queryset=Stage.objects.prefetch_related(Prefetch("events", queryset=upcoming))),
            Prefetch(
                "applications",
                queryset=PathwayApplication.objects.filter(
                    status=PathwayApplication.Status.ADMITTED, show_publicly=True
                ).select_related("ally"),
                to_attr="public_participants",
            ),
        )
        .annotate(admitted_count=Count("applications", filter=Q(applications__status="admitted"), distinct=True))
        .filter(slug=slug)
        .first()
    )


def pathways_managed_by(user):
    """Every pathway for coordinators; for others, those promoted by a member ally they manage."""
    from alliance.permissions import is_coordinator

    pathways = Pathway.objects.all()
    if not is_coordinator(user):
        pathways = pathways.filter(pk__in=promoted_pathways(user).values("pk"))
    return pathways


def pathways_promoted_by(user):
    """The pathways promoted by a member ally `user` manages, with their applications to decide."""
    return (
        Pathway.objects.filter(pk__in=promoted_pathways(user).values("pk"))
        .annotate(submitted_count=Count("applications", filter=Q(applications__status="submitted"), distinct=True))
        .order_by("-created_at", "pk")
    )


def count_managed_applications_to_decide(user) -> int:
    return PathwayApplication.objects.filter(
        status=PathwayApplication.Status.SUBMITTED, pathway__in=pathways_managed_by(user)
    ).count()


def admitted_contacts(pathway):
    return pathway.applications.filter(status=PathwayApplication.Status.ADMITTED).select_related("ally")


def applications_for_review(pathway):
    return pathway.applications.select_related("ally", "applicant").order_by("created_at")


def count_pathway_applications_to_decide(user=None) -> int:
    return PathwayApplication.objects.filter(status=PathwayApplication.Status.SUBMITTED).count()


def progress_grid(pathway):
    """Admitted organizations × stages: (stages, [(application, [progress per stage])])."""
    stages = list(pathway.stages.all())
    applications = list(
        pathway.applications.filter(status=PathwayApplication.Status.ADMITTED)
        .select_related("ally")
        .prefetch_related(Prefetch("progress", queryset=StageProgress.objects.select_related("stage")))
        .order_by("ally__name")
    )
    rows = []
    for application in applications:
        by_stage = {p.stage_id: p for p in application.progress.all()}
        rows.append((application, [by_stage.get(stage.pk) for stage in stages]))
    return stages, rows


def applications_of_user(user):
    return (
        PathwayApplication.objects.filter(ally__memberships__user=user)
        .select_related("pathway", "ally")
        .prefetch_related(Prefetch("progress", queryset=StageProgress.objects.select_related("stage")))
        .distinct()
        .order_by("-created_at")
    )


def completed_pathways(ally):
    """Pathways in which `ally` completed every stage: its completion marks."""
    marks = []
    applications = (
        ally.pathway_applications.filter(status=PathwayApplication.Status.ADMITTED)
        .select_related("pathway")
        .prefetch_related("progress", "pathway__stages")
    )
    for application in applications:
        stages = {s.pk for s in application.pathway.stages.all()}
        done = {p.stage_id for p in application.progress.all() if p.state == StageProgress.State.COMPLETED}
        if stages and stages <= done:
            marks.append(application.pathway)
    return marks


def ally_projects(ally):
    """Published projects the ally leads or takes part in, for its page."""
    from django.utils.translation import gettext as _

    projects = (
        Project.objects.filter(publication=Project.Publication.PUBLISHED)
        .filter(Q(lead_ally=ally) | Q(partners__ally=ally))
        .distinct()
        .order_by("-start_date", "title")
    )
    return [(p.title, p.get_absolute_url(), _("lead") if p.lead_ally_id == ally.pk else _("partner")) for p in projects]


def ally_pathways(ally):
    """Pathways the ally follows (shown publicly), with a completion mark when every stage is completed."""
    from django.utils.translation import gettext as _

    completed = {p.pk for p in completed_pathways(ally)}
    applications = ally.pathway_applications.filter(
        status=PathwayApplication.Status.ADMITTED, show_publicly=True
    ).select_related("pathway")
    return [
        (a.pathway.title, a.pathway.get_absolute_url(), _("✓ completed") if a.pathway_id in completed else "")
        for a in applications
    ]


def linkable_projects(user):
    """The projects an event's editor may link it to: any for coordinators; else the projects that a member
    ally they manage leads or takes part in (as `permissions.can_link_project`, for allies that are members)."""
    from alliance.permissions import is_coordinator

    if is_coordinator(user):
        return Project.objects.all()
    if not user.is_authenticated:
        return Project.objects.none()
    return linked_through_member_allies(user)


def linkable_stages(user):
    """The pathway stages an event's editor may say the event carries out: any for coordinators; else the
    stages of the pathways a member ally they manage promotes (as `permissions.can_manage_pathway`)."""
    from alliance.permissions import is_coordinator

    if is_coordinator(user):
        return Stage.objects.all()
    if not user.is_authenticated:
        return Stage.objects.none()
    return Stage.objects.filter(pathway__in=promoted_pathways(user).values("pk"))
