"""Who may do what with projects and pathways: pure predicates."""

from alliance.permissions import is_coordinator
from members.models import AllyManager

from .models import Pathway, PathwayApplication, Project


def manages_ally(user, ally) -> bool:
    return user.is_authenticated and AllyManager.objects.filter(user=user, ally=ally).exists()


def can_propose_projects(user) -> bool:
    """Managers of an approved ally."""
    return user.is_authenticated and AllyManager.objects.filter(user=user, ally__approved_at__isnull=False).exists()


def can_edit_project(user, project: Project) -> bool:
    return is_coordinator(user) or manages_ally(user, project.lead_ally)


def can_view_project(user, project: Project) -> bool:
    return project.is_published or can_edit_project(user, project)


def can_publish_projects(user) -> bool:
    return is_coordinator(user)


def can_view_pathway(user, pathway: Pathway) -> bool:
    return pathway.status != Pathway.Status.DRAFT or is_coordinator(user)


def can_run_pathways(user) -> bool:
    return is_coordinator(user)


def can_follow_application(user, application: PathwayApplication) -> bool:
    """The organization's managers see its own timeline; coordinators see all."""
    return is_coordinator(user) or manages_ally(user, application.ally)
