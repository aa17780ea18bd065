"""Privacy across the domains: the data download has everything about the person, deletion forgets it."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from events.models import Registration
from initiatives.models import PathwayApplication
from members.models import Ally
from members.services import MembershipError, delete_account
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.initiatives import PathwayApplicationFactory, ProjectFactory
from tests.factories.members import AllyManagerFactory, MemberOrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def test_the_download_includes_event_registrations_and_pathway_applications(client):
    user = VerifiedUserFactory(email="rosa@example.org", full_name="Rosa Bianchi")
    event = EventFactory(title="Giornata di formazione")
    RegistrationFactory(
        event=event, user=user, email=user.email, name="Rosa Bianchi", accessibility_needs="Interprete LIS"
    )
    RegistrationFactory(event=event, email="altra@example.org", name="Persona Estranea")
    ally = MemberOrganizationFactory(name="Cooperativa Rosa")
    AllyManagerFactory(ally=ally, user=user, role="owner")
    PathwayApplicationFactory(ally=ally, applicant=user, contact_email=user.email, contact_name="Rosa Bianchi")
    client.force_login(user)

    with translation.override("en"):
        url = reverse("members:export_data")
    data = json.loads(client.get(url).content)

    assert [(r["event"], r["accessibility_needs"]) for r in data["event_registrations"]] == [
        ("Giornata di formazione", "Interprete LIS")
    ]
    assert [(a["ally"], a["contact_name"]) for a in data["pathway_applications"]] == [
        ("Cooperativa Rosa", "Rosa Bianchi")
    ]
    assert "Persona Estranea" not in json.dumps(data)


def test_deleting_the_account_keeps_registrations_only_as_anonymous_counts():
    user = VerifiedUserFactory(email="rosa@example.org")
    event = EventFactory()
    registration = RegistrationFactory(
        event=event,
        user=user,
        email="rosa@example.org",
        name="Rosa Bianchi",
        organization="Cooperativa Rosa",
        accessibility_needs="Interprete LIS",
    )
    ally = MemberOrganizationFactory()
    AllyManagerFactory(ally=ally, user=VerifiedUserFactory(), role="owner")
    AllyManagerFactory(ally=ally, user=user, role="editor")
    application = PathwayApplicationFactory(
        ally=ally,
        applicant=user,
        contact_email="rosa@example.org",
        contact_name="Rosa Bianchi",
        contact_phone="333 1234567",
    )

    delete_account(user=user)

    registration.refresh_from_db()
    assert (registration.user, registration.name, registration.organization, registration.accessibility_needs) == (
        None,
        "",
        "",
        "",
    )
    assert "rosa" not in registration.email
    assert Registration.objects.filter(event=event, status=registration.status).count() == 1
    application.refresh_from_db()
    assert (application.contact_name, application.contact_phone, application.applicant) == ("", "", None)
    assert "rosa" not in application.contact_email
    assert PathwayApplication.objects.count() == 1


def test_an_ally_that_leads_projects_blocks_the_deletion_of_its_only_manager():
    user = VerifiedUserFactory()
    ally = MemberOrganizationFactory(name="Capofila Solitaria")
    AllyManagerFactory(ally=ally, user=user, role="owner")
    ProjectFactory(lead_ally=ally)

    with pytest.raises(MembershipError) as refused:
        delete_account(user=user)

    assert "Capofila Solitaria" in refused.value.messages[0]
    assert Ally.objects.filter(pk=ally.pk).exists()
    user.refresh_from_db()
    assert user.is_active


def test_renaming_a_verified_organization_removes_the_badge(client):
    from members.forms import AllyProfileForm
    from members.services import update_ally
    from tests.factories.members import CoordinatorFactory

    ally = MemberOrganizationFactory(name="Fondazione Vera", legal_form="fondazione")
    editor = VerifiedUserFactory()
    AllyManagerFactory(ally=ally, user=editor, role="editor")
    from members.services import set_verified

    set_verified(ally=ally, actor=CoordinatorFactory(), verified=True)
    data = {"name": "Fondazione Cariplo", "legal_form": "fondazione", "summary": "", "description": ""}
    form = AllyProfileForm(data, instance=ally, kind=ally.kind)
    assert form.is_valid(), form.errors

    update_ally(ally=ally, actor=editor, changes=form.changed_profile())

    ally.refresh_from_db()
    assert (ally.name, ally.verified_at, ally.verified_by) == ("Fondazione Cariplo", None, None)
