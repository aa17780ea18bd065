"""What projects and pathways bring to the home page (alliance.registry): recent and active
projects, pathways open for applications, near the visitor's region first when they chose one."""

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.home import in_region, near_first
from alliance.registry import HomeCount, HomeSection, registry

from .models import Pathway, Project

RECENT_PROJECTS = 4
OPEN_PATHWAYS = 3


def recent_projects(region):
    projects = Project.objects.filter(
        publication=Project.Publication.PUBLISHED, status__in=[Project.Status.RUNNING, Project.Status.PROPOSED]
    ).select_related("lead_ally")
    here = in_region(region, "regions", "provinces__region")
    return near_first(projects, here, (F("published_at").desc(nulls_last=True), "-pk"), RECENT_PROJECTS)


def open_pathways(region):
    now = timezone.now()
    pathways = Pathway.objects.filter(status=Pathway.Status.OPEN).filter(
        Q(applications_open_at__isnull=True) | Q(applications_open_at__lte=now),
        Q(applications_close_at__isnull=True) | Q(applications_close_at__gt=now),
    )
    order = (F("applications_close_at").asc(nulls_last=True), "-created_at")
    return near_first(pathways, in_region(region, "regions"), order, OPEN_PATHWAYS)


def count_projects() -> int:
    return Project.objects.filter(publication=Project.Publication.PUBLISHED).count()


def project_regions(region):
    published = Project.objects.filter(publication=Project.Publication.PUBLISHED)
    return [published.filter(regions=region), published.filter(provinces__region=region)]


registry.home_sections += [
    HomeSection(
        key="projects",
        title=_("Projects under way"),
        items=recent_projects,
        template="alliance/home/projects.html",
        more_url_name="initiatives:project_list",
        position=20,
    ),
    HomeSection(
        key="pathways",
        title=_("Pathways open for applications"),
        items=open_pathways,
        template="alliance/home/pathways.html",
        more_url_name="initiatives:pathway_list",
        position=30,
    ),
]
registry.home_counts.append(
    HomeCount(count=count_projects, label=lambda n: ngettext("project", "projects", n), position=30)
)
registry.region_presence.append(project_regions)
