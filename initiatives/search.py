"""Projects and pathways in the site-wide search (alliance.search).

A project is public once published; a pathway once it is no longer a draft.
"""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from alliance import search
from alliance.models import Province
from members.models import Ally

from .models import (
    ExternalPartner,
    Pathway,
    PathwayObjective,
    Project,
    ProjectObjective,
    ProjectPartner,
    Stage,
)


def indexed_projects():
    return Project.objects.select_related("lead_ally").prefetch_related(
        "themes",
        "regions",
        "objectives",
        "external_partners",
        Prefetch("provinces", queryset=Province.objects.select_related("region")),
        Prefetch("partners", queryset=ProjectPartner.objects.select_related("ally")),
    )


def project_documents(project):
    themes = list(project.themes.all())
    regions = list(project.regions.all())
    provinces = list(project.provinces.all())
    partners = [p.ally.name for p in project.partners.all() if p.ally.is_public]
    lead = project.lead_ally.name if project.lead_ally.is_public else ""
    places = [project.municipalities, *(r.name for r in regions), *(p.name for p in provinces)]
    yield search.Doc(
        obj=project,
        kind="project",
        title=project.title,
        subtitle=" · ".join(filter(None, [lead, project.get_status_display()])),
        text="\n".join(
            part
            for part in [
                project.summary,
                project.description,
                project.results,
                "\n".join(o.text for o in project.objectives.all()),
                " · ".join(filter(None, places)),
                " · ".join(partners),
                " · ".join(e.name for e in project.external_partners.all()),
                " · ".join(t.name for t in themes),
            ]
            if part
        ),
        url_name="initiatives:project_detail",
        url_kwargs={"slug": project.slug},
        regions=search.region_slugs(regions, provinces),
        date=project.start_date or project.published_at,
        is_public=project.publication == Project.Publication.PUBLISHED,
        extra_terms=" ".join([search.labels(project.status, enum=Project.Status), *(t.name_en for t in themes)]),
    )


def indexed_pathways():
    return Pathway.objects.select_related("project").prefetch_related(
        "themes", "regions", "objectives", "stages", "organizers"
    )


def pathway_documents(pathway):
    themes = list(pathway.themes.all())
    regions = list(pathway.regions.all())
    organizers = [a.name for a in pathway.organizers.all() if a.is_public]
    stages = [f"{s.title}. {s.description}" for s in pathway.stages.all()]
    project = pathway.project.title if pathway.project and pathway.project.publication == "published" else ""
    yield search.Doc(
        obj=pathway,
        kind="pathway",
        title=pathway.title,
        subtitle=" · ".join(filter(None, [", ".join(organizers), pathway.get_status_display()])),
        text="\n".join(
            part
            for part in [
                pathway.purpose,
                "\n".join(o.text for o in pathway.objectives.all()),
                "\n".join(stages),
                project,
                " · ".join(r.name for r in regions),
                " · ".join(t.name for t in themes),
            ]
            if part
        ),
        url_name="initiatives:pathway_detail",
        url_kwargs={"slug": pathway.slug},
        regions=search.region_slugs(regions),
        date=pathway.applications_open_at or pathway.created_at,
        is_public=pathway.status != Pathway.Status.DRAFT,
        extra_terms=" ".join(
            [search.labels(pathway.status, enum=Pathway.Status), "percorso pathway", *(t.name_en for t in themes)]
        ),
    )


search.register_kind("project", _("Projects"), 20)
search.register_kind("pathway", _("Pathways"), 50)
search.register(
    search.Indexer(
        model=Project,
        queryset=indexed_projects,
        build=project_documents,
        m2m=("themes", "regions", "provinces"),
        related={
            ProjectObjective: lambda row: [row.project_id],
            ProjectPartner: lambda row: [row.project_id],
            ExternalPartner: lambda row: [row.project_id],
            # A renamed or newly approved ally: the projects that name it.
            Ally: lambda ally: Q(lead_ally=ally.pk) | Q(partners__ally=ally.pk),
        },
    )
)
search.register(
    search.Indexer(
        model=Pathway,
        queryset=indexed_pathways,
        build=pathway_documents,
        m2m=("themes", "regions", "organizers"),
        related={
            PathwayObjective: lambda row: [row.pathway_id],
            Stage: lambda row: [row.pathway_id],
            Ally: lambda ally: Q(organizers=ally.pk),
            Project: lambda project: Q(project=project.pk),
        },
    )
)
