"""The home page: what is happening (next events, projects under way, open pathways), near the
visitor's region first when they choose one, true figures with correct plurals, constant queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import Province, Region
from tests.factories.events import EventFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory
from tests.factories.members import AllyFactory, MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def home(client, language="it", **params):
    with translation.override(language):
        path = reverse("alliance:home")
    return client.get(path, params)


def figures(response):
    return [(f.number, f.label) for f in response.context["figures"]]


def section(response, key):
    return [
        getattr(item, "title", None)
        for entry in response.context["sections"]
        if entry["section"].key == key
        for item in entry["items"]
    ]


def test_true_figures_with_plurals(client, taxonomy):
    veneto, lombardia = Region.objects.get(slug="veneto"), Region.objects.get(slug="lombardia")
    verona = Province.objects.get(abbreviation="VR")
    lead = MemberOrganizationFactory(regions=[veneto])
    AllyFactory().regions.set([lombardia])  # not approved: neither counted nor present
    ProjectFactory(lead_ally=lead, provinces=[verona])
    ProjectFactory(lead_ally=lead, draft=True, regions=[lombardia])
    now = timezone.now()  # an event of this year, whatever the day the test runs
    EventFactory(region=Region.objects.get(slug="sicilia"), start=now, end=now + timedelta(minutes=1))
    EventFactory(draft=True, region=Region.objects.get(slug="puglia"))
    EventFactory(cancelled=True, region=Region.objects.get(slug="calabria"), start=now, end=now)
    response = home(client, "en")
    assert figures(response) == [
        (1, "ally"),
        (2, "regions where the network is present"),
        (1, "project"),
        (1, "event this year"),
    ]
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_figures_count_only_this_years_events(client):
    EventFactory(start=timezone.now().replace(year=2019), end=timezone.now().replace(year=2019) + timedelta(hours=2))
    assert figures(home(client, "en"))[-1] == (0, "events this year")


def test_next_events_near_the_chosen_region_first(client, taxonomy):
    veneto = Region.objects.get(slug="veneto")
    soon = timezone.now() + timedelta(days=3)
    EventFactory(title="Prima a Milano", start=soon, end=soon + timedelta(hours=2))
    EventFactory(
        title="Poi a Verona",
        province=Province.objects.get(abbreviation="VR"),
        start=soon + timedelta(days=1),
        end=soon + timedelta(days=1, hours=2),
    )
    EventFactory(title="Passato", start=soon - timedelta(days=30), end=soon - timedelta(days=30))
    EventFactory(title="Bozza", draft=True, region=veneto)
    assert section(home(client), "events") == ["Prima a Milano", "Poi a Verona"]
    response = home(client, region="veneto")
    assert section(response, "events") == ["Poi a Verona", "Prima a Milano"]
    assert "in Veneto" in response.content.decode()
    assert section(home(client, region="atlantide"), "events") == ["Prima a Milano", "Poi a Verona"]


def test_projects_under_way_and_open_pathways(client, taxonomy):
    ProjectFactory(title="In corso")
    ProjectFactory(title="Concluso", status="concluded")
    ProjectFactory(title="Bozza", draft=True)
    PathwayFactory(title="Aperto")
    PathwayFactory(title="Chiuso", applications_close_at=timezone.now() - timedelta(days=1))
    PathwayFactory(title="In bozza", status="draft")
    response = home(client)
    assert section(response, "projects") == ["In corso"]
    assert section(response, "pathways") == ["Aperto"]


def test_projects_near_the_chosen_region_first_then_the_latest(client, taxonomy):
    veneto = Region.objects.get(slug="veneto")
    now = timezone.now()
    for n, region in enumerate([veneto, None, None, veneto, None, None]):
        # published one day apart: "Progetto 5" is the latest
        ProjectFactory(
            title=f"Progetto {n}", published_at=now - timedelta(days=10 - n), regions=[region] if region else []
        )
    ProjectFactory(title="Bozza veneta", draft=True, regions=[veneto])
    ProjectFactory(title="Concluso veneto", status="concluded", regions=[veneto])
    assert section(home(client), "projects") == ["Progetto 5", "Progetto 4", "Progetto 3", "Progetto 2"]
    response = home(client, region="veneto")
    assert section(response, "projects") == ["Progetto 3", "Progetto 0", "Progetto 5", "Progetto 4"]
    items = next(entry["items"] for entry in response.context["sections"] if entry["section"].key == "projects")
    assert [project.near for project in items] == [True, True, False, False]
    assert response.content.decode().count("in Veneto</span>") == 2


@pytest.mark.parametrize("count", [1, 3])
def test_constant_queries(client, taxonomy, django_assert_num_queries, count):
    veneto = Region.objects.get(slug="veneto")
    for _ in range(count):
        MemberOrganizationFactory(regions=[veneto])
        EventFactory(region=veneto)
        ProjectFactory(regions=[veneto], provinces=list(veneto.provinces.all()[:2]))
        PathwayFactory().regions.set([veneto])
    # regions, themes, 4 figures, events, projects, pathways
    with django_assert_num_queries(9):
        response = home(client)
    assert len(section(response, "events")) == count
    # with a region: the near ones and the others of each section
    with django_assert_num_queries(12):
        response = home(client, region="veneto")
    assert len(section(response, "events")) == count
    assert len(section(response, "projects")) == count
    assert len(section(response, "pathways")) == count
