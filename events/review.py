"""Review cards for event registrations (issue 9): who asks (their allies, member since, verified), what they
did before at other events, and their answers; built in a constant number of queries for any number of cards."""

from collections import defaultdict

from django.db.models import Count, Prefetch, Q
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


def answers_of(registration) -> list[Answer]:
    """The answers of a registration, the questions in the active language, as the cards and pages show them
    (prefetched by `with_answers`, else read in one query)."""
    prefetched = "answers" in getattr(registration, "_prefetched_objects_cache", {})
    answers = registration.answers.all() if prefetched else registration.answers.select_related("question")
    language = get_language()
    return [
        Answer(question=a.question.text_in(language), text=answer_text(a), url=a.file.url if a.file else "")
        for a in answers
    ]


def _allies_by_person(registrations) -> tuple[dict, dict]:
    from members.models import AllyManager

    user_ids = {r.user_id for r in registrations if r.user_id}
    emails = {r.email.lower() for r in registrations}
    by_user, by_email = defaultdict(list), defaultdict(list)
    if not user_ids and not emails:
        return by_user, by_email
    memberships = AllyManager.objects.filter(Q(user_id__in=user_ids) | Q(user__email__in=emails)).select_related(
        "ally", "user"
    ).order_by("ally__name", "pk")
    for membership in memberships:
        by_user[membership.user_id].append(membership.ally)
        by_email[membership.user.email.lower()].append(membership.ally)
    return by_user, by_email


def _past(event, registrations) -> dict:
    emails = {r.email.lower() for r in registrations}
    rows = (
        Registration.objects.filter(email__in=emails).exclude(event=event).values("email")
        .annotate(
            total=Count("pk", distinct=True),
            confirmed=Count("pk", filter=Q(status=Status.CONFIRMED), distinct=True),
            attended=Count("pk", filter=Q(checked_in_at__isnull=False) | Q(attendances__isnull=False),
                           distinct=True),
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


def registration_cards(event, registrations) -> list[ReviewCard]:
    """One card per registration; the registrations come with their answers (`with_answers`)."""
    registrations = list(registrations)
    by_user, by_email = _allies_by_person(registrations)
    past = _past(event, registrations)
    cards = []
    for r in registrations:
        allies = by_user.get(r.user_id) if r.user_id else None
        facts = [(_("E-mail address"), r.email, f"mailto:{r.email}")]
        if r.organization:
            facts.append((_("Organization"), r.organization, ""))
        if r.role:
            facts.append((_("Role"), r.role, ""))
        cards.append(ReviewCard(
            pk=r.pk, name=r.name, status=r.status, status_label=r.get_status_display(), facts=facts,
            allies=allies if allies is not None else by_email.get(r.email.lower(), []),
            participation=_participation(past.get(r.email.lower())),
            answers=answers_of(r),
            decidable=r.status == Status.PENDING and r.email_confirmed_at is not None,
        ))
    return cards


def pending_requests(event):
    """Requests waiting for the organizers' decision, the oldest first."""
    return with_answers(
        event.registrations.filter(status=Status.PENDING, email_confirmed_at__isnull=False).order_by("created_at", "pk")
    )
