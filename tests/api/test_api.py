"""The public API, feeds and open data: public content only (tested with data that could leak),
paginated, filtered, constant queries, anonymous without cookies, rate-limited, a valid schema."""

import csv
import gzip
import io
import json

import pytest
from django.urls import reverse
from django.utils import translation

from alliance.models import Province, Region
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory, SpeakerFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory, StageFactory
from tests.factories.members import AllyFactory, MemberOrganizationFactory

pytestmark = pytest.mark.django_db

SECRETS = [
    "00743110157",
    "riservato@example.org",
    "+39 333 0000001",
    "Bozza riservata",
    "segreta@example.org",
    "Relatore Nascosto",
    "in-attesa",
]


@pytest.fixture
def network(taxonomy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows, as after a commit
        return _build_network()


def _build_network():
    veneto = Region.objects.get(slug="veneto")
    verona = Province.objects.get(abbreviation="VR")
    orti = MemberOrganizationFactory(
        name="Orti Urbani",
        slug="orti-urbani",
        tax_code="00743110157",
        contact_email="riservato@example.org",
        phone="+39 333 0000001",
        city="Verona",
        province=verona,
        regions=[veneto],
    )
    open_contact = MemberOrganizationFactory(
        name="Rete Aperta", slug="rete-aperta", contact_email="info@aperta.org", contact_email_public=True
    )
    waiting = AllyFactory(name="In attesa", slug="in-attesa")
    project = ProjectFactory(title="Cooperiamo", slug="cooperiamo", lead_ally=orti, regions=[veneto])
    project.partners.create(ally=waiting, role="Partner in attesa")
    project.partners.create(ally=open_contact, role="Comunicazione")
    ProjectFactory(title="Bozza riservata", slug="bozza", lead_ally=orti, draft=True)
    event = EventFactory(title="Giornata", slug="giornata", province=verona, organizers=[orti, waiting])
    speaker = SpeakerFactory(event=event, name="Stefano Granata")
    SessionFactory(event=event, title="Workshop sugli orti", kind="workshop", speakers=[speaker])
    RegistrationFactory(event=event, email="segreta@example.org", name="Partecipante Segreta")
    draft = EventFactory(title="Bozza riservata", slug="evento-bozza", draft=True)
    SpeakerFactory(event=draft, name="Relatore Nascosto")
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire-comunita")
    pathway.organizers.set([orti])
    StageFactory(pathway=pathway, title="Ascolto")
    PathwayFactory(title="Bozza riservata", slug="percorso-bozza", status="draft")
    return {"orti": orti, "event": event, "project": project, "pathway": pathway}


def get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    assert not response.cookies
    return response


def test_lists_say_public_things_only(client, network):
    allies = get(client, "/api/v1/allies/").json()
    assert [a["slug"] for a in allies["results"]] == ["orti-urbani", "rete-aperta"]
    orti, aperta = allies["results"]
    assert orti["email"] is None and orti["phone"] is None and "tax_code" not in orti
    assert aperta["email"] == "info@aperta.org"
    assert orti["url"] == "http://testserver/alleati/orti-urbani/"
    assert orti["regions"] == ["veneto"] and orti["province"] == "VR"

    projects = get(client, "/api/v1/projects/").json()
    assert [p["slug"] for p in projects["results"]] == ["cooperiamo"]
    assert projects["results"][0]["lead_ally"] == {"slug": "orti-urbani", "name": "Orti Urbani"}
    assert projects["results"][0]["partners"] == [
        {"slug": "rete-aperta", "name": "Rete Aperta", "role": "Comunicazione"}
    ]

    events = get(client, "/api/v1/events/").json()
    assert [e["slug"] for e in events["results"]] == ["giornata"]
    event = events["results"][0]
    assert event["organizers"] == [{"slug": "orti-urbani", "name": "Orti Urbani"}]
    assert [s["title"] for s in event["sessions"]] == ["Workshop sugli orti"]
    assert event["sessions"][0]["speakers"] == ["Stefano Granata"]
    assert [s["name"] for s in event["speakers"]] == ["Stefano Granata"]
    assert event["region"] == "veneto"

    pathways = get(client, "/api/v1/pathways/").json()
    assert [p["slug"] for p in pathways["results"]] == ["costruire-comunita"]
    assert [s["title"] for s in pathways["results"][0]["stages"]] == ["Ascolto"]

    everything = json.dumps([allies, projects, events, pathways])
    for secret in SECRETS:
        assert secret not in everything, secret


def test_details_by_slug_and_drafts_not_found(client, network):
    assert get(client, "/api/v1/events/giornata/").json()["title"] == "Giornata"
    for path, model in [
        ("/api/v1/events/evento-bozza/", "Event"),
        ("/api/v1/projects/bozza/", "Project"),
        ("/api/v1/pathways/percorso-bozza/", "Pathway"),
        ("/api/v1/allies/in-attesa/", "Ally"),
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": f"No {model} matches the given query."}


def test_filters_like_the_pages(client, network):
    assert get(client, "/api/v1/allies/", region="veneto").json()["count"] == 1
    assert get(client, "/api/v1/allies/", q="orto").json()["results"][0]["slug"] == "orti-urbani"
    assert get(client, "/api/v1/events/", region="lombardia").json()["count"] == 0
    assert get(client, "/api/v1/events/", organizer="orti-urbani").json()["count"] == 1
    assert get(client, "/api/v1/events/", organizer="in-attesa").json()["count"] == 0
    assert get(client, "/api/v1/projects/", ally="rete-aperta").json()["count"] == 1
    assert get(client, "/api/v1/projects/", year="2024").json()["count"] == 1
    assert get(client, "/api/v1/projects/", year="duemila").json()["count"] == 0
    assert get(client, "/api/v1/pathways/", status="open").json()["count"] == 1


def test_pagination(client, taxonomy):
    for n in range(5):
        MemberOrganizationFactory(name=f"Alleato {n}", slug=f"alleato-{n}")
    first = get(client, "/api/v1/allies/", page_size=2).json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["next"] == "http://testserver/api/v1/allies/?page=2&page_size=2"
    last = get(client, "/api/v1/allies/", page_size=2, page=3).json()
    assert [a["slug"] for a in last["results"]] == ["alleato-4"]


def test_public_events_index_has_the_condition_of_public_events():
    """The API's events are read in order from a partial index: PostgreSQL uses it only if its
    condition is the queries' (events.selectors.PUBLIC), which events/models.py cannot import."""
    from events.models import Event
    from events.selectors import PUBLIC

    index = next(index for index in Event._meta.indexes if index.name == "event_public_start_idx")
    assert index.condition == PUBLIC and index.fields == ["start", "id"]


@pytest.mark.parametrize("count", [1, 3])
def test_constant_queries(client, taxonomy, django_assert_num_queries, count):
    veneto = Region.objects.get(slug="veneto")
    for n in range(count):
        ally = MemberOrganizationFactory(regions=[veneto])
        project = ProjectFactory(lead_ally=ally, regions=[veneto])
        project.partners.create(ally=MemberOrganizationFactory())
        event = EventFactory(organizers=[ally], region=veneto)
        SessionFactory(event=event, speakers=[SpeakerFactory(event=event)])
        StageFactory(pathway=PathwayFactory(slug=f"percorso-{n}"))
    # count, page, then the prefetches of each serializer
    with django_assert_num_queries(4):
        assert len(get(client, "/api/v1/allies/").json()["results"]) == 2 * count
    with django_assert_num_queries(8):
        assert len(get(client, "/api/v1/projects/").json()["results"]) == count
    with django_assert_num_queries(7):
        assert len(get(client, "/api/v1/events/").json()["results"]) == count
    with django_assert_num_queries(7):
        assert len(get(client, "/api/v1/pathways/").json()["results"]) == count


def test_the_serializers_write_byte_for_byte_what_drf_writes(client, network, monkeypatch, settings):
    """api.serializers.ModelSerializer reads the fields its own way (issue 13): every list and detail
    says exactly what DRF's own Serializer.to_representation says, empty and filled fields alike."""
    from rest_framework import serializers as drf

    # Both rounds render (with the page cache, the second would be the first's copy, whatever it says).
    settings.PAGE_CACHE_ENABLED = False

    from api import serializers

    veneto = Region.objects.get(slug="veneto")
    event = EventFactory(
        title="Con progetto",
        slug="con-progetto",
        region=veneto,
        project=network["project"],
        capacity=None,
        online_url="https://example.org/diretta",
        registration_opens_at=network["event"].start,
    )
    event.themes.set([])
    SessionFactory(event=event, title="Senza relatori", capacity=12)
    SpeakerFactory(event=event, name="Alleata", ally=network["orti"], to_be_confirmed=True)
    paths = [
        "/api/v1/allies/",
        "/api/v1/allies/orti-urbani/",
        "/api/v1/projects/",
        "/api/v1/projects/cooperiamo/",
        "/api/v1/events/",
        "/api/v1/events/giornata/",
        "/api/v1/events/con-progetto/",
        "/api/v1/pathways/",
        "/api/v1/pathways/costruire-comunita/",
    ]
    ours = [get(client, path).content for path in paths]
    monkeypatch.setattr(serializers.ModelSerializer, "to_representation", drf.Serializer.to_representation)
    assert [get(client, path).content for path in paths] == ours
    assert b'"project":"cooperiamo"' in ours[6] and b'"capacity":null' in ours[6]


def test_cors_and_no_session(client, network):
    response = get(client, "/api/v1/events/")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"


def test_rate_limit(client, network, settings):
    settings.API_RATE_LIMIT = "3/minute"
    for _ in range(3):
        assert client.get("/api/v1/allies/").status_code == 200
    response = client.get("/api/v1/allies/")
    assert response.status_code == 429
    assert "Retry-After" in response
    # Another address still reads.
    assert client.get("/api/v1/allies/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_forged_forwarded_header_does_not_escape_the_limit(client, network, settings):
    settings.API_RATE_LIMIT = "2/minute"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    statuses = [client.get("/api/v1/allies/", HTTP_X_FORWARDED_FOR=f"10.1.1.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_schema_validates(client):
    from drf_spectacular.validation import validate_schema

    response = get(client, "/api/v1/schema.json")
    schema = response.json()
    validate_schema(schema)
    assert sorted(schema["paths"]) == [
        "/api/v1/allies/",
        "/api/v1/allies/{slug}/",
        "/api/v1/events/",
        "/api/v1/events/{slug}/",
        "/api/v1/pathways/",
        "/api/v1/pathways/{slug}/",
        "/api/v1/projects/",
        "/api/v1/projects/{slug}/",
    ]
    ally_fields = set(schema["components"]["schemas"]["Ally"]["properties"])
    assert "tax_code" not in ally_fields and "contact_email" not in ally_fields
    assert {"q", "region", "theme", "kind", "page", "page_size"} <= {
        p["name"] for p in schema["paths"]["/api/v1/allies/"]["get"]["parameters"]
    }


def test_documentation_page(client):
    with translation.override("en"):
        path = reverse("api:docs")
    html = get(client, path).content.decode()
    assert "<code>GET /api/v1/events/</code>" in html
    assert 'href="/api/v1/schema.json"' in html


def download(client, resource, fmt, **headers):
    response = client.get(reverse("api:open_data_file", kwargs={"resource": resource, "fmt": fmt}), **headers)
    assert response.status_code == 200
    assert not response.cookies
    return response, b"".join(response.streaming_content)


def test_open_data_downloads(client, network):
    data = json.loads(download(client, "allies", "json")[1])
    assert data["licence"]["name"] == "CC BY 4.0"
    assert [a["slug"] for a in data["allies"]] == ["orti-urbani", "rete-aperta"]
    assert data["allies"][0]["url"] == "http://127.0.0.1:8000/alleati/orti-urbani/"  # SITE_URL, Italian
    response, body = download(client, "events", "csv")
    assert response["Content-Disposition"].startswith('attachment; filename="alleanza-events-')
    rows = list(csv.DictReader(io.StringIO(body.decode().lstrip("\ufeff"))))
    assert [r["slug"] for r in rows] == ["giornata"]
    assert rows[0]["sessions"] == "Workshop sugli orti" and rows[0]["organizers"] == "Orti Urbani"
    everything = "".join(
        download(client, r, f)[1].decode()
        for r in ("allies", "projects", "events", "pathways")
        for f in ("json", "csv")
    )
    for secret in SECRETS:
        assert secret not in everything, secret
    assert (
        client.get(reverse("api:open_data_file", kwargs={"resource": "registrations", "fmt": "csv"})).status_code == 404
    )
    assert "CC BY 4.0" in get(client, reverse("api:open_data")).content.decode()
    # gzip to those who accept it, the same bytes once unpacked
    packed, packed_body = download(client, "events", "csv", HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip" and gzip.decompress(packed_body) == body


def test_the_nightly_task_writes_the_files_anew_with_the_licence_of_the_settings(
    client, network, settings, django_capture_on_commit_callbacks
):
    from alliance.tasks import publish_open_data_task
    from api import opendata

    settings.OPEN_DATA_LICENSE = "CC BY-SA 4.0"
    settings.OPEN_DATA_LICENSE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
    assert opendata.last_published() is None
    with translation.override("en"):
        page = get(client, reverse("api:open_data")).content.decode()
    assert "The files are written anew every night; not yet written." in page

    assert publish_open_data_task.apply().get() == 8  # through Celery (eager in the tests), as beat sends it
    files = sorted(p.name for p in opendata.root().iterdir())
    assert files == sorted(
        f"alleanza-{r}.{f}{gz}" for r in opendata.RESOURCES for f in ("csv", "json") for gz in ("", ".gz")
    )
    first = json.loads((opendata.root() / "alleanza-projects.json").read_text())
    assert first["licence"] == {"name": "CC BY-SA 4.0", "url": "https://creativecommons.org/licenses/by-sa/4.0/"}
    assert [p["slug"] for p in first["projects"]] == ["cooperiamo"]

    # A project published since: in the files after the next night, not before.
    with django_capture_on_commit_callbacks(execute=True):
        ProjectFactory(title="Nuovo", slug="nuovo", lead_ally=network["orti"])
    assert [p["slug"] for p in json.loads(download(client, "projects", "json")[1])["projects"]] == ["cooperiamo"]
    publish_open_data_task.delay()
    assert sorted(p["slug"] for p in json.loads(download(client, "projects", "json")[1])["projects"]) == [
        "cooperiamo",
        "nuovo",
    ]
    with translation.override("en"):
        page = get(client, reverse("api:open_data")).content.decode()
    assert "The files are written anew every night; last written on" in page
    assert 'rel="license">CC BY-SA 4.0</a>' in page
    assert settings.CELERY_BEAT_SCHEDULE["publish-open-data"]["task"] == publish_open_data_task.name


def test_feeds(client, network):
    atom = get(client, "/feeds/events.atom").content.decode()
    assert "Giornata" in atom and "Bozza riservata" not in atom
    projects = get(client, "/en/feeds/projects.atom").content.decode()
    assert "Cooperiamo" in projects and "Bozza riservata" not in projects
    assert "http://testserver/en/projects/cooperiamo/" in projects
    ics = get(client, "/feeds/events.ics", region="veneto").content.decode()
    assert "SUMMARY:Giornata" in ics
    assert "SUMMARY:Giornata" not in get(client, "/feeds/events.ics", region="lombardia").content.decode()


def test_a_former_member_leaves_the_api_and_the_network(client, taxonomy):
    from api.network import works_with
    from members.models import MembershipStatus

    lead = MemberOrganizationFactory(name="Orti Urbani", slug="orti-urbani")
    former = MemberOrganizationFactory(name="Ex Alleato", slug="ex-alleato")
    suspended = MemberOrganizationFactory(name="Sospeso", slug="sospeso")
    project = ProjectFactory(slug="cooperiamo", lead_ally=lead)
    project.partners.create(ally=former)
    project.partners.create(ally=suspended)
    EventFactory(slug="giornata", organizers=[lead, former])
    former.membership_status = MembershipStatus.ENDED
    former.save()
    suspended.membership_status = MembershipStatus.SUSPENDED
    suspended.save()
    assert [a["slug"] for a in get(client, "/api/v1/allies/").json()["results"]] == ["orti-urbani", "sospeso"]
    assert [p["slug"] for p in get(client, "/api/v1/projects/cooperiamo/").json()["partners"]] == ["sospeso"]
    assert get(client, "/api/v1/events/giornata/").json()["organizers"] == [
        {"slug": "orti-urbani", "name": "Orti Urbani"}
    ]
    assert get(client, "/api/v1/events/", organizer="ex-alleato").json()["count"] == 0
    assert [name for name, _url, _detail in works_with(lead)] == ["Sospeso"]
