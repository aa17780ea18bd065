"""The PDFs of a registration are read (pypdf, the slow part) and written before `register` locks the
event: a registration never holds the event's row while a document is checked. Real threads, each with
its own PostgreSQL connection, against a lock held by the test."""

import threading
import time

import pytest
from django.db import connection, transaction

from events import services
from events.models import Event, Registration, RegistrationQuestion
from events.services import RegistrationError
from events.services.questions import AnswerData
from tests.alliance.test_pdf_uploads import with_object_stream
from tests.events.test_questions import pdf_upload
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def files_in(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_documents_are_checked_and_written_before_the_lock(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = private = tmp_path / "private"
    event = EventFactory()
    document = RegistrationQuestion.objects.create(event=event, position=0, kind="pdf", label="Statuto (PDF)")
    scripted = with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    results = {}

    def attempt(name, data):
        try:
            results[name] = services.register(
                event=event,
                attendee=services.Attendee(
                    name="Giulia Verdi",
                    email=f"{name}@example.org",
                    answers=[AnswerData(question_id=document.pk, file=pdf_upload(data))],
                ),
            )
        except RegistrationError as exc:
            results[name] = exc
        finally:
            connection.close()

    good = threading.Thread(target=attempt, args=("good", None))
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)  # an organizer's change holds the event
        bad = threading.Thread(target=attempt, args=("bad", scripted))
        bad.start()
        bad.join(timeout=20)
        # Refused while the event is still locked: the check did not wait for the lock.
        assert not bad.is_alive() and isinstance(results["bad"], RegistrationError)
        assert "PDF" in str(results["bad"]) and not files_in(private)
        good.start()
        deadline = time.monotonic() + 20
        while not files_in(private) and time.monotonic() < deadline:
            time.sleep(0.05)
        # Its document is written while it waits for the lock.
        assert len(files_in(private)) == 1 and good.is_alive()
    good.join(timeout=30)

    assert results["good"].created
    [stored] = files_in(private)
    assert results["good"].registration.answers.get().file.name == stored.relative_to(private).as_posix()
    assert list(Registration.objects.values_list("email", flat=True)) == ["good@example.org"]
