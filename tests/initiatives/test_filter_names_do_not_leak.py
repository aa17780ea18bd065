"""The public lists' ally filters (projects: "ally involved"; events: "organized by") never name an
ally that is not public: a number in the address is looked up among the filter's own allies only."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories.members import MemberOrganizationFactory, OrganizationFactory

LISTS = [("initiatives:project_list", "ally"), ("events:event_list", "organizer")]


@pytest.mark.django_db
@pytest.mark.parametrize(("list_name", "parameter"), LISTS)
def test_a_pending_or_ended_allys_number_shows_no_name(client, list_name, parameter):
    pending = OrganizationFactory(name="Cooperativa Riservata In Attesa")  # applied, not yet a member
    ended = MemberOrganizationFactory(name="Associazione Uscita Dalla Rete")
    ended.membership_status = "ended"
    ended.save(update_fields=["membership_status"])
    with translation.override("en"):
        path = reverse(list_name)
    for ally in (pending, ended):
        response = client.get(path, {parameter: str(ally.pk)})
        assert response.status_code == 200
        page = response.content.decode()
        assert ally.name not in page
        assert f'value="{ally.pk}"' in page  # the number is given back as it was typed


@pytest.mark.django_db
@pytest.mark.parametrize(("list_name", "parameter"), LISTS)
def test_a_public_allys_number_still_shows_its_name(client, list_name, parameter):
    """The filter's own allies keep working by number (old links), so the test above can fail."""
    from tests.factories.events import EventFactory
    from tests.factories.initiatives import ProjectFactory

    ally = MemberOrganizationFactory(name="Rete Pubblica Dei Comuni")
    EventFactory(status="published").organizers.add(ally)
    ProjectFactory(lead_ally=ally)
    with translation.override("en"):
        path = reverse(list_name)
    page = client.get(path, {parameter: str(ally.pk)}).content.decode()
    assert "Rete Pubblica Dei Comuni" in page
