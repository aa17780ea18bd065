from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Alliance")

    def ready(self):
        from . import pagecache, services
        from .registry import CoordinationTask, registry
        from .roles import ensure_coordinator_group

        pagecache.connect_signals()
        registry.coordination_tasks.append(
            CoordinationTask(
                label=_("E-mails that could not be sent"),
                count=services.failed_emails_for,
                url_name="alliance:failed_emails",
            )
        )
        # After every migrate, so that the permissions of models added later
        # by the other domains reach the coordinator role too.
        post_migrate.connect(ensure_coordinator_group, dispatch_uid="alliance.coordinator_group")
