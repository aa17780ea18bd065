from .roles import COORDINATOR_GROUP


def is_coordinator(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=COORDINATOR_GROUP).exists()


def can_access_coordination(user) -> bool:
    return is_coordinator(user)
