"""Projects, pathways, their stages and the applications to them.

ProjectFactory makes a published, running project led by an approved
organization; `draft=True` and `submitted=True` change its publication.
`regions`, `provinces` and `themes` take lists of rows.
PathwayFactory makes a pathway open for applications to approved member
organizations, with 10 places; StageFactory a stage of it;
PathwayApplicationFactory a submitted application whose log starts with the
submission.
"""

from datetime import date

import factory
from django.utils import timezone

from alliance import workflow

from .members import MemberOrganizationFactory, VerifiedUserFactory


def _now():
    return timezone.now()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "initiatives.Project"
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(publication="draft", published_at=None)
        submitted = factory.Trait(publication="submitted", published_at=None)

    title = factory.Sequence(lambda n: f"Territori Generativi {n}")
    slug = factory.Sequence(lambda n: f"territori-generativi-{n}")
    summary = "Comunità che si prendono cura dei propri luoghi."
    description = "Un progetto di welfare territoriale generativo."
    scope = "regional"
    status = "running"
    start_date = date(2024, 3, 1)
    end_date = None
    lead_ally = factory.SubFactory(MemberOrganizationFactory)
    publication = "published"
    published_at = factory.LazyFunction(_now)

    @factory.post_generation
    def regions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.regions.set(extracted)

    @factory.post_generation
    def provinces(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.provinces.set(extracted)

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.themes.set(extracted)


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "initiatives.Pathway"

    title = factory.Sequence(lambda n: f"Percorso di orientamento generativo {n}")
    slug = factory.Sequence(lambda n: f"percorso-di-orientamento-{n}")
    purpose = "Accompagnare le organizzazioni a generare valore nei territori."
    eligibility = "member_organizations"
    status = "open"
    places = 10


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "initiatives.Stage"

    pathway = factory.SubFactory(PathwayFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = "listening"
    title = factory.Sequence(lambda n: f"Fase di ascolto {n}")
    start_date = date(2025, 9, 1)
    end_date = date(2025, 9, 30)


class PathwayApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "initiatives.PathwayApplication"
        skip_postgeneration_save = True

    pathway = factory.SubFactory(PathwayFactory)
    ally = factory.SubFactory(MemberOrganizationFactory)
    applicant = factory.SubFactory(VerifiedUserFactory)
    motivation = "Vogliamo imparare a lavorare in rete."
    contact_name = "Anna Ricci"
    contact_email = factory.Sequence(lambda n: f"referente{n}@example.org")
    status = "submitted"

    @factory.post_generation
    def submitted_log(obj, create, extracted, **kwargs):
        if create:
            workflow.log(
                obj, "status.submitted", actor=obj.applicant, data={"field": "status", "from": "", "to": "submitted"}
            )


def pdf_bytes() -> bytes:
    """A small PDF that pypdf reads whole (one blank page), as the upload check requires."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def status_log(obj):
    """The status changes of `obj` on the portal's record: [(from, to, actor pk, note)], oldest first."""
    return [
        (entry.data["from"], entry.data["to"], entry.actor_id, entry.data.get("note", ""))
        for entry in workflow.history(obj)
        if "field" in entry.data
    ]
