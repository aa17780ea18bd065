"""The public directory of allies: the list with its filters, and each ally's page."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..filters import AllyFilterSet
from ..permissions import can_edit_ally, can_manage_memberships, can_view_ally

ALLIES_PER_PAGE = 24


@require_safe
def ally_list(request):
    filterset = AllyFilterSet(request.GET, queryset=selectors.public_allies())
    paginator = Paginator(filterset.qs, ALLIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "members/ally_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


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
