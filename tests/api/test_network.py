"""Who works with whom: the ally page's section, the network page (map, graph, tables) and the
GEXF download; public links between approved allies only; constant queries."""

import json
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
        pathway=pathway,
        ally=ally,
        motivation="Lavorare in rete",
        contact_name="Anna Ricci",
        contact_email="anna@example.org",
        status=PathwayApplication.Status.ADMITTED,
        **fields,
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
    assert (
        '<a href="/en/allies/rete-aperta/">Rete Aperta</a> <span class="ally-related__detail">project: Cooperiamo</span>'
        in html
    )
    assert "Non approvato" not in html and "bozza" not in html


def test_network_page_graph_and_table(client, links):
    response = client.get("/en/network/")
    assert response.status_code == 200 and not response.cookies
    html = response.content.decode()
    graph = response.context["graph"]
    assert sorted(tuple(sorted((e.source.name, e.target.name))) for e in graph.edges) == [
        ("Fondazione Ponte", "Orti Urbani"),
        ("Fondazione Ponte", "Rete Aperta"),
        ("Orti Urbani", "Rete Aperta"),
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
    assert (
        'class="presence-map__region presence-map__region--0" aria-label="Molise: 0 allies, 0 projects, 0 events"'
        in html
    )
    # Italy's regions drawn from the boundaries installed from npm, inline: no tile, no script, no other host
    assert html.count('<path d="m') == 20
    veneto_link = re.search(r'<a href="/en/search/\?region=veneto".*?</a>', html, re.S).group(0)
    assert "<title>Veneto</title>" in veneto_link
    assert re.search(r'<text x="[\d.]+" y="[\d.]+"[^>]*class="presence-map__count">3</text>', veneto_link)
    assert '<a href="https://github.com/VictorCazanave/svg-maps/tree/master/packages/italy">@svg-maps/italy</a>' in html
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in html
    svg = html[html.index('<svg class="presence-map"') : html.index("</svg>")]
    assert "<script" not in svg and "<image" not in svg and "http" not in svg.replace("http://www.w3.org", "")
    # the table stays, as the text alternative
    assert '<th scope="row"><a href="/en/search/?region=veneto">Veneto</a></th>' in html


def test_the_outlines_are_read_from_the_package_and_simplified_faithfully():
    from api import presence

    shapes = presence.shapes()
    assert shapes.view_box == "0 0 610 793" and set(shapes.regions) == {f"{n:02d}" for n in range(1, 21)}
    source = json.loads(re.search(r"\{.*\}", presence.shapes_file().read_text(), re.S).group(0))
    for item in source["locations"]:
        original = presence._rings(item["path"])
        drawn = presence._rings(shapes.regions[presence.SHAPE_CODES[item["id"]]].path)
        assert len(drawn) <= len(original)
        # every point drawn is within a tenth of a unit (plus rounding) of a point of the original
        points = {(round(x, 1), round(y, 1)) for ring in original for x, y in ring}
        for ring in drawn:
            for x, y in ring:
                assert (round(x, 1), round(y, 1)) in points or min(abs(x - px) + abs(y - py) for px, py in points) < 0.3
    lazio = shapes.regions["12"]
    assert 280 < lazio.label_x < 360 and 320 < lazio.label_y < 420  # the count sits inside the region


def test_without_the_boundaries_the_page_keeps_the_table(client, taxonomy, settings, tmp_path):
    from django.core import checks

    from api import presence

    presence.shapes.cache_clear()
    settings.BASE_DIR = tmp_path  # no node_modules there
    try:
        html = client.get("/en/network/").content.decode()
        warnings = [m for m in checks.run_checks() if m.id == "api.W001"]
    finally:
        presence.shapes.cache_clear()  # read again from the real folder (the fixture restores BASE_DIR)
    assert '<svg class="presence-map"' not in html
    assert '<th scope="row"><a href="/en/search/?region=veneto">Veneto</a></th>' in html
    assert len(warnings) == 1 and "make install" in warnings[0].msg


def test_the_drawing_shows_the_most_connected_and_the_links_among_them(client, allies):
    """At ten thousand allies the page draws the most connected (counted by the database) and the
    links among them; the counts are the whole network's, as in the GEXF download."""
    from api import network

    orti, rete, ponte, sole = allies.values()
    others = [MemberOrganizationFactory(name=f"Alleato {n}", slug=f"alleato-{n}") for n in range(3)]
    # Orti works with 5 allies (with Rete through a project and an event), Rete with 3, Ponte and the
    # first two others with 2, the third other with 1, Sole with 1 (a pathway's participants): 8 links.
    project = ProjectFactory(title="Orti in rete", slug="orti-in-rete", lead_ally=orti)
    project.partners.create(ally=rete)
    project.partners.create(ally=ponte)
    EventFactory(title="Festa", slug="festa", organizers=[orti, rete, ponte])
    EventFactory(title="Laboratorio", slug="laboratorio", organizers=[orti, others[0], others[1]])
    EventFactory(title="Incontro", slug="incontro", organizers=[rete, others[2]])
    pathway = PathwayFactory(title="Percorso", slug="percorso")
    admit(pathway, orti)
    admit(pathway, sole)
    whole = network.graph()
    summary = network.most_connected(3)
    assert (summary.allies, summary.links) == (len(whole.nodes), len(whole.edges)) == (7, 8)
    expected = sorted(whole.nodes.values(), key=lambda n: (-n.links, n.name))[:3]
    assert [(n.name, n.links) for n in summary.nodes] == [("Orti Urbani", 5), ("Rete Aperta", 3), ("Alleato 0", 2)]
    assert [n.pk for n in summary.nodes] == [n.pk for n in expected]  # ties by name, as Python sorts
    assert [(e.source.name, e.target.name, e.through) for e in summary.edges] == [
        ("Orti Urbani", "Alleato 0", [("event", "Laboratorio", "laboratorio")]),
        ("Orti Urbani", "Rete Aperta", [("event", "Festa", "festa"), ("project", "Orti in rete", "orti-in-rete")]),
    ]
    assert summary.nodes[0].url == "/alleati/orti-urbani/"
    assert network.most_connected(100).nodes == sorted(whole.nodes.values(), key=lambda n: (-n.links, n.name))


def test_italian_drawings_keep_svg_numbers(client, links):
    """An Italian page writes numbers with a decimal comma: an SVG coordinate must keep its point."""
    html = client.get("/rete/").content.decode()
    coordinates = re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', html)
    assert len(coordinates) == 3
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for pair in coordinates for value in pair), coordinates
    labels = re.findall(r'<text x="([^"]+)" y="([^"]+)"', html)
    assert labels and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for pair in labels for value in pair), labels
    assert 'aria-label="Orti Urbani, lavora con 2 alleati"' in html


