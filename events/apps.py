from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and workshops")

    def ready(self):
        from alliance.registry import AllySection, CoordinationTask, NavItem, registry
        from alliance.roles import COORDINATOR_PERMISSIONS

        from . import history, privacy, selectors

        history.register_labels()

        registry.navigation.append(NavItem(label=_("Events"), url_name="events:event_list"))
        registry.coordination_links.append(NavItem(label=_("Events and registrations"), url_name="events:manage_list"))
        registry.coordination_tasks.append(
            CoordinationTask(
                label=_("Event applications to decide"),
                count=selectors.count_pending_decisions,
                url_name="events:manage_list",
            )
        )
        registry.ally_sections.append(AllySection(title=_("Events"), items=selectors.ally_events))
        registry.personal_data_exports.append(privacy.export_personal_data)
        registry.account_deletion_hooks.append(privacy.forget_person)
        COORDINATOR_PERMISSIONS.extend(
            [
                "events.add_event",
                "events.change_event",
                "events.view_event",
                "events.view_registration",
                "events.change_registration",
            ]
        )
        from . import home, search  # noqa: F401 - registers its home page parts and its search indexers
