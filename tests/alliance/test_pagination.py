"""alliance.pagination.KeysFirstPaginator gives Paginator's pages, reading a page's keys first."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.pagination import KeysFirstPaginator
from members.models import Ally
from tests.factories.members import MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def pages(paginator, numbers):
    return [(page.number, [ally.name for ally in page]) for page in map(paginator.get_page, numbers)]


@pytest.mark.parametrize("orphans", [0, 1])
def test_the_pages_are_paginators_in_the_same_order(orphans):
    # Names that tie on the first key of the order: the pk decides, in the subquery as in the page.
    for number in range(8):
        MemberOrganizationFactory(name=f"Cooperativa {number % 3}", slug=f"cooperativa-{number}")
    allies = Ally.objects.select_related("province").order_by("name", "pk")
    numbers = [1, 2, 3, 4, "abc", 0, 99, "2"]

    assert pages(KeysFirstPaginator(allies, 3, orphans=orphans), numbers) == pages(
        Paginator(allies, 3, orphans=orphans), numbers
    )


def test_a_later_page_takes_one_query_with_the_keys_in_a_subquery():
    for number in range(5):
        MemberOrganizationFactory(name=f"Alleato {number}", slug=f"alleato-{number}")
    paginator = KeysFirstPaginator(Ally.objects.order_by("name", "pk"), 2)
    paginator.count  # noqa: B018 - the count's own query, read first

    with CaptureQueriesContext(connection) as queries:
        names = [ally.name for ally in paginator.page(2)]

    assert names == ["Alleato 2", "Alleato 3"]
    assert len(queries) == 1
    assert "LIMIT 2 OFFSET 2" in queries[0]["sql"].split(" IN (", 1)[1]  # the slice is the keys'


def test_a_list_with_distinct_takes_paginators_slice():
    for number in range(3):
        MemberOrganizationFactory(name=f"Alleato {number}", slug=f"alleato-{number}")
    allies = Ally.objects.order_by("name", "pk").distinct()

    assert [ally.name for ally in KeysFirstPaginator(allies, 2).page(2)] == ["Alleato 2"]
