"""Numbers meet nouns through ngettext in the pathway rules (issue 14: "All 1 places are taken",
"1 organizzazioni sono già state ammesse")."""

import pytest
from django.utils import translation

from initiatives import services
from initiatives.services import InitiativeError, PathwayData
from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory
from tests.factories.members import CoordinatorFactory

pytestmark = pytest.mark.django_db


def refusal(call):
    with translation.override("en"), pytest.raises(InitiativeError) as refused:
        call()
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("places", "message"),
    [
        (1, "The only place is taken: put the application on the waiting list, or free the place."),
        (3, "All 3 places are taken: put the application on the waiting list, or free a place."),
    ],
)
def test_admitting_beyond_the_places_says_how_many_in_words_that_agree(places, message):
    pathway = PathwayFactory(places=places)
    for _n in range(places):
        PathwayApplicationFactory(pathway=pathway, status="admitted")
    waiting = PathwayApplicationFactory(pathway=pathway)

    assert (
        refusal(
            lambda: services.decide_pathway_application(
                application=waiting, actor=CoordinatorFactory(), status="admitted"
            )
        )
        == message
    )


@pytest.mark.parametrize(
    ("admitted", "message"),
    [
        # At least one place is asked for, so it takes two admitted to refuse: the singular is Italian's need.
        (2, "2 organizations are already admitted: the places cannot be fewer."),
        (3, "3 organizations are already admitted: the places cannot be fewer."),
    ],
)
def test_fewer_places_than_admitted_says_how_many_in_words_that_agree(admitted, message):
    pathway = PathwayFactory(places=5)
    for _n in range(admitted):
        PathwayApplicationFactory(pathway=pathway, status="admitted")
    data = PathwayData(
        title=pathway.title, purpose=pathway.purpose, eligibility=pathway.eligibility, status=pathway.status, places=1
    )

    assert refusal(lambda: services.save_pathway(actor=CoordinatorFactory(), data=data, pathway=pathway)) == message
