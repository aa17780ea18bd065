"""The coordinator role: a group holding what coordinators may do.

Each domain adds the permissions its coordinators need to
COORDINATOR_PERMISSIONS; the group is brought up to date after every migrate.
"""

from django.utils.translation import gettext_lazy as _

COORDINATOR_GROUP = "coordinators"
COORDINATOR_GROUP_LABEL = _("Coordinators")

# "app_label.codename"
COORDINATOR_PERMISSIONS = [
    "alliance.add_theme",
    "alliance.change_theme",
    "alliance.view_theme",
    "alliance.view_region",
    "alliance.view_province",
    "alliance.view_outgoingemail",
]


def ensure_coordinator_group(sender=None, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission
    from django.db import connections

    # `migrate <one app>` on an empty database runs before auth's tables exist.
    if Group._meta.db_table not in connections[using].introspection.table_names():
        return
    group, _created = Group.objects.using(using).get_or_create(name=COORDINATOR_GROUP)
    wanted = set()
    for dotted in COORDINATOR_PERMISSIONS:
        app_label, codename = dotted.split(".", 1)
        wanted.add((app_label, codename))
    candidates = (
        Permission.objects.using(using)
        .select_related("content_type")
        .filter(content_type__app_label__in={app_label for app_label, _codename in wanted})
    )
    permissions = [p for p in candidates if (p.content_type.app_label, p.codename) in wanted]
    # Exactly these: a right given to the group by hand, or dropped from the list, goes away.
    group.permissions.set(permissions)
