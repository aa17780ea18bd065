"""The join form's address says the kind of profile in the page's language; old addresses redirect.
"Another organization" is offered only to someone who has one."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories.members import AllyFactory, AllyManagerFactory, OrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def url(name, *args, language):
    with translation.override(language):
        return reverse(name, args=args)


def test_the_kind_in_the_address_is_italian_on_italian_pages_and_english_on_english_ones():
    assert url("members:join_form", "organization", language="it") == "/area-personale/aderisci/organizzazione/"
    assert url("members:join_form", "person", language="it") == "/area-personale/aderisci/persona/"
    assert url("members:join_form", "organization", language="en") == "/en/my-area/join/organization/"
    assert url("members:join_form", "person", language="en") == "/en/my-area/join/person/"


def test_the_join_page_links_to_the_addresses_of_its_language(client):
    client.force_login(VerifiedUserFactory())

    italian = client.get("/area-personale/aderisci/").content.decode()
    english = client.get("/en/my-area/join/").content.decode()

    assert 'href="/area-personale/aderisci/organizzazione/"' in italian
    assert 'href="/area-personale/aderisci/persona/"' in italian
    assert "aderisci/organization/" not in italian and "aderisci/person/" not in italian
    assert 'href="/en/my-area/join/organization/"' in english
    assert 'href="/en/my-area/join/person/"' in english


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/area-personale/aderisci/organization/", "/area-personale/aderisci/organizzazione/"),
        ("/area-personale/aderisci/person/?from=mail", "/area-personale/aderisci/persona/?from=mail"),
        ("/en/my-area/join/organizzazione/", "/en/my-area/join/organization/"),
        ("/en/my-area/join/persona/", "/en/my-area/join/person/"),
    ],
)
def test_old_addresses_redirect_to_the_one_of_the_language(client, old, new):
    client.force_login(VerifiedUserFactory())

    response = client.get(old)

    assert (response.status_code, response["Location"]) == (301, new)
    assert client.get(new).status_code == 200


def test_the_language_switch_of_the_join_form_leads_to_the_other_languages_address(client):
    client.force_login(VerifiedUserFactory())

    html = client.get("/area-personale/aderisci/organizzazione/").content.decode()

    assert 'href="/en/my-area/join/organization/"' in html


def test_my_area_offers_another_organization_only_to_someone_who_has_one(client):
    user = VerifiedUserFactory()
    client.force_login(user)
    AllyManagerFactory(user=user, ally=AllyFactory(name="Giulia Ferri"))

    only_person = client.get("/en/my-area/").content.decode()
    assert "Apply for an organization</a>" in only_person
    assert "another organization" not in only_person

    AllyManagerFactory(user=user, ally=OrganizationFactory(name="Cooperativa Esempio"))
    with_organization = client.get("/en/my-area/").content.decode()
    assert "Apply for another organization</a>" in with_organization
