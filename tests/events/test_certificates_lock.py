"""The attendance certificates are drawn after the event's row lock is released: while the PDFs of a
cycle are being made, registrations and check-ins of that event are not kept waiting."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from events import certificates
from events.models import Event
from events.services.attendance import check_in_meeting, send_certificates
from tests.events.test_series import attendee, verona_cycle
from tests.factories.members import CoordinatorFactory


def event_row_is_free(pk) -> bool:
    """Whether another connection can take the event's row lock at once (NOWAIT)."""
    answer = {}

    def probe():
        try:
            with transaction.atomic():
                Event.objects.select_for_update(nowait=True).get(pk=pk)
            answer["free"] = True
        except OperationalError:
            answer["free"] = False
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return answer["free"]


@pytest.mark.django_db(transaction=True)
def test_the_pdfs_are_drawn_once_the_event_is_unlocked(monkeypatch):
    event = verona_cycle()
    coordinator = CoordinatorFactory()
    meeting = event.sessions.first()
    for _ in range(2):
        check_in_meeting(registration=attendee(event), session=meeting, actor=coordinator)

    seen = []
    draw = certificates.certificate_attachment

    def drawing(record):
        seen.append(event_row_is_free(event.pk))
        return draw(record)

    monkeypatch.setattr(certificates, "certificate_attachment", drawing)
    assert send_certificates(event=event, actor=coordinator) == 2
    assert seen == [True, True]

    # The probe itself can tell a locked row: under the service's own lock it answers False.
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        assert event_row_is_free(event.pk) is False
