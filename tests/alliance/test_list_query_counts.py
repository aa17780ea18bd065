"""Lists that lacked their 1-vs-3 query-count test (issue 14): the coordination area, my projects, my
pathways (as an applicant) and the managers of an organization. Each page is drawn for a world with one
item and for one with three; the number of queries must be the same."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory, ProjectFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    InvitationFactory,
    MemberOrganizationFactory,
    MembershipApplicationFactory,
)

pytestmark = pytest.mark.django_db


def en(name, **kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def queries(client, path):
    client.get(path)  # the first request settles the session and the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response


def coordination(count):
    for n in range(count):
        MembershipApplicationFactory(ally__name=f"Richiedente {n}")
        ProjectFactory(title=f"Progetto da rivedere {n}", submitted=True)
        PathwayApplicationFactory(pathway=PathwayFactory(title=f"Percorso {n}"))
    return CoordinatorFactory(), en("alliance:coordination"), None


def my_projects(count):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory())
    for n in range(count):
        ProjectFactory(lead_ally=manager.ally, title=f"Mio progetto {n}", draft=n == 0)
    return manager.user, en("initiatives:my_projects"), "projects"


def my_pathways(count):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory())
    for n in range(count):
        PathwayApplicationFactory(
            pathway=PathwayFactory(title=f"Percorso {n}"), ally=manager.ally, applicant=manager.user
        )
    return manager.user, en("initiatives:my_pathways"), None


def ally_managers(count):
    owner = AllyManagerFactory(ally=MemberOrganizationFactory(slug=f"sole-{count}"), role="owner")
    for _n in range(count):
        AllyManagerFactory(ally=owner.ally, role="editor")
        InvitationFactory(ally=owner.ally, invited_by=owner.user)
    return owner.user, en("members:ally_managers", slug=f"sole-{count}"), None


@pytest.mark.parametrize(
    "world", [coordination, my_projects, my_pathways, ally_managers], ids=lambda world: world.__name__
)
def test_the_query_count_does_not_grow_from_one_item_to_three(client, taxonomy, world):
    counts = {}
    for count in (1, 3):
        user, path, listed = world(count)
        client.force_login(user)
        counts[count], response = queries(client, path)
        if listed:
            assert len(response.context[listed]) == count
        client.logout()

    assert counts[1] == counts[3], counts
