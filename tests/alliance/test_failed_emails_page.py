"""Coordinators see the e-mails that could not be sent, with the reason, and send them again."""

import pytest
from django.urls import reverse

from alliance.models import LogEntry, OutgoingEmail
from tests.factories.alliance import OutgoingEmailFactory
from tests.factories.members import CoordinatorFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

URL = reverse("alliance:failed_emails")


def test_only_coordinators_see_the_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(VerifiedUserFactory())
    assert client.get(URL).status_code == 404


def test_the_page_lists_failed_emails_with_their_reason_and_is_never_stored(client):
    failed = OutgoingEmailFactory(
        status=OutgoingEmail.Status.FAILED, last_error="SMTPRecipientsRefused: 550 No such user"
    )
    OutgoingEmailFactory(status=OutgoingEmail.Status.SENT, subject="Già partita")
    client.force_login(CoordinatorFactory())

    response = client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert failed.subject in page and "550 No such user" in page
    assert "Già partita" not in page
    assert "no-store" in response["Cache-Control"]


def test_sending_the_selected_ones_again(client, smtp_server, django_capture_on_commit_callbacks):
    chosen = OutgoingEmailFactory(status=OutgoingEmail.Status.FAILED)
    other = OutgoingEmailFactory(status=OutgoingEmail.Status.FAILED)
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"email": [str(chosen.pk)]})

    assert response.status_code == 302
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (chosen.status, other.status) == (OutgoingEmail.Status.SENT, OutgoingEmail.Status.FAILED)
    assert [m["To"] for m in smtp_server.parsed()] == [chosen.to]
    assert LogEntry.objects.get(action="alliance.outgoingemail.resent").actor == coordinator


def test_sending_all_of_them_again(client, smtp_server, django_capture_on_commit_callbacks):
    OutgoingEmailFactory.create_batch(3, status=OutgoingEmail.Status.FAILED)
    client.force_login(CoordinatorFactory())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"all": "1"})

    assert len(smtp_server.messages) == 3
    assert not OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).exists()


@pytest.mark.parametrize("rows", [1, 3])
def test_the_page_takes_the_same_queries_for_one_or_three(client, django_assert_num_queries, rows):
    OutgoingEmailFactory.create_batch(rows, status=OutgoingEmail.Status.FAILED)
    client.force_login(CoordinatorFactory())
    client.get(URL)  # warm the session and the permission caches of this client

    # The same for one row or three: the rows come in one query.
    with django_assert_num_queries(8):
        assert client.get(URL).status_code == 200


def test_the_coordination_area_counts_failed_emails_and_links_the_page(client):
    import re

    from django.utils import translation

    OutgoingEmailFactory(status=OutgoingEmail.Status.FAILED)
    OutgoingEmailFactory(status=OutgoingEmail.Status.FAILED)
    OutgoingEmailFactory(status=OutgoingEmail.Status.SENT)
    client.force_login(CoordinatorFactory())
    with translation.override("en"):
        url, page_url = reverse("alliance:coordination"), reverse("alliance:failed_emails")
    page = client.get(url).content.decode()
    assert re.search(
        rf'<a href="{re.escape(page_url)}">E-mails that could not be sent</a> <span class="badge bg-primary">2</span>',
        page,
    )
