from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Allies and accounts")

    def ready(self):
        from alliance.registry import CoordinationTask, NavItem, registry
        from alliance.roles import COORDINATOR_PERMISSIONS

        from . import selectors

        registry.navigation.insert(0, NavItem(label=_("Allies"), url_name="members:ally_list"))
        registry.coordination_tasks.append(
            CoordinationTask(
                label=_("Membership applications to review"),
                count=selectors.count_pending_applications,
                url_name="members:application_queue",
            )
        )
        registry.coordination_links.append(
            NavItem(label=_("Membership applications"), url_name="members:application_queue")
        )
        registry.coordination_links.append(
            NavItem(label=_("Allies and memberships"), url_name="members:coordination_allies")
        )
        COORDINATOR_PERMISSIONS.extend(
            [
                "members.view_ally",
                "members.change_ally",
                "members.view_membershipapplication",
                "members.change_membershipapplication",
                "members.add_principles",
                "members.view_principles",
            ]
        )
        from . import home, search  # noqa: F401 - registers its home page parts and its search indexers
