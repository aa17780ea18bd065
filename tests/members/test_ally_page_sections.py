"""An ally's page shows its projects, events and pathways, with a mark for completed pathways."""

import pytest
from django.utils import translation

from initiatives.models import PathwayApplication, StageProgress
from tests.factories.events import EventFactory
from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory, ProjectFactory, StageFactory
from tests.factories.members import MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def follow(pathway, ally, *, completed: bool):
    application = PathwayApplicationFactory(pathway=pathway, ally=ally, status=PathwayApplication.Status.ADMITTED)
    for stage in pathway.stages.all():
        StageProgress.objects.create(
            application=application,
            stage=stage,
            state=StageProgress.State.COMPLETED if completed else StageProgress.State.IN_PROGRESS,
        )


def test_the_page_lists_projects_events_and_pathways_with_the_completion_mark(client):
    ally = MemberOrganizationFactory(name="Cooperativa Il Faro")
    ProjectFactory(title="Orti di quartiere", lead_ally=ally)
    ProjectFactory(title="Progetto ancora in bozza", lead_ally=ally, draft=True)
    EventFactory(title="Festa degli orti", organizers=[ally])
    EventFactory(title="Evento in bozza", organizers=[ally], draft=True)
    done = PathwayFactory(title="Percorso completato")
    StageFactory(pathway=done)
    going = PathwayFactory(title="Percorso in corso")
    StageFactory(pathway=going)
    follow(done, ally, completed=True)
    follow(going, ally, completed=False)

    with translation.override("en"):
        url = ally.get_absolute_url()
    response = client.get(url)

    sections = {
        s["title"]: [(label, detail) for label, _url, detail in s["items"]] for s in response.context["sections"]
    }
    with translation.override("en"):  # the labels are lazy: read them in the page's language
        assert sections["Projects"] == [("Orti di quartiere", "lead")]
        assert [label for label, _detail in sections["Events"]] == ["Festa degli orti"]
        assert sorted(sections["Pathways"]) == [("Percorso completato", "✓ completed"), ("Percorso in corso", "")]
    html = response.content.decode()
    assert "Progetto ancora in bozza" not in html
    assert "Evento in bozza" not in html


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_page_query_count_does_not_grow(client, django_assert_num_queries, item_count):
    ally = MemberOrganizationFactory()
    for n in range(item_count):
        ProjectFactory(lead_ally=ally)
        EventFactory(organizers=[ally])
        pathway = PathwayFactory()
        StageFactory(pathway=pathway)
        follow(pathway, ally, completed=n % 2 == 0)

    with django_assert_num_queries(11):  # the sections the other domains register (11 since their workflow work)
        response = client.get(ally.get_absolute_url())

    assert [len(s["items"]) for s in response.context["sections"]] == [item_count] * 3
