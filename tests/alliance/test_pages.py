"""Home, search, coordination area and the shared layout."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories.members import CoordinatorFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def test_home_in_italian_tells_what_the_network_is(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="it">' in html
    assert '<h1 id="home-title">Alleanza per la Generatività Sociale</h1>' in html
    assert "Rigenerazione dei beni comuni" in html
    assert "Lotta alle nuove povertà e alle disuguaglianze" in html
    assert "Salta al contenuto" in html
    assert html.count("<h1") == 1


def test_home_in_english(client):
    response = client.get("/en/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Regeneration of the commons" in html
    assert "Fighting new poverty and inequality" in html


def test_language_switch_links_point_to_the_same_page(client):
    italian = client.get(reverse("alliance:search"), {"q": "welfare"})
    with translation.override("en"):
        english_search = reverse("alliance:search")

    links = {link["code"]: link["url"] for link in italian.context["language_links"]}
    assert links == {"it": "/cerca/?q=welfare", "en": f"{english_search}?q=welfare"}
    assert english_search == "/en/search/"


def test_an_anonymous_reader_gets_no_cookie(client):
    for url in ["/", "/en/", reverse("alliance:search") + "?q=reti", reverse("alliance:privacy")]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.cookies == {}, url


@pytest.mark.parametrize("theme_count", [1, 3])
def test_home_query_count_does_not_grow(client, django_assert_num_queries, theme_count):
    from alliance.models import Theme

    Theme.objects.exclude(pk__in=Theme.objects.order_by("position")[:theme_count].values("pk")).delete()

    with django_assert_num_queries(9):
        response = client.get("/")

    assert len(response.context["themes"]) == theme_count


def test_search_without_results_helps(client):
    response = client.get(reverse("alliance:search"), {"q": "parola che non esiste"})

    html = response.content.decode()
    assert response.context["query"] == "parola che non esiste"
    assert "0 risultati per “parola che non esiste”." in html
    assert "Prova con meno parole o parole diverse" in html


def test_coordination_area_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("alliance:coordination"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_coordination_area_is_not_found_for_an_ally(client):
    client.force_login(VerifiedUserFactory())

    assert client.get(reverse("alliance:coordination")).status_code == 404


def test_coordination_area_shows_nothing_to_do_to_a_coordinator(client):
    client.force_login(CoordinatorFactory())

    response = client.get(reverse("alliance:coordination"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["tasks"] == []
    assert "Niente da fare" in html
    assert 'href="/coordinamento/"' in html  # the account menu and navigation show it


COORDINATORS_MAY = {
    "alliance.add_theme",
    "alliance.change_theme",
    "alliance.view_theme",
    "alliance.view_region",
    "alliance.view_province",
    "alliance.view_outgoingemail",
    "events.add_event",
    "events.change_event",
    "events.view_event",
    "events.change_registration",
    "events.view_registration",
    "initiatives.add_pathway",
    "initiatives.change_pathway",
    "initiatives.view_pathway",
    "initiatives.change_project",
    "initiatives.view_project",
    "members.add_principles",
    "members.view_principles",
    "members.change_ally",
    "members.view_ally",
    "members.change_membershipapplication",
    "members.view_membershipapplication",
}


def coordinator_permissions():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="coordinators")
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_the_coordinators_have_exactly_their_permissions():
    """Exactly: no delete rights, nothing on accounts, the log or the outbox beyond reading the e-mails."""
    assert coordinator_permissions() == COORDINATORS_MAY


def test_a_right_given_to_the_coordinators_by_hand_goes_at_the_next_migrate():
    from django.contrib.auth.models import Group, Permission

    from alliance.roles import ensure_coordinator_group

    Group.objects.get(name="coordinators").permissions.add(Permission.objects.get(codename="delete_ally"))
    assert "members.delete_ally" in coordinator_permissions()

    ensure_coordinator_group()

    assert coordinator_permissions() == COORDINATORS_MAY


def test_a_nul_byte_in_the_search_is_a_bad_request_not_an_error(client):
    # alliance.middleware.RejectNulBytesMiddleware answers before the view (issue 11).
    response = client.get(reverse("alliance:search"), {"q": "welfare\x00"})

    assert response.status_code == 400
