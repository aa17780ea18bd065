"""Loads the demo content. Safe to run again: what exists is reused."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from alliance.roles import COORDINATOR_GROUP, ensure_coordinator_group
from events.demo import load_demo_events
from initiatives.demo import load_demo_initiatives
from members.demo import DEMO_PASSWORD, load_demo_allies

DEMO_ACCOUNTS = [
    # email, full name, language, coordinator?
    ("coordinatrice@alleanza.example.org", "Giulia Ferri", "it", True),
    ("alleato@alleanza.example.org", "Marco Rinaldi", "it", False),
]


class Command(BaseCommand):
    help = "Loads the demo content (accounts, allies, pending applications) and prints how to sign in."

    @transaction.atomic
    def handle(self, *args, **options):
        ensure_coordinator_group()
        coordinators = Group.objects.get(name=COORDINATOR_GROUP)
        User = get_user_model()
        lines = []
        for email, full_name, language, is_coordinator in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"full_name": full_name, "preferred_language": language}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            if is_coordinator:
                user.groups.add(coordinators)
            role = "coordinator" if is_coordinator else "ally"
            state = "created" if created else "already there"
            lines.append(f"  {role:12} {email}  password: {DEMO_PASSWORD}  ({state})")
        users = {email: User.objects.get(email=email) for email, *_rest in DEMO_ACCOUNTS}
        allies = load_demo_allies(
            ally_user=users["alleato@alleanza.example.org"], coordinator=users["coordinatrice@alleanza.example.org"]
        )
        lines.append(f"  allies: {allies['allies']} in all, {allies['created']} added now")
        events = load_demo_events()
        lines.append(f"  events: {events['events']} in all, {events['created']} added now")
        initiatives = load_demo_initiatives(
            coordinator=users["coordinatrice@alleanza.example.org"], ally_user=users["alleato@alleanza.example.org"]
        )
        lines.append(
            f"  projects: {initiatives['projects']}, pathways: {initiatives['pathways']} "
            f"({initiatives['created']} added now)"
        )
        self.stdout.write(self.style.SUCCESS("Demo content loaded. Sign in with:"))
        for line in lines:
            self.stdout.write(line)
