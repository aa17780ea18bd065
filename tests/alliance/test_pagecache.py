"""The whole-page cache for anonymous readers: correctness, not speed.

After each kind of change the next anonymous request shows it; signed-in people
never get or store a cached page; no cached answer carries a cookie.
"""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from events.models import Event
from events.services import Attendee, register
from tests.factories.events import EventFactory
from tests.factories.members import VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code in (200, 304), response.status_code
    return response


def test_second_anonymous_read_is_served_from_the_cache_without_cookies(client):
    event = EventFactory(title="Giornata della Generatività")
    url = event.get_absolute_url()
    first = get(client, url)
    second = get(client, url)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Giornata della Generatività" in second.content.decode()
    assert not first.cookies and not second.cookies
    assert "Set-Cookie" not in second
    assert second["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Content-Security-Policy" in second  # the CSP middleware wraps the cache


def test_etag_revalidation_answers_304(client):
    url = reverse("events:event_list")
    first = get(client, url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_save_update_and_delete_each_show_at_the_next_read(client):
    event = EventFactory(title="Titolo primo")
    url = event.get_absolute_url()
    list_url = reverse("events:event_list")
    assert "Titolo primo" in get(client, url).content.decode()
    assert "Titolo primo" in get(client, list_url).content.decode()

    event.title = "Titolo secondo"
    event.save()
    assert "Titolo secondo" in get(client, url).content.decode()

    Event.objects.filter(pk=event.pk).update(title="Titolo terzo")  # no signal: the SQL is seen
    assert "Titolo terzo" in get(client, url).content.decode()
    assert "Titolo terzo" in get(client, list_url).content.decode()

    Event.objects.filter(pk=event.pk).delete()
    assert "Titolo terzo" not in get(client, list_url).content.decode()


def test_a_registration_changes_the_seats_left_at_once(client):
    event = EventFactory(capacity=3)
    url = event.get_absolute_url()
    before = get(client, url).content.decode()
    user = VerifiedUserFactory()
    register(event=event, attendee=Attendee(name="Ada", email=user.email), user=user)
    after = get(client, url)
    assert after["X-Page-Cache"] == "miss"
    assert after.content.decode() != before


def test_signed_in_people_never_get_nor_store_a_cached_page(client):
    event = EventFactory()
    url = event.get_absolute_url()
    member = VerifiedUserFactory()
    client.force_login(member)
    signed_in = client.get(url)
    assert "X-Page-Cache" not in signed_in
    client.logout()
    anonymous = client.get(url)
    assert anonymous["X-Page-Cache"] == "miss"  # the signed-in visit stored nothing
    client.force_login(member)
    assert "X-Page-Cache" not in client.get(url)  # and a stored page is not served to a session


def test_pages_that_are_not_public_reads_are_never_stored(client):
    event = EventFactory()
    register_url = reverse("events:register", kwargs={"slug": event.slug})
    client.get(register_url)
    response = client.get(register_url)
    assert "X-Page-Cache" not in response


@pytest.mark.parametrize("spoil", ["cookie", "csrf", "private"])
def test_public_pages_that_set_a_cookie_use_a_csrf_token_or_are_private_are_not_stored(rf, spoil):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.urls import resolve

    from alliance.pagecache import AnonymousPageCacheMiddleware

    def view(request):
        request.user = AnonymousUser()
        request.resolver_match = resolve("/")
        response = HttpResponse("home")
        if spoil == "cookie":
            response.set_cookie("tracker", "1")
        elif spoil == "csrf":
            get_token(request)
        else:
            response["Cache-Control"] = "private"
        return response

    middleware = AnonymousPageCacheMiddleware(view)
    first = middleware(rf.get("/"))
    second = middleware(rf.get("/"))
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second


def test_a_public_page_without_cookies_is_stored_by_the_middleware(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.urls import resolve

    from alliance.pagecache import AnonymousPageCacheMiddleware

    calls = []

    def view(request):
        calls.append(1)
        request.user = AnonymousUser()
        request.resolver_match = resolve("/")
        return HttpResponse("home")

    middleware = AnonymousPageCacheMiddleware(view)
    assert middleware(rf.get("/"))["X-Page-Cache"] == "miss"
    assert middleware(rf.get("/"))["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in middleware(rf.get("/", HTTP_COOKIE="sessionid=abc"))
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_a_reader_between_the_write_and_the_commit_does_not_keep_the_old_page(client, taxonomy):
    """The write bumps the version at once; a reader in between stores the old content under it;
    the commit bumps again, so the next reader sees the committed change."""
    event = EventFactory(title="Prima del commit")
    url = event.get_absolute_url()
    get(client, url)
    written, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                Event.objects.filter(pk=event.pk).update(title="Dopo il commit")
                written.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(10)
    in_between = get(client, url)
    assert "Prima del commit" in in_between.content.decode()  # not committed yet
    release.set()
    thread.join(10)
    assert "Dopo il commit" in get(client, url).content.decode()


def test_a_statement_that_writes_only_the_outbox_keeps_the_cache():
    from alliance.pagecache import touches_content

    assert touches_content('UPDATE "events_event" SET "title" = %s')
    assert touches_content('INSERT INTO "events_registration" ("event_id") VALUES (%s)')
    assert touches_content('DELETE FROM "members_ally" WHERE id = 1')
    assert not touches_content('UPDATE "alliance_outgoingemail" SET "status" = %s')
    assert not touches_content('UPDATE "members_user" SET "last_login" = %s')
    assert not touches_content('SELECT * FROM "events_event"')
    assert not touches_content('INSERT INTO "django_session" VALUES (%s)')


def test_stored_pages_are_sent_compressed_to_clients_that_accept_gzip(client):
    import gzip

    url = reverse("events:event_list")
    plain = get(client, url)
    compressed = get(client, url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["ETag"] != plain["ETag"]
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"]).status_code == 304


def test_each_client_reads_only_the_copy_it_is_sent():
    """Issue 13: a 1 MB feed is stored twice, plain and gzipped, under two keys: a client that takes gzip
    (every browser and calendar program) reads the small copy only, whichever client stored the page."""
    import gzip

    from django.core.cache import cache
    from django.test import Client

    from alliance.pagecache import current_version

    url = reverse("events:event_list")
    first = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")  # stores both copies
    key = f"pagecache:{current_version()}:testserver:{url}"
    for_gzip, plain = cache.get(f"{key}:gzip"), cache.get(key)
    assert (first["X-Page-Cache"], first["Content-Encoding"]) == ("miss", "gzip")
    assert for_gzip[2] == first.content and gzip.decompress(for_gzip[2]) == plain[2]
    assert len(for_gzip[2]) < len(plain[2]) / 2

    cache.delete(key)  # the plain copy gone: a gzip client is still served, from its own copy
    assert Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")["X-Page-Cache"] == "hit"
    later = Client().get(url)
    assert later["X-Page-Cache"] == "miss" and "Content-Encoding" not in later
    assert later.content == plain[2]
