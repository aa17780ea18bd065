"""Who may link a pathway to a project: the managers of a member ally that leads it or takes part in it;
a suspended or former member's managers may not (as the event editor's `linkable_projects`)."""

import pytest

from initiatives.models import ProjectPartner
from initiatives.permissions import can_link_project
from initiatives.selectors import linkable_projects
from tests.factories.initiatives import ProjectFactory
from tests.factories.members import AllyManagerFactory, CoordinatorFactory, MemberOrganizationFactory


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "linked"), [("active", True), ("suspended", False), ("ended", False)])
@pytest.mark.parametrize("as_partner", [False, True])
def test_only_a_member_allys_managers_link_its_project(status, linked, as_partner):
    ally = MemberOrganizationFactory(membership_status=status)
    manager = AllyManagerFactory(ally=ally).user
    if as_partner:
        project = ProjectFactory(lead_ally=MemberOrganizationFactory())
        ProjectPartner.objects.create(project=project, ally=ally, role="Animazione")
    else:
        project = ProjectFactory(lead_ally=ally)

    assert can_link_project(manager, project) is linked
    assert (project in linkable_projects(manager)) is linked
    assert can_link_project(CoordinatorFactory(), project) is True
    assert can_link_project(AllyManagerFactory(ally=MemberOrganizationFactory()).user, project) is False
