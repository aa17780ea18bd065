"""Rules that a review found missing: re-applying, places, open-ended stages, reserved slugs."""

from datetime import date

import pytest
from django.utils import translation

from initiatives import services
from initiatives.forms.pathways import PathwayEditor
from initiatives.models import Pathway, PathwayApplication, Project, StageProgress
from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory, StageFactory, status_log
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db
Status = PathwayApplication.Status


def test_applying_again_after_withdrawing_is_logged_and_starts_without_old_progress():
    pathway = PathwayFactory(status=Pathway.Status.OPEN, eligibility="organizations")
    StageFactory(pathway=pathway)
    ally = MemberOrganizationFactory()
    user = VerifiedUserFactory()
    AllyManagerFactory(ally=ally, user=user, role="owner")
    application = PathwayApplicationFactory(pathway=pathway, ally=ally, applicant=user, status=Status.WITHDRAWN)
    StageProgress.objects.create(
        application=application, stage=pathway.stages.get(), state=StageProgress.State.COMPLETED
    )

    again = services.apply_to_pathway(
        pathway=pathway,
        ally=ally,
        applicant=user,
        motivation="Di nuovo",
        contact_name="Referente",
        contact_email="ref@example.org",
    )

    assert (again.pk, again.status) == (application.pk, Status.SUBMITTED)
    assert status_log(again)[-1][:2] == (Status.WITHDRAWN, Status.SUBMITTED)
    assert StageProgress.objects.filter(application=again).count() == 0


def test_the_places_cannot_be_set_below_the_admitted_organizations():
    pathway = PathwayFactory(places=3)
    for _n in range(2):
        PathwayApplicationFactory(pathway=pathway, status=Status.ADMITTED)
    fields = ["title", "purpose", "eligibility", "status"]
    with translation.override("en"):
        # The service refuses, whoever calls it...
        with pytest.raises(services.InitiativeError) as refused:
            services.save_pathway(
                actor=CoordinatorFactory(),
                pathway=pathway,
                data=services.PathwayData(**{f: getattr(pathway, f) for f in fields}, places=1),
            )
        assert refused.value.message_dict == {
            "places": ["2 organizations are already admitted: the places cannot be fewer."]
        }
        # ...and the editor shows the refusal beside the field.
        data = {f: getattr(pathway, f) for f in fields}
        data.update({"places": 1, **empty_formset("objectives"), **empty_formset("stages")})
        editor = PathwayEditor(data, instance=pathway, user=CoordinatorFactory())
        assert editor.is_valid() is True
        assert editor.save() is None
        assert editor.form.errors["places"] == ["2 organizations are already admitted: the places cannot be fewer."]
    pathway.refresh_from_db()
    assert pathway.places == 3


def empty_formset(prefix):
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_an_open_ended_stage_gives_way_to_the_next_one():
    pathway = PathwayFactory()
    StageFactory(pathway=pathway, position=1, start_date=date(2026, 1, 1), end_date=None, title="Ascolto")
    StageFactory(pathway=pathway, position=2, start_date=date(2026, 3, 1), end_date=date(2026, 6, 30), title="Tavoli")

    assert pathway.current_stage(today=date(2026, 2, 1)).title == "Ascolto"
    assert pathway.current_stage(today=date(2026, 4, 1)).title == "Tavoli"


def test_a_title_that_is_a_word_of_the_urls_gets_another_slug():
    assert services.unique_slug(Project, "Regioni") == "regioni-1"
    assert services.unique_slug(Pathway, "Nuovo") == "nuovo-1"
