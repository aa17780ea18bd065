"""Who may do what with projects and pathways: pure predicates."""

from django.db.models import Q

from alliance.permissions import is_coordinator
from members.models import AllyManager, member_q

from .models import Pathway, PathwayApplication, Project


def manages_ally(user, ally) -> bool:
    return user.is_authenticated and AllyManager.objects.filter(user=user, ally=ally).exists()


def can_propose_projects(user) -> bool:
    """Managers of an approved ally."""
    return user.is_authenticated and AllyManager.objects.of_members().filter(user=user).exists()


def can_edit_project(user, project: Project) -> bool:
    return is_coordinator(user) or manages_ally(user, project.lead_ally)


def can_view_project(user, project: Project) -> bool:
    return project.is_published or can_edit_project(user, project)


def can_publish_projects(user) -> bool:
    return is_coordinator(user)


def linked_through_member_allies(user):
    """The projects that a member ally `user` manages leads or takes part in: what a pathway or an
    event may be linked to by someone who is not a coordinator (a suspended or former member's
    managers link nothing)."""
    return Project.objects.filter(
        Q(member_q("lead_ally__"), lead_ally__memberships__user=user)
        | Q(member_q("partners__ally__"), partners__ally__memberships__user=user)
    ).distinct()


def can_link_project(user, project: Project) -> bool:
    """A pathway may name a project a member ally of its editor leads or takes part in (any project,
    for coordinators)."""
    if is_coordinator(user):
        return True
    if not user.is_authenticated:
        return False
    return linked_through_member_allies(user).filter(pk=project.pk).exists()


def can_create_pathways(user) -> bool:
    return is_coordinator(user)


def can_manage_pathway(user, pathway: Pathway) -> bool:
    """Coordinators, and the managers of a promoting ally that is a member: as organizers for their events."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    if pathway.pk is None:
        return False
    return pathway.organizers.filter(member_q(), memberships__user=user).exists()


def promoted_pathways(user):
    """The pathways promoted by a member ally that `user` manages (the one query behind the
    promoters' pages, lists and counts)."""
    return Pathway.objects.filter(member_q("organizers__"), organizers__memberships__user=user)


def can_manage_any_pathway(user) -> bool:
    if is_coordinator(user):
        return True
    return user.is_authenticated and promoted_pathways(user).exists()


def can_view_pathway(user, pathway: Pathway) -> bool:
    return pathway.status != Pathway.Status.DRAFT or can_manage_pathway(user, pathway)


def can_follow_application(user, application: PathwayApplication) -> bool:
    """The organization's managers see its own timeline; coordinators see all."""
    return is_coordinator(user) or manages_ally(user, application.ally)
