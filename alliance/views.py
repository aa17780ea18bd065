from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import home as home_page
from . import search as site_search
from . import selectors
from .permissions import can_access_coordination
from .registry import registry


@require_safe
def home(request):
    """What is happening: next events, projects under way, open pathways, true figures; a region
    chosen with `?region=` (a plain GET form: no cookie) puts what is near first."""
    regions = selectors.list_regions()
    region = next((r for r in regions if r.slug == request.GET.get("region")), None)
    return render(
        request,
        "alliance/home.html",
        {
            "themes": selectors.list_themes(),
            "figures": home_page.figures(),
            "sections": home_page.sections(region),
            "regions": regions,
            "region": region,
        },
    )


@require_safe
def search(request):
    """One search over allies, projects, events, sessions, speakers, pathways and places."""
    regions = selectors.list_regions()
    region = request.GET.get("region", "")
    if region not in {r.slug for r in regions}:
        region = ""
    results = site_search.search(
        request.GET.get("q", ""), region=region, kind=request.GET.get("kind", ""), page=request.GET.get("page")
    )
    context = {
        "query": results.query.text,
        "results": results,
        "kinds": sorted(site_search.KINDS.values(), key=lambda kind: kind.position),
        "regions": regions,
        "region": next((r for r in regions if r.slug == region), None),
    }
    if results.page_obj is not None:
        context["page_range"] = results.page_obj.paginator.get_elided_page_range(results.page_obj.number)
    return render(request, "alliance/search.html", context)


@require_safe
def robots_txt(request):
    """What crawlers may read: the public pages, with the sitemap; never the private areas."""
    from django.urls import reverse
    from django.utils import translation

    private = ["/admin/"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name in ("alliance:coordination", "account_login", "account_signup"):
                private.append(reverse(name))
    private = sorted(set(private))
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in private),
        "",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def page(request, template):
    return render(request, template)


@login_required
@require_safe
def coordination(request):
    if not can_access_coordination(request.user):
        raise Http404
    tasks = []
    for task in registry.coordination_tasks:
        count = task.count(request.user)
        if count:
            tasks.append({"label": task.label, "count": count, "url_name": task.url_name})
    links = [{"label": link.label, "url_name": link.url_name} for link in registry.coordination_links]
    return render(request, "alliance/coordination.html", {"tasks": tasks, "links": links})
