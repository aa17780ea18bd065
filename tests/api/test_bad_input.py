"""Bad input on the public pages and the API (NUL bytes, huge page numbers and years, unknown filters,
very long queries): an answer, never a 500, no cookie for an anonymous visitor, no private field."""

import pytest
from django.urls import reverse

from tests.factories.members import MemberOrganizationFactory

pytestmark = pytest.mark.django_db

CASES = [
    ("api_v1:ally_list", {"q": "a\x00b"}),
    ("api_v1:ally_list", {"page": "99999999999999999999"}),
    ("api_v1:ally_list", {"page": "abc"}),
    ("api_v1:ally_list", {"page_size": "-1"}),
    ("api_v1:ally_list", {"region": "a\x00"}),
    ("api_v1:ally_list", {"theme": "x" * 5000}),
    ("api_v1:project_list", {"year": "0"}),
    ("api_v1:project_list", {"year": "99999999999"}),
    ("api_v1:project_list", {"year": "٣"}),
    ("api_v1:project_list", {"ally": "a\x00"}),
    ("api_v1:event_list", {"upcoming": "1", "organizer": "\x00"}),
    ("api_v1:event_list", {"q": "x" * 20000}),
    ("api_v1:pathway_list", {"status": "\x00"}),
    ("members:ally_list", {"q": "a\x00b"}),
    ("members:ally_list", {"page": "99999999999999999999"}),
    ("members:ally_list", {"q": "orti", "page": "99999999999999999999"}),
    ("members:ally_list", {"verified": "on", "page": "9223372036854775807"}),
    ("events:event_list", {"q": "orti", "page": "99999999999999999999"}),
    ("members:ally_list", {"region": "\x00"}),
    ("members:ally_list", {"q": "x" * 20000}),
    ("members:ally_list", {"order": "\x00"}),
    ("members:ally_list", {"verified": "\x00"}),
    ("alliance:search", {"q": "a\x00b"}),
    ("alliance:search", {"q": "x" * 20000}),
    ("alliance:search", {"q": "orti", "kind": "ally", "page": "99999999999999999999"}),
    ("alliance:search", {"q": "orti", "region": "\x00"}),
    ("alliance:search", {"q": "orti", "kind": "\x00"}),
    ("alliance:home", {"region": "\x00"}),
    ("alliance:home", {"region": "nowhere"}),
    ("api:network", {"region": "\x00"}),
    ("api:network", {"theme": "\x00"}),
    ("api:network_gexf", {}),
    ("api:open_data", {}),
    ("api:events_calendar", {"theme": "\x00", "region": "x", "ally": "\x00"}),
    ("api:events_feed", {}),
    ("api:projects_feed", {}),
]


@pytest.mark.parametrize("name,params", CASES)
def test_probe(client, taxonomy, name, params, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        MemberOrganizationFactory(
            name="Orti", contact_email="riservato@example.org", phone="+39 333 0000001", tax_code="00743110157"
        )
    response = client.get(reverse(name), params)
    assert response.status_code < 500, (name, params)
    assert not response.cookies, (name, params, response.cookies)
    body = response.content.decode(errors="replace")
    for secret in ("riservato@example.org", "0000001", "00743110157"):
        assert secret not in body, (name, secret)


def test_year_filter_out_of_range_finds_nothing(client, taxonomy):
    from tests.factories.initiatives import ProjectFactory

    ProjectFactory(title="Cooperiamo", slug="cooperiamo")
    for year in ("0", "99999999999", "٣", "-1", "20 18"):
        response = client.get(reverse("api_v1:project_list"), {"year": year})
        assert response.status_code == 200, year
        assert response.json()["count"] == 0, year
    response = client.get(reverse("api_v1:project_list"), {"year": "2024"})
    assert [p["slug"] for p in response.json()["results"]] == ["cooperiamo"]
