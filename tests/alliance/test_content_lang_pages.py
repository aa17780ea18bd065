"""What members write (in Italian) is marked lang="it" on English pages, and only there (WCAG 3.1.2):
the cards of the lists and the pages of allies, projects, pathways and events. An event written in
English is not marked."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories.events import EventFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory, StageFactory
from tests.factories.members import MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def get(client, language, name, **kwargs):
    with translation.override(language):
        path = reverse(name, kwargs=kwargs)
    html = client.get(path).content.decode()
    return html.split('id="main"', 1)[1].split("</main>", 1)[0]


def marked(html):
    """The texts inside elements marked lang="it" (their first text)."""
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r' lang="it"[^>]*>(.*?)</', html, re.S)]


@pytest.fixture
def content(taxonomy):
    ally = MemberOrganizationFactory(
        name="Cooperativa Sole", slug="sole", summary="Cura dei beni comuni.", description="Nata nel 1990."
    )
    project = ProjectFactory(
        lead_ally=ally,
        title="Orti condivisi",
        slug="orti",
        summary="Orti di quartiere.",
        description="Un progetto lungo.",
        results="Dieci orti.",
    )
    project.objectives.create(text="Coltivare insieme", position=1)
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire", purpose="Imparare a fare rete.")
    StageFactory(pathway=pathway, title="Ascolto", description="Incontri nei quartieri.")
    italian = EventFactory(
        title="Giornata della rete", slug="giornata", summary="Una giornata insieme.", description="Programma lungo."
    )
    english = EventFactory(title="Network day", slug="network-day", summary="A day together.", language="en")
    return {"ally": ally, "project": project, "pathway": pathway, "italian": italian, "english": english}


def test_english_pages_mark_the_italian_content(client, content):
    ally = marked(get(client, "en", "members:ally_detail", slug="sole"))
    assert {"Cooperativa Sole", "Cura dei beni comuni.", "Nata nel 1990."} <= set(ally)

    project = marked(get(client, "en", "initiatives:project_detail", slug="orti"))
    assert {"Orti condivisi", "Orti di quartiere.", "Un progetto lungo.", "Coltivare insieme", "Dieci orti."} <= set(
        project
    )

    pathway = marked(get(client, "en", "initiatives:pathway_detail", slug="costruire"))
    assert {"Costruire comunità", "Imparare a fare rete.", "Ascolto", "Incontri nei quartieri."} <= set(pathway)

    event = marked(get(client, "en", "events:event_detail", slug="giornata"))
    assert {"Giornata della rete", "Una giornata insieme.", "Programma lungo."} <= set(event)


def test_the_cards_of_the_lists_mark_titles_and_summaries(client, content):
    assert "Cooperativa Sole" in marked(get(client, "en", "members:ally_list"))
    assert {"Orti condivisi", "Orti di quartiere."} <= set(marked(get(client, "en", "initiatives:project_list")))
    assert "Costruire comunità" in marked(get(client, "en", "initiatives:pathway_list"))
    events = get(client, "en", "events:event_list")
    assert "Giornata della rete" in marked(events)
    assert "Network day" in events and "Network day" not in marked(events)


def test_an_event_written_in_english_is_not_marked(client, content):
    html = get(client, "en", "events:event_detail", slug="network-day")

    assert "Network day" in html
    assert marked(html) == []


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("members:ally_detail", "sole"),
        ("initiatives:project_detail", "orti"),
        ("initiatives:pathway_detail", "costruire"),
        ("events:event_detail", "giornata"),
    ],
)
def test_italian_pages_mark_nothing(client, content, name, slug):
    assert ' lang="it"' not in get(client, "it", name, slug=slug)


def test_the_home_pages_next_events_are_marked_by_their_own_language(client, content):
    home = get(client, "en", "alliance:home")

    assert "Giornata della rete" in marked(home)
    assert "Network day" in home and "Network day" not in marked(home)
