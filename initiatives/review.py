"""Review cards for pathway applications (issue 9): the ally (linked, member since, verified), its other
applications and participation, the motivation; in a constant number of queries for any number of cards."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliance.review import ReviewCard

from .models import PathwayApplication

AppStatus = PathwayApplication.Status
DECIDABLE = (AppStatus.SUBMITTED, AppStatus.WAITLISTED)


def _others(pathway, applications) -> dict:
    ally_ids = {a.ally_id for a in applications}
    rows = (
        PathwayApplication.objects.filter(ally_id__in=ally_ids)
        .exclude(pathway=pathway)
        .values("ally_id")
        .annotate(total=Count("pk"), admitted=Count("pk", filter=Q(status=AppStatus.ADMITTED)))
        .order_by()
    )
    return {row["ally_id"]: row for row in rows}


def _participation(row) -> list[str]:
    if not row:
        return [_("First application to a pathway.")]
    return [
        ngettext("%(count)s application to other pathways", "%(count)s applications to other pathways", row["total"])
        % {"count": row["total"]},
        ngettext("admitted to %(count)s of them", "admitted to %(count)s of them", row["admitted"])
        % {"count": row["admitted"]},
    ]


def application_cards(pathway, applications, *, link: bool = True) -> list[ReviewCard]:
    """One card per application (`applications` with their ally selected)."""
    from django.utils import formats

    applications = list(applications)
    others = _others(pathway, applications)
    cards = []
    for application in applications:
        facts = [
            (_("Contact person"), application.contact_name, ""),
            (_("Contact e-mail"), application.contact_email, f"mailto:{application.contact_email}"),
            (_("Sent on"), formats.date_format(application.created_at, "DATE_FORMAT"), ""),
        ]
        cards.append(
            ReviewCard(
                pk=application.pk,
                name=application.ally.name,
                status=application.status,
                status_label=application.get_status_display(),
                facts=facts,
                allies=[application.ally],
                participation=_participation(others.get(application.ally_id)),
                motivation=application.motivation,
                decidable=application.status in DECIDABLE,
                detail_url=reverse(
                    "initiatives:pathway_application_decide", kwargs={"slug": pathway.slug, "pk": application.pk}
                )
                if link
                else "",
            )
        )
    return cards