@pytest.mark.parametrize("count", [1, 3])
def test_network_page_constant_queries(client, taxonomy, django_assert_num_queries, count):
    for _ in range(count):
        a, b = MemberOrganizationFactory(), MemberOrganizationFactory()
        ProjectFactory(lead_ally=a).partners.create(ally=b)
        EventFactory(organizers=[a, b])
    # the counts, the most connected allies and their links; the titles of what links them; the regions;
    # the presence counts
    with django_assert_num_queries(4):
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


# The drawing's allies as the template wrote them, in a loop, before network_views._nodes_markup.
FORMER_NODES_LOOP = """{% load l10n %}{% localize off %}{% for item in nodes %}
        <a href="{{ item.node.url }}" class="network-svg__node" aria-label="{{ item.aria_label }}">
          <title>{{ item.node.name }}</title>
          <circle cx="{{ item.x }}" cy="{{ item.y }}" r="{{ item.r }}"></circle>
          {% if item.label %}<text x="{{ item.lx }}" y="{{ item.ly }}" text-anchor="{{ item.anchor }}" class="network-svg__label">{{ item.node.name|truncatechars:28 }}</text>{% endif %}
        </a>
      {% endfor %}{% endlocalize %}"""


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_drawn_allies_are_written_as_the_template_wrote_them(language, monkeypatch):
    """Issue 13: the 120 drawn allies are written in Python; the same bytes as the template's loop, names
    to escape and labels to cut included."""
    from django.template import engines
    from django.utils import translation

    from api import network, network_views

    names = ['Orti & "Co" <Verona>', "Cooperativa sociale di comunità per l'abitare", "Alleato qualunque"]
    nodes = [
        network.Node(pk, name, f"alleato-{pk}", links)
        for pk, name, links in zip([3, 1, 2], names, [14, 2, 1], strict=True)
    ]
    for node in nodes:
        node.url = f"/alleati/{node.slug}/?a=1&b=2"
    summary = network.Summary(allies=3, links=2, nodes=nodes, edges=[network.Edge(nodes[0], nodes[1], [])])
    monkeypatch.setattr(network_views, "LABELLED_NODES", 2)  # the long name labelled, the last one not
    with translation.override(language):
        drawn, _lines = network_views._layout(summary)
        expected = engines["django"].from_string(FORMER_NODES_LOOP).render({"nodes": drawn})
        assert network_views._nodes_markup(drawn) == expected
    assert "&amp;" in expected and "&quot;Co&quot;" in expected and "…</text>" in expected


@pytest.mark.parametrize(
    "value",
    [
        "Orti Urbani",
        "Sole & Luna",
        'Il "Girasole"',
        "L'Aquila",
        'Il "sole" dell\'Aquila',
        "a<b>c",
        "riga\nnuova\t\r",
        "",
    ],
)
def test_the_gexf_attributes_are_quoted_as_quoteattr_quotes_them(value):
    from xml.sax.saxutils import quoteattr

    from api.network_views import _attribute

    assert _attribute(value) == quoteattr(value)
