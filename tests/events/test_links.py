"""The event editor links the graph (issue 10): the project and the pathway stage an event carries out, the
ally each speaker speaks for, organizers and admission allies chosen with a picker for thousands of allies.

Only what the editor may link is offered, and save_event checks it again: a forged POST or a direct call with
another ally's project or stage is refused, also for the manager of a suspended ally; an outsider gets nothing.
"""

import re
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from alliance.models import LogEntry
from events import services
from events.calendar import ROME
from events.models import Event
from events.services import EventData, Programme, SessionData, SpeakerData
from members import services as member_services
from tests.factories.events import EventFactory, SpeakerFactory, next_month_day
from tests.factories.initiatives import PathwayFactory, ProjectFactory, StageFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

from .test_manage import formset, new_event_data, page_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two member allies, each with its manager, its project (a draft, so its title is not public) and its
    pathway with one stage; the first ally's manager runs an event of it."""
    mine = AllyManagerFactory(ally=MemberOrganizationFactory(name="Fondazione Comunità Aperta"))
    theirs = AllyManagerFactory(ally=MemberOrganizationFactory(name="Rete del Terzo Settore Nord"))
    worlds = {}
    for key, manager in (("mine", mine), ("theirs", theirs)):
        project = ProjectFactory(lead_ally=manager.ally, draft=True, title=f"Progetto riservato {key}")
        pathway = PathwayFactory(title=f"Percorso {key}", project=project)
        pathway.organizers.set([manager.ally])
        stage = StageFactory(pathway=pathway, title=f"Tavolo di facilitazione {key}")
        worlds[key] = {"manager": manager, "project": project, "pathway": pathway, "stage": stage}
    event = EventFactory(title="Laboratorio di comunità")
    event.organizers.set([mine.ally])
    worlds["event"] = event
    return worlds


def edit(client, event, **changes):
    page = client.get(url("events:event_edit", slug=event.slug))
    assert page.status_code == 200
    return client.post(url("events:event_edit", slug=event.slug), page_data(page, **changes))


# Project and stage -------------------------------------------------------------------------------------


def test_a_manager_links_their_event_to_their_project_and_stage(client, world):
    event, manager = world["event"], world["mine"]["manager"]
    client.force_login(manager.user)

    response = edit(
        client,
        event,
        project="riservato mine",  # typed: the project field takes a title
        pathway_stage=str(world["mine"]["stage"].pk),
    )

    assert response.status_code == 302, response.context["editor"].event_form.errors
    event.refresh_from_db()
    assert (event.project, event.pathway_stage) == (world["mine"]["project"], world["mine"]["stage"])
    entry = LogEntry.objects.filter(action="events.event.links_changed").get()
    assert entry.actor == manager.user
    assert entry.data["to"] == {"project": world["mine"]["project"].pk, "pathway_stage": world["mine"]["stage"].pk}


def test_the_editor_offers_only_what_the_manager_may_link(client, world):
    client.force_login(world["mine"]["manager"].user)
    page = client.get(url("events:event_edit", slug=world["event"].slug))

    form = page.context["editor"].event_form
    assert list(form.fields["project"].queryset) == [world["mine"]["project"]]
    assert list(form.fields["pathway_stage"].queryset) == [world["mine"]["stage"]]
    content = page.content.decode()
    assert "Tavolo di facilitazione theirs" not in content
    assert re.search(r"Percorso mine — stage \d+: Tavolo di facilitazione mine", content)
    # The project's type-ahead answers the same projects.
    found = client.get(url("events:project_search"), {"q": "Progetto riservato"}).json()["results"]
    assert found == [{"id": world["mine"]["project"].pk, "name": "Progetto riservato mine"}]


def test_the_project_type_ahead_is_for_those_who_run_events_only(client, world):
    assert client.get(url("events:project_search"), {"q": "Progetto"}).status_code == 302  # to sign in
    client.force_login(VerifiedUserFactory())
    assert client.get(url("events:project_search"), {"q": "Progetto"}).status_code == 404
    client.force_login(CoordinatorFactory())
    found = client.get(url("events:project_search"), {"q": "Progetto riservato"}).json()["results"]
    assert [p["name"] for p in found] == ["Progetto riservato mine", "Progetto riservato theirs"]


