"""Who works with whom: the ally page's section, the network page (map, graph, tables) and the
GEXF download; public links between approved allies only; constant queries."""

import re

import pytest
from django.urls import reverse

from alliance.models import Region
from initiatives.models import PathwayApplication
from tests.factories.events import EventFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory
from tests.factories.members import AllyFactory, MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def admit(pathway, ally, **fields):
    return PathwayApplication.objects.create(
        pathway=pathway, ally=ally, motivation="Lavorare in rete", contact_name="Anna Ricci",
        contact_email="anna@example.org", status=PathwayApplication.Status.ADMITTED, **fields,
    )


@pytest.fixture
def allies():
    names = ["Orti Urbani", "Rete Aperta", "Fondazione Ponte", "Cooperativa Sole"]
    return {name: MemberOrganizationFactory(name=name, slug=name.lower().replace(" ", "-")) for name in names}


@pytest.fixture
def links(allies):
    orti, rete, ponte, sole = allies.values()
    project = ProjectFactory(title="Cooperiamo", slug="cooperiamo", lead_ally=orti)
    project.partners.create(ally=rete, role="Comunicazione")
    project.partners.create(ally=AllyFactory(name="Non approvato", slug="non-approvato"))
    secret = ProjectFactory(title="Progetto in bozza", slug="bozza", lead_ally=orti, draft=True)
    secret.partners.create(ally=sole)
    EventFactory(title="Giornata", slug="giornata", organizers=[orti, ponte])
    EventFactory(title="Evento in bozza", slug="evento-bozza", draft=True, organizers=[orti, sole])
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire-comunita")
    pathway.organizers.set([rete])
    admit(pathway, ponte)
    admit(pathway, sole, show_publicly=False)
    return allies


def test_works_with_on_the_ally_page(client, links):
    from api.network import works_with

    orti = links["Orti Urbani"]
    assert works_with(orti) == [
        ("Fondazione Ponte", "/alleati/fondazione-ponte/", "evento: Giornata"),
        ("Rete Aperta", "/alleati/rete-aperta/", "progetto: Cooperiamo"),
    ]
    assert works_with(links["Rete Aperta"]) == [
        ("Fondazione Ponte", "/alleati/fondazione-ponte/", "percorso: Costruire comunità"),
        ("Orti Urbani", "/alleati/orti-urbani/", "progetto: Cooperiamo"),
    ]
    assert works_with(links["Cooperativa Sole"]) == []  # only drafts and a participation kept private
    html = client.get("/en/allies/orti-urbani/").content.decode()
    assert "Works with" in html
    assert '<a href="/en/allies/rete-aperta/">Rete Aperta</a> <span class="ally-related__detail">project: Cooperiamo</span>' in html
    assert "Non approvato" not in html and "bozza" not in html


def test_network_page_graph_and_table(client, links):
    response = client.get("/en/network/")
    assert response.status_code == 200 and not response.cookies
    html = response.content.decode()
    graph = response.context["graph"]
    assert sorted(tuple(sorted((e.source.name, e.target.name))) for e in graph.edges) == [
        ("Fondazione Ponte", "Orti Urbani"), ("Fondazione Ponte", "Rete Aperta"), ("Orti Urbani", "Rete Aperta"),
    ]
    assert html.count('class="network-svg__node"') == 3
    assert 'aria-label="Orti Urbani, works with 2 allies"' in html
    assert "Cooperativa Sole" not in html and "Non approvato" not in html


def test_presence_map(client, taxonomy, django_capture_on_commit_callbacks):
    veneto = Region.objects.get(slug="veneto")
    with django_capture_on_commit_callbacks(execute=True):
        MemberOrganizationFactory(regions=[veneto])
        ProjectFactory(regions=[veneto])
        EventFactory(region=veneto)
        ProjectFactory(regions=[veneto], draft=True)
    html = client.get("/en/network/").content.decode()
    assert html.count('class="presence-map__region') == 20
    # The project's lead ally has no region: 2 allies are public, one of them in Veneto.
    assert 'aria-label="Veneto: 1 ally, 1 project, 1 event"' in html
    assert re.search(r'<a href="/en/search/\?region=veneto" class="presence-map__region presence-map__region--4"', html)
    assert 'class="presence-map__region presence-map__region--0" aria-label="Molise: 0 allies, 0 projects, 0 events"' in html


@pytest.mark.parametrize("count", [1, 3])
def test_network_page_constant_queries(client, taxonomy, django_assert_num_queries, count):
    for _ in range(count):
        a, b = MemberOrganizationFactory(), MemberOrganizationFactory()
        ProjectFactory(lead_ally=a).partners.create(ally=b)
        EventFactory(organizers=[a, b])
    # the links (one UNION), the regions, the presence counts
    with django_assert_num_queries(3):
        response = client.get("/en/network/")
    assert len(response.context["graph"].edges) == count


def test_gexf_download(client, links):
    response = client.get(reverse("api:network_gexf"))  # in Italian: the allies' Italian addresses
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gexf+xml; charset=utf-8"
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.3" version="1.3">')
    assert body.count("<node ") == 3 and body.count("<edge ") == 3
    assert 'label="Orti Urbani"' in body and 'value="http://testserver/alleati/orti-urbani/"' in body
    assert 'value="project: Cooperiamo"' in body
