"""A page of a filtered list in two queries, however long the list: the count rides with the keys.

Django's Paginator asks the database twice for a filtered list: the count, then the page's rows.
Both find the same matches (a region's allies among ten thousand, those whose words match), and
the second one does it with every column of every match in hand, to sort them and keep 24.
`KeysPaginator` asks once for the keys of the page's rows, in the list's order, each with the
length of the whole list beside it (a window count: the matches are found once, for both), then
reads the rows of those keys from `rows`, the queryset with what the page shows (its
select_related and prefetch_related; no filter, no order, which the first query had).

A list that is not filtered is better served by `KeysFirstPaginator` (below): its count reads an index
alone and its page walks the index of its order, where a window count would read every entry.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property

_TOTAL = "paginator_total"
_FURTHEST_OFFSET = 2**31 - 1


class KeysPaginator(Paginator):
    """Paginator's pages (same numbers, same rows, same `count`) from two queries: the keys of the
    page with the count, then the rows by key. A page number past the last one (or before the first)
    costs the count and the last page again, as Paginator.get_page shows the last page for it."""

    def __init__(self, object_list, per_page, *, rows):
        super().__init__(object_list, per_page)
        self.rows = rows

    @cached_property
    def supported(self) -> bool:
        return connections[self.object_list.db].features.supports_over_clause

    def get_page(self, number):
        if not self.supported:
            return super().get_page(number)
        try:
            wanted = self._number(number)
        except ValueError:
            wanted = 1  # Paginator.get_page: not a number, the first page
        # A number no list reaches (its offset would not even fit the database's integers) goes the way
        # of every page past the last: Paginator's, which counts and shows the last page.
        if 1 <= wanted <= _FURTHEST_OFFSET // self.per_page:
            keys = self._keys(wanted)
            if keys or wanted == 1:
                return self._page(keys, wanted)
        return super().get_page(number)  # the count, then the last page (self.page)

    def page(self, number):
        if not self.supported:
            return super().page(number)
        number = self.validate_number(number)
        return self._page(self._keys(number), number)

    @staticmethod
    def _number(number) -> int:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError(number)
        try:
            return int(number)
        except (TypeError, ValueError):
            raise ValueError(number) from None

    def _keys(self, number: int) -> list:
        """[(key, length of the list)] of page `number`, in the list's order; the count is kept."""
        bottom = (number - 1) * self.per_page
        found = list(
            self.object_list.prefetch_related(None)
            .annotate(**{_TOTAL: Window(Count("*"))})
            .values_list("pk", _TOTAL)[bottom : bottom + self.per_page]
        )
        if found:
            self.__dict__["count"] = found[0][1]  # Paginator.count is a cached_property
        elif number == 1:
            self.__dict__["count"] = 0
        return [key for key, _total in found]

    def _page(self, keys: list, number: int):
        by_key = {obj.pk: obj for obj in self.rows.filter(pk__in=keys).order_by()} if keys else {}
        # A row gone between the two queries (deleted, made private) is left out, not shown.
        return self._get_page([by_key[key] for key in keys if key in by_key], number, self)


class KeysFirstPaginator(Paginator):
    """Paginator (same pages, same count query) whose page is one query that reads the keys of its rows
    first, in the list's order, then the rows of those keys: `list.filter(pk__in=list.keys[bottom:top])`.

    A later page skips its predecessors in the subquery, on the keys alone (an index-only scan of the
    order's index where there is one), and only the page's rows are joined, annotated and sorted, where
    `list[bottom:top]` would join and sort every row it skips, with all their columns. For lists without
    DISTINCT (the subquery's one column could not carry the order's); those take Paginator's slice.
    """

    def page(self, number):
        if not self._keys_first():
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list.filter(pk__in=self.object_list.values("pk")[bottom:top])
        return self._get_page(rows, number, self)

    def _keys_first(self) -> bool:
        """A queryset whose keys' slice can be a subquery: not a list, not sliced or combined, without
        DISTINCT, on a database that takes a LIMIT inside IN (PostgreSQL and SQLite do)."""
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return False
        query = rows.query
        return (
            not (query.distinct or query.is_sliced or query.combinator)
            and connections[rows.db].features.allow_sliced_subqueries_with_in
        )