@pytest.mark.parametrize("name", ["project", "pathway_stage"])
def test_a_forged_post_with_another_allys_project_or_stage_is_refused(client, world, name):
    event = world["event"]
    client.force_login(world["mine"]["manager"].user)
    target = world["theirs"]["project" if name == "project" else "stage"]

    response = edit(client, event, **{name: str(target.pk), "title": "Titolo cambiato"})

    assert response.status_code == 200
    assert name in response.context["editor"].event_form.errors
    event.refresh_from_db()
    assert (event.title, event.project_id, event.pathway_stage_id) == ("Laboratorio di comunità", None, None)


@pytest.mark.parametrize("name", ["project", "pathway_stage"])
def test_the_service_refuses_another_allys_project_or_stage(world, name):
    event, manager = world["event"], world["mine"]["manager"]
    target = world["theirs"]["project" if name == "project" else "stage"]

    with pytest.raises(ValidationError) as refused:
        services.save_event(event=event, actor=manager.user, data=EventData(title="Altro", **{name: target}))

    assert name in refused.value.error_dict
    event.refresh_from_db()
    assert (event.title, event.project_id, event.pathway_stage_id) == ("Laboratorio di comunità", None, None)


def test_the_service_refuses_a_new_event_linked_to_another_allys_stage(world):
    manager = world["mine"]["manager"]
    day = next_month_day(12)
    data = EventData(
        title="Nuovo",
        summary="Uno",
        start=datetime(day.year, day.month, day.day, 9, tzinfo=ROME),
        end=datetime(day.year, day.month, day.day, 12, tzinfo=ROME),
        organizers=[manager.ally],
        pathway_stage=world["theirs"]["stage"],
    )
    with pytest.raises(ValidationError):
        services.save_event(event=None, actor=manager.user, data=data)
    assert not Event.objects.filter(title="Nuovo").exists()


def test_a_suspended_allys_manager_may_no_longer_link_their_own_project_or_stage(world):
    event, manager = world["event"], world["mine"]["manager"]
    member_services.suspend_membership(ally=manager.ally, actor=CoordinatorFactory(), reason="Quota non versata")

    for name, target in (("project", world["mine"]["project"]), ("pathway_stage", world["mine"]["stage"])):
        with pytest.raises(ValidationError):
            services.save_event(event=event, actor=manager.user, data=EventData(**{name: target}))
    event.refresh_from_db()
    assert (event.project_id, event.pathway_stage_id) == (None, None)


