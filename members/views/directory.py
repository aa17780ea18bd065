"""The public directory of allies: the list with its filters, and each ally's page."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from alliance.addresses import slug_urls
from alliance.pagination import KeysFirstPaginator, KeysPaginator

from .. import selectors
from ..filters import AllyFilterSet
from ..models import Ally
from ..permissions import can_edit_ally, can_manage_memberships, can_view_ally

ALLIES_PER_PAGE = 24


@require_safe
def ally_list(request):
    filterset = AllyFilterSet(request.GET, queryset=selectors.directory_allies())
    if filterset.active_filters():
        # A region's allies, or those the words find: counted with the keys of the page, then 24 rows
        # read by key (alliance.pagination). The whole directory: its count reads an index, and its
        # page's keys the index of its order (ally_public_name_idx), however deep the page.
        paginator = KeysPaginator(filterset.qs, ALLIES_PER_PAGE, rows=selectors.directory_allies())
    else:
        paginator = KeysFirstPaginator(filterset.qs, ALLIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "members/ally_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "cards": ally_cards(page.object_list),
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


def ally_cards(allies) -> list[dict]:
    """What the card of each ally shows (members/ally_list.html), in the active language: one `reverse`
    for every address, the labels of the kinds and legal forms translated once for the page, the
    places and themes as names. `allies`: directory_allies(). Dictionaries, which the template reads
    at its first lookup."""
    allies = list(allies)
    served, themes = selectors.card_regions_and_themes(allies)
    url = slug_urls("members:ally_detail")
    kinds = {value: str(label) for value, label in Ally.Kind.choices}
    legal_forms = {value: str(label) for value, label in Ally.LegalForm.choices}
    cards = []
    for ally in allies:
        regions = served.get(ally.pk)
        if regions:
            places = ", ".join(regions)
        elif ally.province:
            region = ally.province.region.display_name
            places = f"{ally.city}, {region}" if ally.city else region
        else:
            places = ""
        cards.append(
            {
                "name": ally.name,
                "url": url(ally.slug),
                "image": ally.image or None,
                "initial": ally.name[:1].upper(),
                "verified": ally.is_verified,
                "kind": legal_forms.get(ally.legal_form, ally.legal_form)
                if ally.legal_form
                else kinds.get(ally.kind, ally.kind),
                "supporter": ally.is_supporter,
                "places": places,
                "served": bool(regions),  # the regions it serves; else its seat
                "themes": themes.get(ally.pk, []),
            }
        )
    return cards


@require_safe
def ally_detail(request, slug):
    ally = selectors.ally_for_page(slug)
    if ally is None or not can_view_ally(request.user, ally):
        raise Http404
    can_edit = can_edit_ally(request.user, ally)
    coordinator = can_manage_memberships(request.user)
    return render(
        request,
        "members/ally_detail.html",
        {
            "ally": ally,
            "sections": selectors.ally_page_sections(ally),
            "can_edit": can_edit,
            "can_verify": coordinator,  # the same people verify allies (can_verify_allies)
            "can_manage_membership": coordinator,
            # The membership and its record are for the ally's managers and the coordination only.
            "can_see_membership": coordinator or can_edit,
            "history": selectors.ally_history(ally) if coordinator else None,
        },
    )
