"""Reads about allies: querysets shaped for the pages that show them."""

from django.db.models import Prefetch

from alliance.models import Theme, link_names
from alliance.search import filter_by_search

from .models import Ally, AllyManager, MembershipApplication, member_q, public_q

# "An ally that is a member now", the one definition every domain uses (members-only access, pickers, counts).
MEMBER_Q = member_q()
# The same seen from a row that points to an ally (a manager, an application...).
ALLY_MEMBER_Q = member_q("ally__")
# Allies in the directory: members, and members whose membership is suspended for now.
PUBLIC_Q = public_q()


def member_allies():
    return Ally.objects.filter(MEMBER_Q)


def public_allies():
    """The allies of the directory with what a card shows, in a constant number of queries."""
    return (
        Ally.objects.filter(PUBLIC_Q)
        .select_related("province__region")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position")),
            "regions",
        )
    )


# What a card of the directory shows (members.views.directory.ally_cards), and no more: its rows are
# read for 24 allies at a time, and each column is a field of each model instance.
CARD_FIELDS = (
    "name",
    "slug",
    "image",
    "kind",
    "legal_form",
    "is_supporter",
    "verified_at",
    "city",
    "province__region__name",
    "province__region__name_en",
)


def directory_allies():
    """The allies of the directory with what their cards show; their regions and themes come from
    `card_regions_and_themes`, as names (public_allies() prefetches them as model instances)."""
    return Ally.objects.filter(PUBLIC_Q).select_related("province__region").only(*CARD_FIELDS)


def card_regions_and_themes(allies) -> tuple[dict, dict]:
    """({ally id: names of the regions it serves}, {ally id: names of its themes}) in the active
    language, ordered as public_allies() orders them: two queries over the link tables (as its two
    prefetches), none for no ally."""
    ids = [ally.pk for ally in allies]
    regions = link_names(Ally.regions.through, "ally", ids, "region", order=("region__name",))
    themes = link_names(Ally.themes.through, "ally", ids, "theme", order=("theme__position", "theme__name"))
    return regions, themes


def search_allies(queryset, query: str, *, rank: bool = True):
    """`queryset` narrowed to the allies the site-wide search finds for `query` (its index, so the
    same answers: accents, Italian stemming, plurals); with `rank`, each with `search_rank` (every
    word in the name), for the order by relevance."""
    return filter_by_search(queryset, query, kind="ally", rank=rank)


def ally_for_page(slug: str):
    return (
        Ally.objects.select_related("province__region", "verified_by")
        .prefetch_related("themes", "regions", "provinces")
        .filter(slug=slug)
        .first()
    )


def allies_managed_by(user):
    return (
        Ally.objects.filter(memberships__user=user)
        .prefetch_related(
            Prefetch("memberships", queryset=AllyManager.objects.select_related("user")),
            Prefetch("applications", queryset=MembershipApplication.objects.order_by("-created_at")),
            "invitations",
        )
        .distinct()
    )


def pending_applications():
    return (
        MembershipApplication.objects.filter(status=MembershipApplication.Status.SUBMITTED)
        .select_related("ally", "applicant", "principles")
        .order_by("created_at")
    )


def count_pending_applications(user=None) -> int:
    return MembershipApplication.objects.filter(status=MembershipApplication.Status.SUBMITTED).count()