def test_an_outsider_can_neither_open_the_editor_nor_link(client, world):
    outsider = VerifiedUserFactory()
    client.force_login(outsider)
    event = world["event"]

    assert client.get(url("events:event_edit", slug=event.slug)).status_code == 404
    response = client.post(
        url("events:event_edit", slug=event.slug), {"project": str(world["mine"]["project"].pk), "action": "save"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.save_event(event=event, actor=outsider, data=EventData(project=world["mine"]["project"]))
    event.refresh_from_db()
    assert event.project_id is None


def test_a_coordinator_links_any_and_the_link_stays_when_a_manager_saves(client, world):
    event = world["event"]
    coordinator = CoordinatorFactory()
    services.save_event(
        event=event,
        actor=coordinator,
        data=EventData(project=world["theirs"]["project"], pathway_stage=world["theirs"]["stage"]),
    )
    client.force_login(world["mine"]["manager"].user)

    response = edit(client, event, title="Laboratorio di comunità, seconda parte")

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Laboratorio di comunità, seconda parte"
    assert (event.project, event.pathway_stage) == (world["theirs"]["project"], world["theirs"]["stage"])


# Speakers linked to allies --------------------------------------------------------------------------------


def test_a_speaker_is_linked_to_an_ally_by_name_and_unlinked(client, world):
    event = world["event"]
    client.force_login(world["mine"]["manager"].user)
    rows = [{"name": "Giulia Ferri", "ally": "Terzo Settore"}, {}, {}]
    page = client.get(url("events:event_edit", slug=event.slug))
    data = page_data(page)
    data.update(formset("speakers", rows))

    response = client.post(url("events:event_edit", slug=event.slug), data)

    assert response.status_code == 302, response.context["editor"].speakers.errors
    speaker = event.speakers.get()
    assert speaker.ally == world["theirs"]["manager"].ally
    page = client.get(url("events:event_edit", slug=event.slug))
    assert 'value="Rete del Terzo Settore Nord"' in page.content.decode()
    response = client.post(url("events:event_edit", slug=event.slug), page_data(page, **{"speakers-0-ally": ""}))
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.ally is None


def test_a_speaker_cannot_be_linked_to_an_ally_that_is_not_a_member(world):
    event = world["event"]
    applicant = OrganizationFactory(name="Associazione in attesa")
    speaker = SpeakerFactory(event=event, name="Paolo Neri")

    with pytest.raises(ValidationError):
        services.save_event(
            event=event,
            actor=world["mine"]["manager"].user,
            data=EventData(),
            programme=Programme(speakers=[SpeakerData(pk=speaker.pk, name="Paolo Neri", ally=applicant)]),
        )
    speaker.refresh_from_db()
    assert speaker.ally is None


# The pickers -------------------------------------------------------------------------------------------


def test_without_javascript_search_lists_the_matches_and_saves_nothing(client, world):
    event = world["event"]
    client.force_login(CoordinatorFactory())
    for name in ("Associazione Orti Uniti", "Cooperativa Orti Solidali"):
        MemberOrganizationFactory(name=name)
    page = client.get(url("events:event_edit", slug=event.slug))

    searched = client.post(
        url("events:event_edit", slug=event.slug),
        page_data(page, organizers_search="orti", ally_search="organizers", title="Non ancora salvato"),
    )

    assert searched.status_code == 200
    content = searched.content.decode()
    assert "2 allies found" in content
    picker = searched.context["editor"].event_form["organizers"]
    assert [
        ally.name
        for ally in picker.field.widget.get_context("organizers", picker.value(), {"id": "id_organizers"})["widget"][
            "results"
        ]
    ] == ["Associazione Orti Uniti", "Cooperativa Orti Solidali"]
    event.refresh_from_db()
    assert event.title == "Laboratorio di comunità"  # nothing saved

    orti = MemberOrganizationFactory._meta.model.objects.get(name="Cooperativa Orti Solidali")
    data = page_data(searched)
    data["organizers"] = [*data["organizers"], str(orti.pk)]  # ticked among the results
    data.pop("ally_search", None)
    data["organizers_search"] = ""
    response = client.post(url("events:event_edit", slug=event.slug), data)
    assert response.status_code == 302
    assert sorted(a.name for a in event.organizers.all()) == ["Cooperativa Orti Solidali", "Fondazione Comunità Aperta"]


def test_a_name_typed_in_the_picker_is_taken_on_saving_when_one_ally_matches(client, world):
    event = world["event"]
    client.force_login(CoordinatorFactory())
    page = client.get(url("events:event_edit", slug=event.slug))

    several = client.post(
        url("events:event_edit", slug=event.slug),
        page_data(page, registration_policy="allies", admission_allies_search="e"),
    )
    assert several.status_code == 200
    with translation.override("en"):
        assert several.context["editor"].event_form.errors["admission_allies"] == [
            "Several allies match “e”: tick the ones you mean below, then save."
        ]

    response = client.post(
        url("events:event_edit", slug=event.slug),
        page_data(page, registration_policy="allies", admission_allies_search="terzo settore"),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.admission, list(event.admission_allies.all())) == ("allies", [world["theirs"]["manager"].ally])


def test_a_forged_organizer_outside_the_managers_allies_is_refused(client, world):
    event = world["event"]
    client.force_login(world["mine"]["manager"].user)

    response = edit(client, event, organizers=[str(world["theirs"]["manager"].ally.pk)])

    assert response.status_code == 200
    assert "organizers" in response.context["editor"].event_form.errors
    assert list(event.organizers.all()) == [world["mine"]["manager"].ally]


def test_the_type_ahead_for_organizers_offers_a_manager_only_their_allies(client, world):
    client.force_login(world["mine"]["manager"].user)
    found = client.get(url("initiatives:ally_search"), {"q": "Rete del", "scope": "managed"}).json()["results"]
    assert found == []
    found = client.get(url("initiatives:ally_search"), {"q": "Comunità", "scope": "managed"}).json()["results"]
    assert [a["name"] for a in found] == ["Fondazione Comunità Aperta"]
    everyone = client.get(url("initiatives:ally_search"), {"q": "Rete del"}).json()["results"]
    assert [a["name"] for a in everyone] == ["Rete del Terzo Settore Nord"]


# Admission in the same transaction as the event ----------------------------------------------------------


def test_admission_is_saved_in_the_same_transaction_as_the_event(world):
    event, manager = world["event"], world["mine"]["manager"]
    day = event.start.date()
    broken = Programme(
        sessions=[
            SessionData(
                title="Apertura",
                day=day,
                start_time=event.start.time(),
                end_time=event.end.time(),
                speaker_names=["Nessuno"],
            )
        ]
    )

    with pytest.raises(ValidationError):  # the programme fails after the admission was written
        services.save_event(
            event=event,
            actor=manager.user,
            programme=broken,
            data=EventData(
                title="Cambiato",
                admission="allies",
                admission_review=True,
                admission_allies=[world["theirs"]["manager"].ally],
            ),
        )

    event.refresh_from_db()
    assert (event.title, event.admission, event.admission_review) == ("Laboratorio di comunità", "open", False)
    assert not event.admission_allies.exists()
    assert not LogEntry.objects.filter(action="events.event.admission_changed").exists()

    services.save_event(
        event=event,
        actor=manager.user,
        data=EventData(admission="allies", admission_allies=[world["theirs"]["manager"].ally]),
    )
    event.refresh_from_db()
    assert event.admission == "allies"
    assert LogEntry.objects.filter(action="events.event.admission_changed", actor=manager.user).count() == 1


def test_creating_with_admission_is_one_save(client):
    client.force_login(CoordinatorFactory())
    ally = MemberOrganizationFactory()
    day = next_month_day(14)

    response = client.post(
        url("events:event_create"),
        new_event_data(day, registration_policy="allies", admission_review="review", admission_allies=[str(ally.pk)]),
    )

    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.admission, event.admission_review, list(event.admission_allies.all())) == ("allies", True, [ally])


# The editor's queries do not grow with organizers, speakers and linked items ------------------------------


def _editor_queries(client, event) -> int:
    page_url = url("events:event_edit", slug=event.slug)
    client.get(page_url)  # warm what every page loads once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url)
    assert response.status_code == 200
    return len(queries)


def _populate(event, count):
    allies = [MemberOrganizationFactory(name=f"Alleato {n:02d}") for n in range(count)]
    event.organizers.set(allies)
    event.admission = Event.Admission.ALLIES
    event.save(update_fields=["admission"])
    event.admission_allies.set(allies)
    for n, ally in enumerate(allies):
        SpeakerFactory(event=event, name=f"Relatrice {n}", ally=ally, position=n)
    for _n in range(count):
        project = ProjectFactory(lead_ally=allies[0])
        stage = StageFactory(pathway=PathwayFactory(project=project))
    event.project, event.pathway_stage = project, stage
    event.save(update_fields=["project", "pathway_stage"])


def test_the_editor_page_asks_the_same_queries_with_one_or_many_organizers_speakers_and_links(client):
    client.force_login(CoordinatorFactory())
    one, many = EventFactory(), EventFactory()
    _populate(one, 1)
    _populate(many, 8)

    assert _editor_queries(client, one) == _editor_queries(client, many)
