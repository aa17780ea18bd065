"""Projects in public (list, filters, search, presence by region, the project's page) and the editor.

Texts of the interface are checked on the English pages (the source strings),
names and rows on the Italian ones (the default language).
"""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import LogEntry, Province, Region, Theme
from initiatives.models import (
    ExternalPartner,
    ProgressUpdate,
    Project,
    ProjectAttachment,
    ProjectLink,
    ProjectObjective,
    ProjectPartner,
)
from tests.factories.events import EventFactory
from tests.factories.initiatives import ProjectFactory, pdf_bytes, status_log
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

WELFARE = "welfare-territoriale-generativo"
COMMONS = "rigenerazione-beni-comuni"
PDF = pdf_bytes()


def url(name, language="it", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def listed(response):
    return [project.title for project in response.context["page_obj"]]


def region(slug):
    return Region.objects.get(slug=slug)


def province(abbreviation):
    return Province.objects.get(abbreviation=abbreviation)


def theme(slug):
    return Theme.objects.get(slug=slug)


# The list --------------------------------------------------------------------------


def test_only_published_projects_are_listed_newest_first(client):
    ProjectFactory(title="Sportello Talenti", start_date=date(2022, 9, 1))
    ProjectFactory(title="Cooperiamo", start_date=date(2024, 1, 10))
    ProjectFactory(title="Senza date", start_date=None)
    ProjectFactory(title="Bozza nascosta", draft=True)
    ProjectFactory(title="In revisione nascosto", submitted=True)

    response = client.get(url("initiatives:project_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == ["Cooperiamo", "Sportello Talenti", "Senza date"]
    assert "Bozza nascosta" not in html
    assert "In revisione nascosto" not in html
    assert html.count("<h1") == 1


def test_a_card_shows_title_lead_status_period_regions_themes_and_summary(client, taxonomy):
    project = ProjectFactory(
        title="Territori Generativi",
        summary="Comunità che si prendono cura dei luoghi.",
        lead_ally=MemberOrganizationFactory(name="Cooperativa Sole"),
        status="running",
        start_date=date(2024, 3, 1),
        end_date=date(2026, 2, 28),
        regions=[region("lombardia"), region("lazio")],
        themes=[theme(COMMONS)],
    )

    response = client.get(url("initiatives:project_list", "en"))

    html = response.content.decode()
    card = re.search(r'<article class="project-card">.*?</article>', html, re.S).group(0)
    assert f'<a href="{url("initiatives:project_detail", "en", slug=project.slug)}">Territori Generativi</a>' in card
    assert '<span class="project-card__label">Led by</span> Cooperativa Sole' in card
    assert '<span class="project-badge project-badge--running">Running</span>' in card
    assert '<span class="project-period">from March 2024 to February 2026</span>' in card
    assert "Lazio, Lombardy</p>" in card
    assert '<p class="project-card__summary" lang="it">Comunità che si prendono cura dei luoghi.</p>' in card
    assert "<li>Regeneration of the commons</li>" in card
    assert '<p class="directory-results__count" role="status">One project found.</p>' in html


def test_every_filter_field_has_a_label_in_a_search_form(client):
    response = client.get(url("initiatives:project_list", "en"))

    html = response.content.decode()
    form = re.search(r'<form class="portal-form directory-filters__form" method="get".*?</form>', html, re.S).group(0)
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', form)
    assert ids == ["id_q", "id_theme", "id_region", "id_status", "id_year", "id_ally"]
    for field_id in ids:
        assert f'<label for="{field_id}">' in form, field_id


def test_filter_by_theme(client, taxonomy):
    ProjectFactory(title="Beni comuni", themes=[theme(COMMONS), theme(WELFARE)])
    ProjectFactory(title="Welfare", themes=[theme(WELFARE)])
    ProjectFactory(title="Senza temi")

    response = client.get(url("initiatives:project_list"), {"theme": COMMONS})

    assert listed(response) == ["Beni comuni"]


def test_filter_by_region_finds_projects_in_the_region_or_in_its_provinces_once(client, taxonomy):
    ProjectFactory(title="A Milano", provinces=[province("MI")], start_date=date(2024, 1, 1))
    ProjectFactory(
        title="In Lombardia",
        regions=[region("lombardia")],
        provinces=[province("MI"), province("BG")],
        start_date=date(2023, 1, 1),
    )
    ProjectFactory(title="A Verona", regions=[region("veneto")], provinces=[province("VR")])
    ProjectFactory(title="Bozza lombarda", regions=[region("lombardia")], draft=True)

    lombardia = client.get(url("initiatives:project_list"), {"region": "lombardia"})
    veneto = client.get(url("initiatives:project_list"), {"region": "veneto"})
    sicilia = client.get(url("initiatives:project_list"), {"region": "sicilia"})

    assert listed(lombardia) == ["A Milano", "In Lombardia"]
    assert listed(veneto) == ["A Verona"]
    assert listed(sicilia) == []


def test_filter_by_status(client):
    ProjectFactory(title="In corso", status="running")
    ProjectFactory(title="Concluso", status="concluded")
    ProjectFactory(title="Proposto", status="proposed")

    response = client.get(url("initiatives:project_list"), {"status": "concluded"})

    assert listed(response) == ["Concluso"]


def test_filter_by_year_takes_projects_whose_period_includes_it(client):
    ProjectFactory(title="Tutto il 2023", start_date=date(2023, 1, 1), end_date=date(2023, 12, 31))
    ProjectFactory(title="Dal 2024 senza fine", start_date=date(2024, 1, 1), end_date=None)
    ProjectFactory(title="Dal 2022 al primo gennaio 2024", start_date=date(2022, 6, 1), end_date=date(2024, 1, 1))
    ProjectFactory(title="Dal 31 dicembre 2024", start_date=date(2024, 12, 31), end_date=date(2025, 6, 30))
    ProjectFactory(title="Senza date", start_date=None, end_date=None)

    def year(value):
        return listed(client.get(url("initiatives:project_list"), {"year": value}))

    assert year(2021) == []
    assert year(2022) == ["Dal 2022 al primo gennaio 2024"]
    assert year(2023) == ["Tutto il 2023", "Dal 2022 al primo gennaio 2024"]
    assert year(2024) == ["Dal 31 dicembre 2024", "Dal 2024 senza fine", "Dal 2022 al primo gennaio 2024"]
    assert year(2025) == ["Dal 31 dicembre 2024", "Dal 2024 senza fine"]
    assert year(2030) == ["Dal 2024 senza fine"]


def test_filter_by_ally_finds_projects_it_leads_or_joins_as_partner(client):
    ally = MemberOrganizationFactory(name="Fondazione Ponte", slug="fondazione-ponte")
    led = ProjectFactory(title="Guidato", lead_ally=ally, start_date=date(2024, 1, 1))
    joined = ProjectFactory(title="Come partner", start_date=date(2023, 1, 1))
    ProjectPartner.objects.create(project=joined, ally=ally, role="Formazione")
    ProjectPartner.objects.create(project=led, ally=MemberOrganizationFactory(), role="Ricerca")
    ProjectFactory(title="Di altri")

    response = client.get(url("initiatives:project_list"), {"ally": "fondazione-ponte"})

    assert listed(response) == ["Guidato", "Come partner"]


def test_the_ally_filter_takes_a_typed_name_and_shows_it_whole(client):
    ally = MemberOrganizationFactory(name="Fondazione Ponte", slug="fondazione-ponte")
    ProjectFactory(title="Guidato", lead_ally=ally)
    ProjectFactory(title="Di altri")

    response = client.get(url("initiatives:project_list", "en"), {"ally": "ponte"})

    html = response.content.decode()
    assert listed(response) == ["Guidato"]
    field = re.search(r'<input type="text" name="ally"[^>]*>', html).group(0)
    assert 'value="Fondazione Ponte"' in field
    assert f'data-ally-search="{url("initiatives:ally_names", "en")}"' in field
    assert 'aria-describedby="id_ally_helptext"' in field
    assert "js/ally-search.js" in html


def test_an_ambiguous_ally_name_lists_the_matches(client):
    MemberOrganizationFactory(name="Fondazione Ponte")
    MemberOrganizationFactory(name="Fondazione Ponte Nuovo")
    MemberOrganizationFactory(name="Fondazione Porto")

    response = client.get(url("initiatives:project_list", "en"), {"ally": "fondazione po"})

    assert listed(response) == []
    error = response.context["filter"].form.errors["ally"][0]
    assert "Several allies match “fondazione po”" in error
    assert "Fondazione Ponte, Fondazione Ponte Nuovo, Fondazione Porto" in error


def test_the_page_does_not_grow_with_the_number_of_allies(client):
    """The "ally involved" filter used to offer every ally as an option (913 KB at 10,000 allies)."""
    ProjectFactory(title="Cooperiamo", lead_ally=MemberOrganizationFactory(name="Cooperativa Sole"))
    MemberOrganizationFactory(name="Zebedeo 0")
    before = client.get(url("initiatives:project_list")).content

    for number in range(1, 40):
        MemberOrganizationFactory(name=f"Zebedeo {number}")
    after = client.get(url("initiatives:project_list")).content

    assert len(after) == len(before)
    assert b"Zebedeo" not in after


def test_the_type_ahead_offers_member_allies_by_name_to_anyone(client):
    MemberOrganizationFactory(name="Fondazione Ponte", slug="fondazione-ponte")
    MemberOrganizationFactory(name="Ponte Vecchio APS", slug="ponte-vecchio")
    OrganizationFactory(name="Ponte in attesa")  # not a member yet: not public
    for number in range(25):
        MemberOrganizationFactory(name=f"Ponti {number:02d}")

    response = client.get(url("initiatives:ally_names"), {"q": "ponte"})
    many = client.get(url("initiatives:ally_names"), {"q": "pont"}).json()["results"]

    assert response.status_code == 200
    assert not response.cookies
    assert response.json() == {
        "results": [
            {"name": "Fondazione Ponte", "slug": "fondazione-ponte"},
            {"name": "Ponte Vecchio APS", "slug": "ponte-vecchio"},
        ]
    }
    assert len(many) == 20  # at most 20
    assert client.get(url("initiatives:ally_names")).json() == {"results": []}


def test_search_finds_words_in_the_title_and_the_description(client, django_capture_on_commit_callbacks):
    lead = MemberOrganizationFactory(name="Fondazione Ponte")  # its name is searched too
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows, as after a commit
        ProjectFactory(title="Cooperiamo", description="Sei filoni di lavoro.", lead_ally=lead)
        ProjectFactory(title="Sportello Talenti", description="Orientamento dei giovani nelle scuole.", lead_ally=lead)
        ProjectFactory(title="Nascosto", description="Giovani e scuole.", draft=True, lead_ally=lead)

    assert listed(client.get(url("initiatives:project_list"), {"q": "cooperiamo"})) == ["Cooperiamo"]
    assert listed(client.get(url("initiatives:project_list"), {"q": "giovane"})) == ["Sportello Talenti"]
    assert listed(client.get(url("initiatives:project_list"), {"q": "inesistente"})) == []


def test_the_list_finds_what_the_site_search_finds(client, taxonomy, django_capture_on_commit_callbacks):
    """One engine (alliance.search): accents, plurals, places, partners, title matches first; drafts never."""
    sole, ponte = (
        MemberOrganizationFactory(name="Associazione Sole"),
        MemberOrganizationFactory(name="Fondazione Ponte"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        ProjectFactory(
            title="Orti condivisi", summary="Un orto per ogni scuola.", start_date=date(2020, 1, 1), lead_ally=ponte
        )
        ProjectFactory(
            title="Generatività in rete",
            description="Cooperative sociali e orti urbani.",
            provinces=[province("VR")],
            start_date=date(2024, 1, 1),
            lead_ally=sole,
        )
        ProjectFactory(
            title="Biblioteche", description="Letture ad alta voce.", start_date=date(2023, 1, 1), lead_ally=ponte
        )
        ProjectFactory(title="Orto segreto", description="Generatività e cooperativa.", draft=True, lead_ally=ponte)

    def found(words):
        listed_titles = listed(client.get(url("initiatives:project_list"), {"q": words}))
        site = client.get(url("alliance:search"), {"q": words, "kind": "project"}).context["results"]
        assert sorted(listed_titles) == sorted(d.title for d in site.page_obj)
        return listed_titles

    assert found("generativita") == ["Generatività in rete"]  # without the accent
    assert found("cooperativa") == ["Generatività in rete"]  # "cooperative" in the text
    # every word in the title first, then the newest
    assert found("orto") == ["Orti condivisi", "Generatività in rete"]
    assert found("verona") == ["Generatività in rete"]  # its province
    assert found("sole") == ["Generatività in rete"]  # its lead ally
    assert found("segreto") == []  # a draft, never


def test_filters_combine(client, taxonomy):
    ProjectFactory(title="Giusto", regions=[region("lombardia")], themes=[theme(WELFARE)], status="running")
    ProjectFactory(title="Altro tema", regions=[region("lombardia")], themes=[theme(COMMONS)], status="running")
    ProjectFactory(title="Altro stato", regions=[region("lombardia")], themes=[theme(WELFARE)], status="concluded")

    response = client.get(
        url("initiatives:project_list"), {"region": "lombardia", "theme": WELFARE, "status": "running", "year": 2024}
    )

    assert listed(response) == ["Giusto"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"year": "duemila"}, "year"),
        ({"year": "1800"}, "year"),
        ({"region": "atlantide"}, "region"),
        ({"status": "sospeso"}, "status"),
        ({"ally": "nessuno"}, "ally"),
    ],
)
def test_an_invalid_filter_shows_the_error_and_no_results(client, params, field):
    ProjectFactory(title="Cooperiamo")

    response = client.get(url("initiatives:project_list", "en"), params)

    html = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == []
    assert list(response.context["filter"].errors) == [field]
    assert "Some of the filters are not valid: correct them, or clear the filters." in html


def test_the_empty_state_says_what_was_searched_and_offers_a_way_out(client, taxonomy):
    ProjectFactory(title="Cooperiamo", regions=[region("veneto")])

    response = client.get(url("initiatives:project_list", "en"), {"q": "orti", "region": "sicilia", "year": "2024"})

    html = response.content.decode()
    assert "No project matches what you looked for:" in html
    assert "<li>Words to look for: “orti”</li>" in html
    assert "<li>Region: “Sicily”</li>" in html
    assert "<li>Year: “2024”</li>" in html
    assert f'<a href="{url("initiatives:project_list", "en")}">Clear the filters and see all the projects</a>' in html


def test_an_empty_list_says_so(client):
    response = client.get(url("initiatives:project_list", "en"))

    html = response.content.decode()
    assert "No project is published yet." in html
    assert '<p class="directory-results__count" role="status">0 projects found.</p>' in html


def test_pagination_shows_20_per_page_and_keeps_the_filters(client):
    for number in range(23):
        ProjectFactory(title=f"Progetto {number:02d}", status="running", start_date=date(2024, 1, 1))

    first = client.get(url("initiatives:project_list"), {"status": "running"})
    second = client.get(url("initiatives:project_list"), {"status": "running", "page": 2})

    assert len(listed(first)) == 20
    assert listed(second) == ["Progetto 20", "Progetto 21", "Progetto 22"]
    assert 'href="?status=running&amp;page=2"' in first.content.decode()


# Queries and cookies ---------------------------------------------------------------


def make_projects(count):
    lombardia, milano = region("lombardia"), province("MI")
    for number in range(count):
        project = ProjectFactory(
            title=f"Progetto {number}",
            regions=[lombardia],
            provinces=[milano],
            themes=[theme(WELFARE), theme(COMMONS)],
            start_date=date(2024, 1, 1),
        )
        ProjectPartner.objects.create(project=project, ally=MemberOrganizationFactory(), role="Partner")


@pytest.mark.parametrize("item_count", [1, 3])
def test_list_query_count_does_not_grow(client, django_assert_num_queries, taxonomy, item_count):
    make_projects(item_count)

    # count, projects, their themes, their regions; the themes and regions of the filters
    # (the ally is typed, not chosen among every ally)
    with django_assert_num_queries(6):
        response = client.get(url("initiatives:project_list"))

    assert len(listed(response)) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_filtered_list_query_count_does_not_grow(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, taxonomy, item_count
):
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows
        make_projects(item_count)
        ally = MemberOrganizationFactory(slug="alleato-cercato")
        for project in Project.objects.all():
            ProjectPartner.objects.create(project=project, ally=ally)

    # as above, plus the theme, the region and the ally looked up from their slugs
    with django_assert_num_queries(9):
        response = client.get(
            url("initiatives:project_list"),
            {
                "q": "progetto",
                "region": "lombardia",
                "theme": WELFARE,
                "ally": "alleato-cercato",
                "year": "2024",
                "status": "running",
            },
        )

    assert len(listed(response)) == item_count


def detailed_project(count):
    project = ProjectFactory(
        title="Cooperiamo", regions=[region("lombardia")], provinces=[province("MI")], themes=[theme(WELFARE)]
    )
    for number in range(count):
        ProjectPartner.objects.create(project=project, ally=MemberOrganizationFactory(), role=f"Ruolo {number}")
        ExternalPartner.objects.create(project=project, name=f"Fondazione {number}", kind="funder")
        ProjectObjective.objects.create(project=project, position=number, text=f"Obiettivo {number}")
        ProgressUpdate.objects.create(project=project, date=date(2025, 1, 1 + number), text=f"Fatto {number}")
        ProjectAttachment.objects.create(project=project, title=f"Allegato {number}", file=f"projects/a{number}.pdf")
        ProjectLink.objects.create(project=project, title=f"Sito {number}", url=f"https://example.org/{number}")
        EventFactory(project=project, title=f"Incontro {number}")
    return project


@pytest.mark.parametrize("item_count", [1, 3])
def test_detail_query_count_does_not_grow(client, django_assert_num_queries, taxonomy, item_count):
    project = detailed_project(item_count)

    # the project with its lead ally; its themes, regions, provinces, objectives, external partners,
    # attachments, links, updates, partners with their allies, log and events
    with django_assert_num_queries(12):
        response = client.get(url("initiatives:project_detail", slug=project.slug))

    html = response.content.decode()
    assert html.count("Ruolo ") == item_count
    assert html.count('type="application/pdf"') == item_count
    assert html.count('<li class="project-timeline__item">') == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_regions_query_count_does_not_grow(client, django_assert_num_queries, taxonomy, item_count):
    make_projects(item_count)

    # the counts of every region (one grouped query), the regions
    with django_assert_num_queries(2):
        response = client.get(url("initiatives:project_regions"))

    counts = {r.slug: r.project_count for r in response.context["regions"]}
    assert counts["lombardia"] == item_count


def test_anonymous_readers_get_no_cookie(client, taxonomy):
    project = detailed_project(1)

    for response in [
        client.get(url("initiatives:project_list")),
        client.get(url("initiatives:project_list"), {"q": "coop", "region": "lombardia", "page": "2"}),
        client.get(url("initiatives:project_list"), {"year": "mai"}),
        client.get(url("initiatives:project_regions")),
        client.get(url("initiatives:project_detail", slug=project.slug)),
    ]:
        assert response.status_code == 200
        assert response.cookies == {}
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_public_pages_answer_only_get_and_head(client):
    project = ProjectFactory()

    for address in [
        url("initiatives:project_list"),
        url("initiatives:project_regions"),
        url("initiatives:project_detail", slug=project.slug),
    ]:
        assert client.post(address).status_code == 405
        assert client.head(address).status_code == 200


# The network in the regions --------------------------------------------------------


def test_regions_table_counts_projects_and_allies_once_per_region(client, taxonomy):
    ProjectFactory(regions=[region("lombardia")], provinces=[province("MI")])
    ProjectFactory(provinces=[province("BG")])
    ProjectFactory(regions=[region("veneto"), region("lombardia")])
    ProjectFactory(regions=[region("lombardia")], draft=True)
    ProjectFactory(regions=[region("sicilia")], submitted=True)
    MemberOrganizationFactory(regions=[region("lombardia")], provinces=[province("MI"), province("BG")])
    MemberOrganizationFactory(provinces=[province("MI")])
    MemberOrganizationFactory(regions=[region("veneto")])
    OrganizationFactory().regions.set([region("lombardia")])  # not a member yet

    response = client.get(url("initiatives:project_regions"))

    numbers = {r.slug: (r.project_count, r.ally_count) for r in response.context["regions"]}
    assert len(numbers) == 20
    assert numbers["lombardia"] == (3, 2)
    assert numbers["veneto"] == (1, 1)
    assert numbers["sicilia"] == (0, 0)
    assert sum(p for p, a in numbers.values()) == 4


def test_regions_table_is_accessible_and_links_to_the_filtered_lists(client, taxonomy):
    ProjectFactory(regions=[region("lombardia")])
    ProjectFactory(provinces=[province("MI")])
    MemberOrganizationFactory(regions=[region("lombardia")])

    response = client.get(url("initiatives:project_regions", "en"))

    html = response.content.decode()
    projects = url("initiatives:project_list", "en")
    allies = url("members:ally_list", "en")
    assert html.count("<h1") == 1
    assert "<caption>Projects and allies of the network in each region</caption>" in html
    assert '<th scope="col">Region</th>' in html
    row = re.search(r"<tr>\s*<th scope=\"row\"><a href=\"[^\"]*lombardia\">Lombardy</a></th>.*?</tr>", html, re.S)
    assert row is not None
    assert '<td class="presence-table__number">2</td>' in row.group(0)
    assert (
        f'<a href="{allies}?region=lombardia">1<span class="visually-hidden"> ally in Lombardy</span></a>'
    ) in row.group(0)
    assert f'<th scope="row"><a href="{projects}?region=lombardia">Lombardy</a></th>' in row.group(0)
    assert f'<th scope="row"><a href="{projects}?region=molise">Molise</a></th>' in html
    assert listed(client.get(f"{projects}?region=lombardia")) == [p.title for p in Project.objects.order_by("title")]


# The page of a project -------------------------------------------------------------


def test_the_page_shows_everything_about_the_project(client, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lead = MemberOrganizationFactory(name="Cooperativa Sole")
    partner = MemberOrganizationFactory(name="Università del Territorio")
    pending = OrganizationFactory(name="Associazione in attesa")
    project = ProjectFactory(
        title="Reggio Emilia Territorio Capacitante",
        summary="Un territorio che abilita.",
        description="Il progetto mette in rete servizi e cittadini.",
        lead_ally=lead,
        scope="local",
        status="running",
        start_date=date(2024, 3, 1),
        end_date=date(2026, 2, 28),
        municipalities="Reggio Emilia, Scandiano",
        results="Dieci tavoli di quartiere.",
        regions=[region("emilia-romagna")],
        provinces=[province("RE")],
        themes=[theme(WELFARE)],
    )
    ProjectObjective.objects.create(project=project, position=2, text="Secondo obiettivo")
    ProjectObjective.objects.create(project=project, position=1, text="Primo obiettivo")
    ProjectPartner.objects.create(project=project, ally=partner, role="Ricerca e valutazione")
    ProjectPartner.objects.create(project=project, ally=pending, role="Comunicazione")
    ExternalPartner.objects.create(project=project, name="Fondazione Manodori", kind="funder")
    ExternalPartner.objects.create(project=project, name="Comune di Reggio Emilia", kind="partner")
    ProjectAttachment.objects.create(project=project, title="Brochure", file="projects/attachments/brochure.pdf")
    ProjectLink.objects.create(project=project, title="Sito del progetto", url="https://example.org/re")
    ProgressUpdate.objects.create(project=project, date=date(2024, 5, 1), text="Primi incontri", percentage=10)
    ProgressUpdate.objects.create(project=project, date=date(2025, 2, 1), text="Tavoli avviati", percentage=40)
    ProgressUpdate.objects.create(project=project, date=date(2024, 9, 1), text="Mappatura")

    response = client.get(url("initiatives:project_detail", "en", slug=project.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<h1 lang="it">Reggio Emilia Territorio Capacitante</h1>' in html
    assert '<p class="lead project-page__summary" lang="it">Un territorio che abilita.</p>' in html
    assert "<p>Il progetto mette in rete servizi e cittadini.</p>" in html
    assert re.search(r'<li lang="it">Primo obiettivo</li>\s*<li lang="it">Secondo obiettivo</li>', html)
    assert '<span class="project-badge project-badge--running">Running</span>' in html
    assert "<dd>from 1 March 2024 to 28 February 2026</dd>" in html
    assert "<dd>Local</dd>" in html
    assert f'<a href="{url("initiatives:project_list", "en")}?region=emilia-romagna">Emilia-Romagna</a>' in html
    assert "<dd>Reggio nell&#x27;Emilia (RE)</dd>" in html
    assert "<dd>Reggio Emilia, Scandiano</dd>" in html
    assert f'?theme={WELFARE}">Generative local welfare</a>' in html
    assert (
        f'<a href="{lead.get_absolute_url()}">Cooperativa Sole</a> <span class="project-allies__role">lead ally</span>'
        in html
    )
    assert (
        f'<a href="{partner.get_absolute_url()}">Università del Territorio</a> '
        '<span class="project-allies__role" lang="it">Ricerca e valutazione</span>'
    ) in html
    # an ally that is not a member has no public page to link to
    assert '<li>Associazione in attesa <span class="project-allies__role" lang="it">Comunicazione</span></li>' in html
    assert '<li>Comune di Reggio Emilia <span class="project-allies__role">partner</span></li>' in html
    assert '<li>Fondazione Manodori <span class="project-allies__role">funder</span></li>' in html
    assert '<div class="project-page__text" lang="it"><p>Dieci tavoli di quartiere.</p></div>' in html
    assert '<a href="/media/projects/attachments/brochure.pdf" type="application/pdf" lang="it">Brochure</a>' in html
    assert '<a href="https://example.org/re" rel="noopener" lang="it">Sito del progetto</a>' in html
    timeline = re.findall(r'<p class="project-timeline__text" lang="it">([^<]+)</p>', html)
    assert timeline == ["Tavoli avviati", "Mappatura", "Primi incontri"]
    assert '<progress max="100" value="40" aria-hidden="true">40%</progress>' in html
    assert "<span>40% done</span>" in html
    assert "not public" not in html
    assert "Edit the project" not in html


def test_the_page_lists_the_published_events_of_the_project_upcoming_first(client):
    project = ProjectFactory()
    now = timezone.now()
    later = EventFactory(
        project=project, title="Secondo incontro", start=now + timedelta(days=20), end=now + timedelta(days=20, hours=2)
    )
    sooner = EventFactory(
        project=project, title="Primo incontro", start=now + timedelta(days=5), end=now + timedelta(days=5, hours=2)
    )
    past = EventFactory(
        project=project,
        title="Incontro passato",
        start=now - timedelta(days=30),
        end=now - timedelta(days=30) + timedelta(hours=2),
    )
    EventFactory(project=project, title="Riunione segreta di redazione", draft=True)
    EventFactory(title="Evento di un altro progetto")

    response = client.get(url("initiatives:project_detail", "en", slug=project.slug))

    html = response.content.decode()
    titles = re.findall(r'<li><a href="[^"]+" lang="it">([^<]+)</a> <span class="project-events__when">', html)
    assert titles == ["Primo incontro", "Secondo incontro", "Incontro passato"]
    assert f'<a href="{sooner.get_absolute_url()}" lang="it">Primo incontro</a>' in html
    assert later.get_absolute_url() in html and past.get_absolute_url() in html
    assert html.index("Coming up") < html.index("Past events")
    assert "Riunione segreta di redazione" not in html
    assert "Evento di un altro progetto" not in html


def test_a_project_without_events_has_no_events_section(client):
    project = ProjectFactory()

    html = client.get(url("initiatives:project_detail", "en", slug=project.slug)).content.decode()

    assert "Events of the project" not in html


@pytest.mark.parametrize("publication", ["draft", "submitted"])
def test_an_unpublished_project_is_not_found_by_visitors_and_outsiders(client, publication):
    project = ProjectFactory(publication=publication, published_at=None)
    other_manager = AllyManagerFactory(ally=MemberOrganizationFactory())

    anonymous = client.get(url("initiatives:project_detail", slug=project.slug))
    client.force_login(VerifiedUserFactory())
    someone = client.get(url("initiatives:project_detail", slug=project.slug))
    client.force_login(other_manager.user)
    manager_of_another_ally = client.get(url("initiatives:project_detail", slug=project.slug))

    assert Project.objects.filter(slug=project.slug, publication=publication).exists()
    assert anonymous.status_code == 404
    assert someone.status_code == 404
    assert manager_of_another_ally.status_code == 404
    assert client.get(url("initiatives:project_detail", slug="non-esiste")).status_code == 404


def test_its_managers_see_an_unpublished_project_with_a_notice(client):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory(), role="editor")
    project = ProjectFactory(title="Patto Generativo", lead_ally=manager.ally, draft=True)
    client.force_login(manager.user)

    response = client.get(url("initiatives:project_detail", "en", slug=project.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert "This project is not public: it is a draft." in html
    assert (
        f'<a class="btn btn-outline-primary" href="{url("initiatives:project_edit", "en", slug=project.slug)}">'
        "Edit the project</a>"
    ) in html


def test_a_coordinator_sees_a_submitted_project_with_the_notice(client):
    project = ProjectFactory(submitted=True)
    client.force_login(CoordinatorFactory())

    html = client.get(url("initiatives:project_detail", "en", slug=project.slug)).content.decode()

    assert "This project is not public: it is waiting for the review of the coordinators." in html


# The editor ------------------------------------------------------------------------

ROW_PREFIXES = ["objectives", "partners", "external", "links", "attachments"]


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def rows(prefix, items, initial=0):
    data = management(prefix, len(items), initial)
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def project_data(lead, **overrides):
    data = {
        "title": "Next Generation We",
        "summary": "Giovani che progettano il loro territorio.",
        "description": "Laboratori nelle scuole.",
        "lead_ally": str(lead.pk),
        "regions": [str(region("liguria").pk)],
        "provinces": [str(province("SP").pk)],
        "municipalities": "Deiva Marina, Framura",
        "scope": "local",
        "themes": [str(theme(WELFARE).pk)],
        "status": "running",
        "start_date": "2024-09-01",
        "end_date": "2025-06-30",
        "results": "",
    }
    for prefix in ROW_PREFIXES:
        data.update(management(prefix))
    data.update(overrides)
    return data


@pytest.fixture
def manager(db):
    return AllyManagerFactory(ally=MemberOrganizationFactory(name="Cooperativa Sole"), role="owner")


def pdf_upload(name="brochure.pdf", content=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_manager_proposes_a_project_with_all_its_rows(client, taxonomy, manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partner = MemberOrganizationFactory(name="Università del Territorio")
    client.force_login(manager.user)
    data = project_data(manager.ally)
    data.update(
        rows(
            "objectives",
            [
                {"text": "Ascoltare i giovani", "ORDER": "2"},
                {"text": "Aprire uno sportello", "ORDER": "1"},
                {"text": "", "ORDER": ""},
            ],
        )
    )
    data.update(rows("partners", [{"ally": partner.name, "role": "Ricerca"}, {"ally": "", "role": ""}]))
    data.update(rows("external", [{"name": "Fondazione Carispezia", "kind": "funder"}]))
    data.update(rows("links", [{"title": "Sito", "url": "example.org/ngw"}]))
    data.update(rows("attachments", [{"title": "", "file": pdf_upload()}]))

    response = client.post(url("initiatives:project_create", "en"), data)

    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == url("initiatives:project_edit", "en", slug="next-generation-we")
    assert (project.slug, project.publication, project.lead_ally, project.created_by) == (
        "next-generation-we",
        "draft",
        manager.ally,
        manager.user,
    )
    assert (project.start_date, project.end_date) == (date(2024, 9, 1), date(2025, 6, 30))
    assert list(project.regions.values_list("slug", flat=True)) == ["liguria"]
    assert list(project.provinces.values_list("abbreviation", flat=True)) == ["SP"]
    assert list(project.themes.values_list("slug", flat=True)) == [WELFARE]
    assert list(project.objectives.values_list("position", "text")) == [
        (1, "Aprire uno sportello"),
        (2, "Ascoltare i giovani"),
    ]
    assert list(project.partners.values_list("ally__name", "role")) == [("Università del Territorio", "Ricerca")]
    assert list(project.external_partners.values_list("name", "kind")) == [("Fondazione Carispezia", "funder")]
    assert list(project.links.values_list("title", "url")) == [("Sito", "https://example.org/ngw")]
    attachment = project.attachments.get()
    assert attachment.title == "brochure"
    assert re.fullmatch(r"projects/attachments/[\w-]{22}\.pdf", attachment.file.name)  # not guessable
    assert attachment.file.read() == PDF
    assert status_log(project) == [("", "draft", manager.user.pk, "")]
    page = client.get(response.url).content.decode()
    assert "The project is saved as a draft" in page


def test_a_text_file_named_pdf_is_refused_and_nothing_is_saved(client, taxonomy, manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager.user)
    data = project_data(manager.ally)
    data.update(rows("objectives", [{"text": "Ascoltare i giovani", "ORDER": "1"}]))
    data.update(rows("attachments", [{"title": "Brochure", "file": pdf_upload(content=b"Solo testo, non un PDF.\n")}]))

    response = client.post(url("initiatives:project_create", "en"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "This file is not a PDF document." in html
    assert "Nothing was saved: please correct the errors marked below." in html
    assert Project.objects.count() == 0
    assert ProjectObjective.objects.count() == 0
    assert ProjectAttachment.objects.count() == 0
    assert LogEntry.objects.count() == 0
    assert list(tmp_path.rglob("*")) == []


def test_the_end_cannot_come_before_the_start(client, taxonomy, manager):
    client.force_login(manager.user)

    response = client.post(
        url("initiatives:project_create", "en"),
        project_data(manager.ally, start_date="2025-06-30", end_date="2024-09-01"),
    )

    assert response.status_code == 200
    assert response.context["editor"].form.errors == {"end_date": ["The end cannot come before the start."]}
    assert Project.objects.count() == 0


def test_the_lead_ally_is_one_of_the_approved_allies_one_manages(client, taxonomy, manager):
    other = MemberOrganizationFactory(name="Altra cooperativa")
    pending = OrganizationFactory(name="Non ancora membro")
    AllyManagerFactory(ally=pending, user=manager.user)
    client.force_login(manager.user)

    page = client.get(url("initiatives:project_create", "en"))
    response = client.post(url("initiatives:project_create", "en"), project_data(other))

    choices = [str(label) for _value, label in page.context["editor"].form.fields["lead_ally"].choices]
    assert choices == ["Cooperativa Sole"]
    assert list(response.context["editor"].form.errors) == ["lead_ally"]
    assert Project.objects.count() == 0


def test_a_coordinator_may_choose_any_approved_ally_as_lead(client, taxonomy):
    MemberOrganizationFactory(name="Beta")
    MemberOrganizationFactory(name="Alfa")
    OrganizationFactory(name="Non ancora membro")
    client.force_login(CoordinatorFactory())

    page = client.get(url("initiatives:project_create", "en"))

    # Typed by name among the member allies: a list of every ally would be unusable at 10,000.
    field = page.context["editor"].form.fields["lead_ally"]
    assert [ally.name for ally in field.queryset] == ["Alfa", "Beta"]
    assert 'name="lead_ally"' in page.content.decode() and '<select name="lead_ally"' not in page.content.decode()
    response = client.post(url("initiatives:project_create", "en"), project_data_with_lead("Non ancora membro"))
    assert response.context["editor"].form.errors["lead_ally"] == [
        "No ally is called “Non ancora membro”: check the name on the ally's page."
    ]
    response = client.post(url("initiatives:project_create", "en"), project_data_with_lead("alfa"))
    assert response.status_code == 302
    assert Project.objects.get().lead_ally.name == "Alfa"


def project_data_with_lead(name):
    data = project_data(MemberOrganizationFactory.build(pk=0))
    data["lead_ally"] = name
    return data


def test_the_lead_ally_is_not_also_a_partner(client, taxonomy, manager):
    client.force_login(manager.user)
    data = project_data(manager.ally)
    data.update(rows("partners", [{"ally": manager.ally.name, "role": "Tutto"}]))

    response = client.post(url("initiatives:project_create", "en"), data)

    assert response.context["editor"].formsets["partners"].errors == [
        {"ally": ["This is the lead ally: name it only once, as the lead."]}
    ]
    assert Project.objects.count() == 0


def test_people_without_an_approved_ally_cannot_propose(client):
    pending_manager = AllyManagerFactory(ally=OrganizationFactory())

    anonymous = client.get(url("initiatives:project_create"))
    client.force_login(pending_manager.user)
    page = client.get(url("initiatives:project_create"))
    mine = client.get(url("initiatives:my_projects", "en"))

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(url("account_login"))
    assert page.status_code == 404
    assert ">Propose a project</a>" not in mine.content.decode()
    assert "once the membership of your organization is approved" in mine.content.decode()


def test_only_its_managers_and_coordinators_edit_a_project(client):
    project = ProjectFactory(draft=True)
    own = AllyManagerFactory(ally=project.lead_ally, role="editor")
    other = AllyManagerFactory(ally=MemberOrganizationFactory())
    address = url("initiatives:project_edit", slug=project.slug)

    assert client.get(address).status_code == 302
    client.force_login(other.user)
    assert client.get(address).status_code == 404
    assert client.get(url("initiatives:project_edit", slug="non-esiste")).status_code == 404
    client.force_login(own.user)
    assert client.get(address).status_code == 200
    client.force_login(CoordinatorFactory())
    assert client.get(address).status_code == 200


def test_editing_keeps_the_rows_and_removes_the_ones_ticked(client, taxonomy, manager):
    project = ProjectFactory(title="Cooperiamo", lead_ally=manager.ally)
    first = ProjectObjective.objects.create(project=project, position=1, text="Primo")
    second = ProjectObjective.objects.create(project=project, position=2, text="Secondo")
    link = ProjectLink.objects.create(project=project, title="Vecchio sito", url="https://example.org/old")
    client.force_login(manager.user)
    data = project_data(manager.ally, title="Cooperiamo insieme")
    data.update(
        rows(
            "objectives",
            [
                {"id": str(first.pk), "text": "Primo", "ORDER": "2"},
                {"id": str(second.pk), "text": "Secondo, riscritto", "ORDER": "1"},
                {"text": "Terzo", "ORDER": "3"},
            ],
            initial=2,
        )
    )
    data.update(
        rows("links", [{"id": str(link.pk), "title": "Vecchio sito", "url": link.url, "DELETE": "on"}], initial=1)
    )

    response = client.post(url("initiatives:project_edit", slug=project.slug), data)

    slug = project.slug
    project.refresh_from_db()
    assert response.status_code == 302
    assert (project.title, project.slug, project.publication) == ("Cooperiamo insieme", slug, "published")
    assert list(project.objectives.values_list("position", "text")) == [
        (1, "Secondo, riscritto"),
        (2, "Primo"),
        (3, "Terzo"),
    ]
    assert project.links.count() == 0


def test_a_partner_whose_membership_ended_stays_on_its_row_when_saving(client, taxonomy, manager):
    project = ProjectFactory(title="Cooperiamo", lead_ally=manager.ally)
    former = OrganizationFactory(name="Ex socia")
    partnership = ProjectPartner.objects.create(project=project, ally=former, role="Formazione")
    client.force_login(manager.user)
    data = project_data(manager.ally, title="Cooperiamo")
    data.update(rows("partners", [{"id": str(partnership.pk), "ally": former.name, "role": "Formazione"}], initial=1))

    response = client.post(url("initiatives:project_edit", slug=project.slug), data)

    assert response.status_code == 302
    assert list(project.partners.values_list("ally__name", "role")) == [("Ex socia", "Formazione")]


def test_the_public_list_can_read_its_first_page_from_the_order_index():
    """initiatives/migrations/0005: the index matches the list's order (newest start first, no start last,
    then title), so that the first page need not sort every published project."""
    from django.db import connection

    from initiatives.filters import ProjectFilterSet

    for number in range(3):
        ProjectFactory(title=f"Progetto {number}", start_date=date(2024, 1, 1 + number))
    sql, params = ProjectFilterSet({}).qs[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: only whether the index can serve it
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "project_public_order" in plan
