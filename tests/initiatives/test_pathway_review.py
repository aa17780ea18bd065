"""Pathway applications as review cards, decided one by one or in bulk within the places (issue 9)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from alliance.models import OutgoingEmail
from initiatives.models import PathwayApplication
from initiatives.services import InitiativeError, decide_pathway_applications
from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db
Status = PathwayApplication.Status


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def test_the_card_shows_the_ally_its_other_applications_and_the_motivation(client):
    pathway = PathwayFactory()
    application = PathwayApplicationFactory(pathway=pathway, motivation="Vogliamo co-progettare con il Comune.")
    PathwayApplicationFactory(ally=application.ally, status=Status.ADMITTED)
    PathwayApplicationFactory(ally=application.ally, status=Status.DECLINED)
    client.force_login(CoordinatorFactory())

    html = client.get(url("initiatives:pathway_applications", slug=pathway.slug)).content.decode()

    card = html.split(f'id="review-{application.pk}"')[1].split("</article>")[0]
    assert (
        f'<a href="{application.ally.get_absolute_url()}" aria-describedby="review-{application.pk}-name">'
        "Public profile</a>"
    ) in card
    assert "Member since" in card
    assert "2 applications to other pathways; admitted to 1 of them" in card
    assert "Vogliamo co-progettare con il Comune." in card
    assert f'name="ids" value="{application.pk}"' in card


@pytest.mark.parametrize("count", [1, 3])
def test_the_applications_list_takes_as_many_queries_for_one_as_for_three(client, count):
    pathway = PathwayFactory()
    client.force_login(CoordinatorFactory())
    PathwayApplicationFactory(pathway=pathway)
    client.get(url("initiatives:pathway_applications", slug=pathway.slug))

    with CaptureQueriesContext(connection) as one:
        client.get(url("initiatives:pathway_applications", slug=pathway.slug))
    for _ in range(count + 1):
        application = PathwayApplicationFactory(pathway=pathway)
        PathwayApplicationFactory(ally=application.ally)  # another application elsewhere
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("initiatives:pathway_applications", slug=pathway.slug))

    assert len(response.context["cards"]) == count + 2
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_bulk_admission_stops_at_the_places_and_waitlists_the_rest(client):
    pathway = PathwayFactory(places=2)
    PathwayApplicationFactory(pathway=pathway, status=Status.ADMITTED)
    applications = [PathwayApplicationFactory(pathway=pathway) for _ in range(3)]
    client.force_login(CoordinatorFactory())

    response = client.post(
        url("initiatives:pathway_applications_decide", slug=pathway.slug),
        {"ids": [a.pk for a in applications], "decision": "admitted"},
        follow=True,
    )

    assert [PathwayApplication.objects.get(pk=a.pk).status for a in applications] == [
        Status.ADMITTED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    assert "Done: 1 admitted; 2 on the waiting list." in response.content.decode()
    assert OutgoingEmail.objects.filter(template="pathway_application_admitted").count() == 1
    assert OutgoingEmail.objects.filter(template="pathway_application_waitlisted").count() == 2


def test_a_bulk_decline_needs_a_reason():
    pathway = PathwayFactory()
    application = PathwayApplicationFactory(pathway=pathway)
    coordinator = CoordinatorFactory()

    with pytest.raises(InitiativeError):
        decide_pathway_applications(
            pathway=pathway, ids=[application.pk], status=Status.DECLINED, reason="", actor=coordinator
        )
    report = decide_pathway_applications(
        pathway=pathway, ids=[application.pk], status=Status.DECLINED, reason="Fuori dal territorio.", actor=coordinator
    )

    application.refresh_from_db()
    assert (report.declined, application.status, application.decision_reason) == (
        1,
        Status.DECLINED,
        "Fuori dal territorio.",
    )


def test_one_application_is_admitted_with_its_own_button(client):
    pathway = PathwayFactory()
    first, second = PathwayApplicationFactory(pathway=pathway), PathwayApplicationFactory(pathway=pathway)
    client.force_login(CoordinatorFactory())

    client.post(url("initiatives:pathway_applications_decide", slug=pathway.slug), {"approve_one": str(second.pk)})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.SUBMITTED, Status.ADMITTED)


@pytest.mark.parametrize("who", ["other_manager", "outsider"])
def test_the_cards_and_the_bulk_action_do_not_exist_for_others(client, who):
    pathway = PathwayFactory()
    application = PathwayApplicationFactory(pathway=pathway)
    user = VerifiedUserFactory()
    if who == "other_manager":
        AllyManagerFactory(ally=MemberOrganizationFactory(), user=user)
    client.force_login(user)

    assert client.get(url("initiatives:pathway_applications", slug=pathway.slug)).status_code == 404
    assert (
        client.post(
            url("initiatives:pathway_applications_decide", slug=pathway.slug),
            {"ids": [application.pk], "decision": "admitted"},
        ).status_code
        == 404
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_the_page_heads_the_cards_with_an_h2_under_the_h1(client):
    pathway = PathwayFactory()
    PathwayApplicationFactory(pathway=pathway)
    client.force_login(CoordinatorFactory())

    html = client.get(url("initiatives:pathway_applications", slug=pathway.slug)).content.decode()

    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html.split("<main")[1].split("</main>")[0])]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no level skipped
    assert '<h2 id="applications-title">Applications, the oldest first</h2>' in html
    assert '<ul class="review-list" aria-labelledby="applications-title">' in html


def test_a_bulk_decline_without_a_reason_shows_the_error_on_the_field(client):
    pathway = PathwayFactory()
    chosen, other = PathwayApplicationFactory(pathway=pathway), PathwayApplicationFactory(pathway=pathway)
    client.force_login(CoordinatorFactory())

    response = client.post(
        url("initiatives:pathway_applications_decide", slug=pathway.slug),
        {"ids": [chosen.pk], "decision": "declined", "reason": "  "},
    )

    assert response.status_code == 200
    html = response.content.decode()
    reason = html.split('name="reason"')[0].rsplit("<textarea", 1)[1] + html.split('name="reason"')[1].split(">")[0]
    assert 'aria-invalid="true"' in reason and "id_reason_error" in reason
    assert 'id="id_reason_error"' in html and "Please give the applicants a reason." in html
    assert f'value="{chosen.pk}" id="review-{chosen.pk}-select" checked' in html
    assert f'value="{other.pk}" id="review-{other.pk}-select">' in html
    assert {a.status for a in PathwayApplication.objects.all()} == {Status.SUBMITTED}
    assert not OutgoingEmail.objects.exists()
