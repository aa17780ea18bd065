"""Allies in the site-wide search (alliance.search): the allies of the directory are public, with public fields only."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from alliance import search
from alliance.models import Province

from .models import Ally


def indexed_allies():
    return Ally.objects.select_related("province__region").prefetch_related(
        "themes", "regions", Prefetch("provinces", queryset=Province.objects.select_related("region"))
    )


def ally_documents(ally):
    themes = list(ally.themes.all())
    regions = list(ally.regions.all())
    provinces = list(ally.provinces.all())
    seat = [ally.province] if ally.province else []
    places = [ally.city, *(p.name for p in seat), *(p.region.name for p in seat)]
    places += [r.name for r in regions] + [p.name for p in provinces]
    places = list(dict.fromkeys(place for place in places if place))  # each once, in order
    subtitle = ally.get_legal_form_display() if ally.legal_form else ally.role
    if ally.city:
        subtitle = f"{subtitle} · {ally.city}" if subtitle else ally.city
    extra = [search.labels(ally.kind, enum=Ally.Kind)]
    if ally.legal_form:
        extra.append(search.labels(ally.legal_form, enum=Ally.LegalForm))
    extra += [t.name_en for t in themes]
    yield search.Doc(
        obj=ally,
        kind="ally",
        title=ally.name,
        subtitle=subtitle,
        # Public fields only: never the tax code, and no contact the ally did not make public.
        text="\n".join(
            part
            for part in [
                ally.summary,
                ally.role,
                ally.description,
                " · ".join(filter(None, places)),
                " · ".join(t.name for t in themes),
            ]
            if part
        ),
        url_name="members:ally_detail",
        url_kwargs={"slug": ally.slug},
        regions=search.region_slugs(regions, provinces, seat),
        date=ally.approved_at,
        is_public=ally.is_public,  # members and suspended members; not applicants nor former members
        extra_terms=" ".join(extra),
    )


search.register_kind("ally", _("Allies"), 10)
search.register(
    search.Indexer(model=Ally, queryset=indexed_allies, build=ally_documents, m2m=("themes", "regions", "provinces"))
)
