"""Review cards for event registrations (issue 9): who asks (their allies, member since, verified), what they
did before at other events, and their answers; built in a constant number of queries for any number of cards."""

from collections import defaultdict

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from alliance.review import Answer, ReviewCard

from .models import Registration, RegistrationAnswer
from .services.questions import answer_text

Status = Registration.Status


def with_answers(queryset):
    """Registrations with their answers and questions, in one more query."""
    return queryset.prefetch_related(
        Prefetch("answers", queryset=RegistrationAnswer.objects.select_related("question"))
    )


def document_url(answer, registration, *, event_slug: str | None) -> str:
    """Where a document is downloaded: through the organizers' view of the event `event_slug`, or with None
    through the registration's own link (the attendee's); never a media address."""
    if not answer.file:
        return ""
    if event_slug is None:
        return reverse("events:answer_document", kwargs={"token": registration.token, "pk": answer.pk})
    return reverse(
        "events:registration_document", kwargs={"slug": event_slug, "pk": registration.pk, "answer_pk": answer.pk}
    )


def answers_of(registration, *, event_slug: str | None) -> list[Answer]:
    """The answers of a registration, the questions in the active language, as the cards and pages show them
    (prefetched by `with_answers`, else read in one query); documents link as `document_url` says."""
    prefetched = "answers" in getattr(registration, "_prefetched_objects_cache", {})
    answers = registration.answers.all() if prefetched else registration.answers.select_related("question")
    language = get_language()
    return [
        Answer(
            question=a.question.text_in(language),
            text=answer_text(a),
            url=document_url(a, registration, event_slug=event_slug),
        )
        for a in answers
    ]


def _allies_by_registration(registrations, *, viewer) -> dict:
    """The allies of each registration's attendee, by registration: those of the account that verified the
    registration's address (the signed-in account that filled the form only if the address is one of its own,
    since a member may register a colleague); none when no account verified it. Only public allies, unless
    the viewer is a coordinator. Two queries for any number of registrations."""
    from allauth.account.models import EmailAddress

    from alliance.permissions import is_coordinator
    from members.models import AllyManager, public_q

    emails = {r.email.lower() for r in registrations}
    if not emails:
        return {}
    owners = defaultdict(set)  # address (lower case) -> accounts that verified it
    verified = EmailAddress.objects.annotate(address=Lower("email")).filter(verified=True, address__in=emails)
    for user_id, address in verified.values_list("user_id", "address"):
        owners[address].add(user_id)
    person = {}
    for r in registrations:
        candidates = owners.get(r.email.lower(), set())
        if r.user_id in candidates:
            person[r.pk] = r.user_id
        elif candidates:
            person[r.pk] = min(candidates)
    memberships = AllyManager.objects.filter(user_id__in=set(person.values())).select_related("ally")
    if not is_coordinator(viewer):
        memberships = memberships.filter(public_q("ally__"))
    by_user = defaultdict(list)
    for membership in memberships.order_by("ally__name", "pk"):
        by_user[membership.user_id].append(membership.ally)
    return {pk: by_user.get(user_id, []) for pk, user_id in person.items()}


def _past(event, registrations) -> dict:
    emails = {r.email.lower() for r in registrations}
    rows = (
        Registration.objects.filter(email__in=emails)
        .exclude(event=event)
        .values("email")
        .annotate(
            total=Count("pk", distinct=True),
            confirmed=Count("pk", filter=Q(status=Status.CONFIRMED), distinct=True),
            attended=Count("pk", filter=Q(checked_in_at__isnull=False) | Q(attendances__isnull=False), distinct=True),
        )
        .order_by()
    )
    return {row["email"].lower(): row for row in rows}


def _participation(row) -> list[str]:
    if not row or not row["total"]:
        return [_("First registration to an event of the portal.")]
    return [
        ngettext("%(count)s registration to other events", "%(count)s registrations to other events", row["total"])
        % {"count": row["total"]},
        ngettext("attended %(count)s of them", "attended %(count)s of them", row["attended"])
        % {"count": row["attended"]},
    ]


def registration_cards(event, registrations, *, viewer) -> list[ReviewCard]:
    """One card per registration, as `viewer` may see them; the registrations come with their answers
    (`with_answers`)."""
    registrations = list(registrations)
    allies = _allies_by_registration(registrations, viewer=viewer)
    past = _past(event, registrations)
    cards = []
    for r in registrations:
        facts = [(_("E-mail address"), r.email, f"mailto:{r.email}")]
        if r.organization:
            facts.append((_("Organization"), r.organization, ""))
        if r.role:
            facts.append((_("Role"), r.role, ""))
        cards.append(
            ReviewCard(
                pk=r.pk,
                name=r.name,
                status=r.status,
                status_label=r.get_status_display(),
                facts=facts,
                allies=allies.get(r.pk, []),
                participation=_participation(past.get(r.email.lower())),
                answers=answers_of(r, event_slug=event.slug),
                decidable=r.status == Status.PENDING and r.email_confirmed_at is not None,
            )
        )
    return cards


def pending_requests(event):
    """Requests waiting for the organizers' decision, the oldest first."""
    return with_answers(
        event.registrations.filter(status=Status.PENDING, email_confirmed_at__isnull=False).order_by("created_at", "pk")
    )
