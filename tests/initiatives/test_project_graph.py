"""The project page shows the graph (issue 10): its pathways, and the events that carry out their stages,
each saying which stage of which pathway; in the same number of queries whatever their number."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories.events import EventFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory, StageFactory

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def project_with_pathways(count):
    project = ProjectFactory(title="Comunità che generano")
    for number in range(count):
        pathway = PathwayFactory(project=project, title=f"Percorso {number}", status="running")
        for position in (1, 2):
            stage = StageFactory(pathway=pathway, position=position, title=f"Tappa {number}.{position}")
            EventFactory(title=f"Incontro {number}.{position}", pathway_stage=stage)
    return project


def test_the_project_page_lists_its_pathways_and_the_events_of_their_stages(client):
    project = project_with_pathways(1)
    draft = PathwayFactory(project=project, title="Percorso in bozza", status="draft")
    EventFactory(title="Incontro di una bozza", pathway_stage=StageFactory(pathway=draft))
    EventFactory(
        title="Incontro non pubblicato",
        status="draft",
        pathway_stage=project.pathways.get(title="Percorso 0").stages.first(),
    )

    html = client.get(url("initiatives:project_detail", slug=project.slug)).content.decode()

    assert "Percorso 0</a>" in html and "2 stages" in html
    assert "Incontro 0.1" in html and "Incontro 0.2" in html
    assert "Stage “Tappa 0.1” of <a" in html
    assert "Percorso in bozza" not in html and "Incontro di una bozza" not in html
    assert "Incontro non pubblicato" not in html


@pytest.mark.parametrize("count", [1, 4])
def test_the_project_page_asks_the_same_queries_with_one_or_many_pathways(client, django_assert_num_queries, count):
    project = project_with_pathways(count)
    client.get(url("initiatives:project_detail", slug=project.slug))  # warm what every page loads once

    # the project with its lead ally; its themes, regions, provinces, objectives, external partners,
    # attachments, links, updates, partners, own events, pathways, their stages and the stages' events
    with django_assert_num_queries(14):
        response = client.get(url("initiatives:project_detail", slug=project.slug))

    assert response.content.decode().count("project-events__stage") == 2 * count
