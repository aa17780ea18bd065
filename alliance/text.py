"""Text helpers every domain uses: page addresses from titles, and search."""

from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from django.utils.text import slugify


def unique_slug(model, text: str, *, fallback: str, reserved=frozenset(), exclude_pk=None) -> str:
    """A slug for `text` not taken by another `model` row, nor one of the `reserved` URL words."""
    base = slugify(text)[:200] or fallback
    if base in reserved:
        base = f"{base}-1"
    taken = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    slug, n = base, 1
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def full_text_search(queryset, query: str, *, weighted: dict[str, list[str]], fallback: list[str]):
    """Rows matching `query`: Italian full-text search on PostgreSQL, substring match elsewhere.

    `weighted` maps a weight ("A", "B", "C") to the fields searched with it; the first "A"
    field also matches as a plain substring (names with no dictionary word). On PostgreSQL
    the rows carry `search_rank` for ordering by relevance.
    """
    query = " ".join(query.replace("\x00", "").split())
    if not query:
        return queryset
    main = weighted["A"][0]
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = reduce(
            lambda a, b: a + b,
            (SearchVector(*fields, weight=weight, config="italian") for weight, fields in weighted.items()),
        )
        search = SearchQuery(query, config="italian", search_type="websearch")
        return queryset.annotate(search_rank=SearchRank(vector, search)).filter(
            Q(search_rank__gt=0) | Q(**{f"{main}__icontains": query})
        )
    return queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": query}) for field in fallback)))
