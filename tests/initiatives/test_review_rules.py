"""Rules that a review found missing: re-applying, places, open-ended stages, reserved slugs."""

from datetime import date

import pytest
from django.utils import translation

from initiatives import services
from initiatives.forms.pathways import PathwayForm
from initiatives.models import Pathway, PathwayApplication, Project, StageProgress
from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory, StageFactory
from tests.factories.members import AllyManagerFactory, MemberOrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db
Status = PathwayApplication.Status


def test_applying_again_after_withdrawing_is_logged_and_starts_without_old_progress():
    pathway = PathwayFactory(status=Pathway.Status.OPEN, eligibility="organizations")
    StageFactory(pathway=pathway)
    ally = MemberOrganizationFactory()
    user = VerifiedUserFactory()
    AllyManagerFactory(ally=ally, user=user, role="owner")
    application = PathwayApplicationFactory(pathway=pathway, ally=ally, applicant=user, status=Status.WITHDRAWN)
    StageProgress.objects.create(application=application, stage=pathway.stages.get(),
                                 state=StageProgress.State.COMPLETED)

    again = services.apply_to_pathway(pathway=pathway, ally=ally, applicant=user, motivation="Di nuovo",
                                      contact_name="Referente", contact_email="ref@example.org")

    assert (again.pk, again.status) == (application.pk, Status.SUBMITTED)
    assert list(again.log.values_list("from_status", "to_status"))[-1] == (Status.WITHDRAWN, Status.SUBMITTED)
    assert StageProgress.objects.filter(application=again).count() == 0


def test_the_places_cannot_be_set_below_the_admitted_organizations():
    pathway = PathwayFactory(places=3)
    for _n in range(2):
        PathwayApplicationFactory(pathway=pathway, status=Status.ADMITTED)
    data = {field: getattr(pathway, field) for field in ["title", "purpose", "eligibility", "status"]}
    with translation.override("en"):
        form = PathwayForm({**data, "places": 1}, instance=pathway)
        assert form.is_valid() is False
        assert form.errors["places"] == ["2 organizations are already admitted: the places cannot be fewer."]


def test_an_open_ended_stage_gives_way_to_the_next_one():
    pathway = PathwayFactory()
    StageFactory(pathway=pathway, position=0, start_date=date(2026, 1, 1), end_date=None, title="Ascolto")
    StageFactory(pathway=pathway, position=1, start_date=date(2026, 3, 1), end_date=date(2026, 6, 30),
                 title="Tavoli")

    assert pathway.current_stage(today=date(2026, 2, 1)).title == "Ascolto"
    assert pathway.current_stage(today=date(2026, 4, 1)).title == "Tavoli"


def test_a_title_that_is_a_word_of_the_urls_gets_another_slug():
    assert services.unique_slug(Project, "Regioni") == "regioni-1"
    assert services.unique_slug(Pathway, "Nuovo") == "nuovo-1"
