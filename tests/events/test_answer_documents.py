"""The documents attached to answers (issue 9) are personal papers: kept outside MEDIA_ROOT, sent only to the
event's organizers and to the holder of the registration's link, and never left behind by a refused
registration."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from events import services
from events.models import Registration, RegistrationAnswer, RegistrationQuestion
from events.privacy import export_personal_data
from events.services import RegistrationError
from events.services.questions import AnswerData
from tests.events.test_questions import organizer_of, pdf_upload, plain_pdf
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.members import AllyManagerFactory, MemberOrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db
Kind = RegistrationQuestion.Kind


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings


def url(name, **kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def registered_with_document(event):
    document = RegistrationQuestion.objects.create(event=event, position=0, kind=Kind.PDF, label="Statuto (PDF)")
    user = VerifiedUserFactory(email="giulia@example.org")
    result = services.register(
        event=event,
        user=user,
        attendee=services.Attendee(
            name="Giulia Verdi",
            email="giulia@example.org",
            answers=[AnswerData(question_id=document.pk, file=pdf_upload())],
        ),
    )
    return result.registration, result.registration.answers.get()


def organizer_url(event, registration, answer):
    return url("events:registration_document", slug=event.slug, pk=registration.pk, answer_pk=answer.pk)


def test_the_document_is_stored_outside_the_public_media(folders):
    event = EventFactory()
    registration, answer = registered_with_document(event)

    assert stored_files(folders.MEDIA_ROOT) == []
    [stored] = stored_files(folders.PRIVATE_MEDIA_ROOT)
    assert stored.suffix == ".pdf" and stored.read_bytes() == plain_pdf()
    with pytest.raises(ValueError):
        answer.file.url  # noqa: B018 - no public address exists


def test_only_the_organizers_and_the_attendee_get_the_document(client):
    event = EventFactory()
    registration, answer = registered_with_document(event)
    organizer = organizer_of(event)
    other_manager = VerifiedUserFactory()
    AllyManagerFactory(ally=MemberOrganizationFactory(), user=other_manager)
    address = organizer_url(event, registration, answer)

    assert client.get(address).status_code in (302, 404)  # anonymous: to the sign-in page, never the file
    assert not client.get(address).has_header("Content-Disposition")
    for outsider in (VerifiedUserFactory(), other_manager, registration.user):
        client.force_login(outsider)
        assert client.get(address).status_code == 404
    client.logout()
    other_event = EventFactory()
    organizer_of(other_event, email="altra@example.org")
    client.force_login(organizer)
    # Another event's address, or the answer under another registration: 404.
    assert (
        client.get(
            url(
                "events:registration_document",
                slug=event.slug,
                pk=RegistrationFactory(event=event).pk,
                answer_pk=answer.pk,
            )
        ).status_code
        == 404
    )

    response = client.get(address)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == plain_pdf()
    assert response["Content-Disposition"].startswith("attachment")
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]

    client.logout()
    own = client.get(url("events:answer_document", token=registration.token, pk=answer.pk))
    assert own.status_code == 200 and b"".join(own.streaming_content) == plain_pdf()
    assert own["Content-Disposition"].startswith("attachment") and "no-store" in own["Cache-Control"]
    assert not own.cookies
    stranger = RegistrationFactory(event=event)
    assert client.get(url("events:answer_document", token=stranger.token, pk=answer.pk)).status_code == 404
    assert client.get(url("events:answer_document", token="not-a-token", pk=answer.pk)).status_code == 404


def test_the_pages_the_csv_and_the_data_download_link_to_the_views(client):
    event = EventFactory(admission_review=True)
    registration, answer = registered_with_document(event)
    registration.email_confirmed_at = timezone.now()
    registration.save()
    own_address = url("events:answer_document", token=registration.token, pk=answer.pk)
    managers_address = organizer_url(event, registration, answer)

    own = client.get(url("events:registration", token=registration.token)).content.decode()
    assert f'href="{own_address}"' in own and "/media/" not in own

    client.force_login(organizer_of(event))
    listed = client.get(url("events:registrations", slug=event.slug)).content.decode()
    assert f'href="{managers_address}"' in listed and own_address not in listed and "/media/" not in listed

    response = client.get(url("events:registrations_csv", slug=event.slug))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][-1] == f"http://testserver{managers_address}"

    [exported] = export_personal_data(registration.user)["event_registrations"]
    assert exported["answers"][0]["document"] == own_address


def register_with_document(event, document):
    return services.register(
        event=event,
        attendee=services.Attendee(
            name="Giulia Verdi",
            email="giulia@example.org",
            answers=[AnswerData(question_id=document.pk, file=pdf_upload())],
        ),
    )


def test_a_registration_refused_under_the_lock_leaves_no_file(folders):
    event = EventFactory()
    document = RegistrationQuestion.objects.create(event=event, position=0, kind=Kind.PDF, label="Statuto (PDF)")
    event.registration_closes_at = timezone.now() - timezone.timedelta(minutes=1)
    event.save()

    with pytest.raises(RegistrationError):
        register_with_document(event, document)

    assert not Registration.objects.exists()
    assert stored_files(folders.PRIVATE_MEDIA_ROOT) == []


def test_a_registration_rolled_back_after_the_answers_leaves_no_file(folders, monkeypatch):
    """A failure after the answers were written (here the outbox's e-mail check) rolls everything back."""
    event = EventFactory()
    document = RegistrationQuestion.objects.create(event=event, position=0, kind=Kind.PDF, label="Statuto (PDF)")
    from events.services import base

    def broken(self, *args, **kwargs):
        raise RuntimeError("the outbox is broken")

    monkeypatch.setattr(base.Outbox, "add", broken)
    with pytest.raises(RuntimeError):
        register_with_document(event, document)

    assert not RegistrationAnswer.objects.exists()
    assert stored_files(folders.PRIVATE_MEDIA_ROOT) == []


def test_registering_an_address_again_keeps_the_first_document_only(folders):
    event = EventFactory()
    registration, answer = registered_with_document(event)
    document = answer.question

    again = services.register(
        event=event,
        attendee=services.Attendee(
            name="Giulia Verdi",
            email="giulia@example.org",
            answers=[AnswerData(question_id=document.pk, file=SimpleUploadedFile("b.pdf", plain_pdf()))],
        ),
    )

    assert again.created is False
    assert stored_files(folders.PRIVATE_MEDIA_ROOT) == [folders.PRIVATE_MEDIA_ROOT / answer.file.name]


def test_the_migration_moves_documents_uploaded_before_to_the_private_folder(folders):
    """Documents stored in the public media before the private storage existed leave it."""
    import importlib

    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    event = EventFactory()
    question = RegistrationQuestion.objects.create(event=event, position=0, kind=Kind.PDF, label="Statuto (PDF)")
    name = default_storage.save("events/answers/vecchio.pdf", ContentFile(plain_pdf()))
    RegistrationAnswer.objects.create(registration=RegistrationFactory(event=event), question=question, file=name)
    migration = importlib.import_module("events.migrations.0010_answer_documents_private")

    migration.move_documents(apps, None)

    assert stored_files(folders.MEDIA_ROOT) == []
    assert (folders.PRIVATE_MEDIA_ROOT / name).read_bytes() == plain_pdf()