def export_user_data(user) -> dict:
    """Everything the portal stores about `user`, for the download in their area."""
    from allauth.account.models import EmailAddress

    from alliance.models import OutgoingEmail

    def ally_data(ally):
        return {
            "kind": ally.kind,
            "name": ally.name,
            "summary": ally.summary,
            "description": ally.description,
            "legal_form": ally.legal_form,
            "tax_code": ally.tax_code,
            "website": ally.website,
            "social_links": ally.social_links,
            "address": ally.address,
            "city": ally.city,
            "province": ally.province.name if ally.province else None,
            "regions": [r.name for r in ally.regions.all()],
            "provinces": [p.name for p in ally.provinces.all()],
            "themes": [t.name for t in ally.themes.all()],
            "year_founded": ally.year_founded,
            "is_supporter": ally.is_supporter,
            "role": ally.role,
            "contact_email": ally.contact_email,
            "contact_email_public": ally.contact_email_public,
            "phone": ally.phone,
            "phone_public": ally.phone_public,
            "image": ally.image.name or None,
            "membership": ally.membership_status,
            "member_since": ally.approved_at,
            "suspended_at": ally.suspended_at,
            "suspended_until": ally.suspended_until,
            "suspension_reason": ally.suspension_reason,
            "membership_ended_at": ally.ended_at,
            "end_reason": ally.end_reason,
            "verified_at": ally.verified_at,
            "your_role": next(m.role for m in ally.memberships.all() if m.user_id == user.pk),
        }

    allies = (
        Ally.objects.filter(memberships__user=user)
        .select_related("province")
        .prefetch_related("regions", "provinces", "themes", "memberships")
    )
    from alliance.workflow import attach_history

    applications = attach_history(
        MembershipApplication.objects.filter(applicant=user).select_related("ally", "principles")
    )
    data = {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "news_opt_in": user.news_opt_in,
            "news_opt_in_changed_at": user.news_opt_in_changed_at,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user)
            ],
        },
        "allies": [ally_data(ally) for ally in allies],
        "membership_applications": [
            {
                "ally": a.ally.name,
                "status": a.status,
                "motivation": a.motivation,
                "principles_version": a.principles.version,
                "principles_accepted_at": a.principles_accepted_at,
                "submitted_at": a.created_at,
                "decided_at": a.decided_at,
                "decision_reason": a.decision_reason,
                "log": [
                    {
                        "from": e.data.get("from", ""),
                        "to": e.data.get("to", ""),
                        "at": e.created_at,
                        "note": e.data.get("note", ""),
                    }
                    for e in a.history
                ],
            }
            for a in applications
        ],
        "emails_sent_to_you": [
            {"subject": e.subject, "status": e.status, "created_at": e.created_at, "sent_at": e.sent_at}
            for e in OutgoingEmail.objects.filter(to__iexact=user.email).order_by("created_at")
        ],
    }
    from alliance.registry import registry

    for export in registry.personal_data_exports:
        data.update(export(user))
    return data


def allies_for_coordination(*, q: str = "", status: str = ""):
    """Every ally, for the coordinators' list, with what a row shows; by name."""
    allies = Ally.objects.select_related("province")
    if status:
        allies = allies.filter(membership_status=status)
    if q.strip():
        allies = allies.filter(name__icontains=q.strip())
    return allies.order_by("name", "pk")


def ally_by_slug(slug: str):
    return Ally.objects.filter(slug=slug).first()


def managers_of(ally):
    return AllyManager.objects.filter(ally=ally).select_related("user").order_by("role", "created_at")


def manager_of(ally, pk: int):
    return AllyManager.objects.select_related("user", "ally").filter(pk=pk, ally=ally).first()


def pending_invitations(ally):
    return ally.invitations.filter(accepted_at__isnull=True).order_by("-created_at")


def invitation_by_token(token: str):
    from .models import Invitation

    return Invitation.objects.select_related("ally").filter(token=token).first()


def principles_by_version(version: int):
    from .models import Principles

    return Principles.objects.filter(version=version).first()


def application_owned_by(user, pk: int):
    """The application `pk` if `user` owns its ally, else None."""
    return (
        MembershipApplication.objects.select_related("ally")
        .filter(pk=pk, ally__memberships__user=user, ally__memberships__role=AllyManager.Role.OWNER)
        .first()
    )


def application_for_review(pk: int):
    """An application with everything the coordinators' review page shows, its history included."""
    from alliance.workflow import attach_history

    application = (
        MembershipApplication.objects.select_related(
            "ally__province__region", "ally__verified_by", "applicant", "principles", "decided_by"
        )
        .prefetch_related("ally__themes", "ally__regions", "ally__provinces")
        .filter(pk=pk)
        .first()
    )
    if application is not None:
        attach_history([application])
    return application


def ally_history(ally):
    """The record of an ally's membership and verification, oldest first, with the actors, in one query.

    Its applications keep their own history, on their review pages.
    """
    from alliance.workflow import history

    return list(history(ally))


def ally_page_sections(ally) -> list[dict]:
    """What the other domains show on an ally's page (projects, events, pathways), non-empty ones only."""
    from alliance.registry import registry

    sections = []
    for section in registry.ally_sections:
        items = section.items(ally)
        if items:
            sections.append({"title": section.title, "items": items})
    return sections
