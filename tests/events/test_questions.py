"""Registration questions (issue 9): the organizers' page, the answers asked, checked, stored, shown,
exported and erased."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfWriter

from alliance import retention
from alliance.models import LogEntry
from events import services
from events.models import Attendance, Registration, RegistrationAnswer, RegistrationQuestion
from events.privacy import export_personal_data, forget_person
from events.services import RegistrationError
from events.services.questions import AnswerData, QuestionData, QuestionError, save_questions
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db
Kind = RegistrationQuestion.Kind


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def plain_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(data: bytes | None = None, name="statuto.pdf"):
    return SimpleUploadedFile(name, plain_pdf() if data is None else data, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The private folder the answers' documents go to (outside MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


@pytest.fixture
def public_media(settings, media):
    return settings.MEDIA_ROOT


def questions_of(event):
    """The seed-004 kind of questions: a required choice, a yes/no, a date, an optional PDF."""
    return [
        RegistrationQuestion.objects.create(
            event=event,
            position=0,
            kind=Kind.CHOICE,
            required=True,
            label="Quale requisito soddisfi?",
            label_en="Which requirement do you meet?",
            choices="Socia lavoratrice\nVolontaria",
            choices_en="Worker member\nVolunteer",
        ),
        RegistrationQuestion.objects.create(event=event, position=1, kind=Kind.YES_NO, label="Hai già partecipato?"),
        RegistrationQuestion.objects.create(event=event, position=2, kind=Kind.DATE, label="Data di adesione"),
        RegistrationQuestion.objects.create(event=event, position=3, kind=Kind.PDF, label="Statuto (PDF)"),
    ]


def organizer_of(event, email="organizzatrice@example.org"):
    ally = MemberOrganizationFactory()
    event.organizers.add(ally)
    user = VerifiedUserFactory(email=email, preferred_language="en")
    AllyManagerFactory(ally=ally, user=user)
    return user


# The organizers' page ---------------------------------------------------------------------------


def formset_data(rows, *, initial=0, **extra):
    data = {
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"questions-{n}-{key}"] = value
    return data


def test_an_organizer_adds_orders_and_edits_questions_on_their_own_page(client):
    event = EventFactory()
    organizer = organizer_of(event)
    client.force_login(organizer)
    page = url("events:questions", slug=event.slug)

    response = client.get(page)
    assert response.status_code == 200
    assert 'aria-current="page">Registration questions</a>' in response.content.decode()

    response = client.post(
        page,
        formset_data(
            [
                {
                    "kind": "yes_no",
                    "label": "Sei socia di Mag?",
                    "label_en": "Are you a member of Mag?",
                    "ORDER": "2",
                    "required": "on",
                },
                {"kind": "choice", "label": "Requisito", "choices": "A\nB", "ORDER": "1"},
            ]
        ),
    )
    assert response.status_code == 302
    assert [(q.kind, q.label, q.required, q.position) for q in event.questions.all()] == [
        ("choice", "Requisito", False, 0),
        ("yes_no", "Sei socia di Mag?", True, 1),
    ]
    entry = LogEntry.objects.get(action="events.event.questions_changed")
    assert (entry.actor, entry.data["added"]) == (organizer, 2)


def test_the_page_refuses_a_choice_without_options_and_saves_nothing(client):
    event = EventFactory()
    client.force_login(organizer_of(event))

    response = client.post(
        url("events:questions", slug=event.slug),
        formset_data([{"kind": "choice", "label": "Requisito", "choices": "Solo uno"}]),
    )

    assert response.status_code == 200
    assert "give at least two options" in response.content.decode()
    assert not event.questions.exists()


@pytest.mark.parametrize("who", ["other_manager", "outsider"])
def test_the_questions_page_does_not_exist_for_others(client, who):
    event = EventFactory()
    organizer_of(event)
    if who == "other_manager":
        user = VerifiedUserFactory()
        AllyManagerFactory(ally=MemberOrganizationFactory(), user=user)
    else:
        user = VerifiedUserFactory()
    client.force_login(user)
    page = url("events:questions", slug=event.slug)

    assert client.get(page).status_code == 404
    assert client.post(page, formset_data([{"kind": "text", "label": "X"}])).status_code == 404
    assert not event.questions.exists()


def test_an_answered_question_keeps_its_kind_and_is_removed_only_when_confirmed(media):
    event = EventFactory()
    coordinator = CoordinatorFactory()
    choice, yes_no, _, document = questions_of(event)
    registration = RegistrationFactory(event=event)
    RegistrationAnswer.objects.create(registration=registration, question=choice, value="Volontaria")
    answer = RegistrationAnswer(registration=registration, question=document)
    answer.file.save("statuto.pdf", pdf_upload(), save=True)
    stored = media / answer.file.name
    assert stored.exists() and stored.suffix == ".pdf"

    def data(q, **changes):
        fields = {f: getattr(q, f) for f in ("kind", "label", "label_en", "choices", "choices_en", "required")}
        return QuestionData(pk=q.pk, **{**fields, **changes})

    with translation.override("en"), pytest.raises(QuestionError, match="its kind of answer cannot change"):
        save_questions(event=event, actor=coordinator, questions=[data(choice, kind="text", choices="")])

    # Removing the document question without confirming: nothing happens, the organizer is asked.
    kept = [data(choice), data(yes_no)]
    result = save_questions(event=event, actor=coordinator, questions=kept)
    assert [q.pk for q in result.needs_confirmation] == [document.pk] and stored.exists()
    assert event.questions.count() == 4

    with django_capture_on_commit():
        result = save_questions(event=event, actor=coordinator, questions=kept, confirm_removal=True)
    assert (result.removed, result.answers_deleted) == (2, 1)
    assert list(event.questions.values_list("pk", flat=True)) == [choice.pk, yes_no.pk]
    assert not stored.exists()  # the document left the storage with its answer


def django_capture_on_commit():
    """Run the on-commit callbacks of the block at its end (the test's transaction never commits)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


# Asking and checking the answers ----------------------------------------------------------------


def register_data(event, **answers):
    data = {"name": "Giulia Verdi", "email": "giulia@example.org", "privacy_consent": "on"}
    data.update({f"question_{pk}": value for pk, value in answers.items()})
    return data


def test_the_form_asks_the_questions_in_the_visitors_language(client):
    event = EventFactory()
    choice, yes_no, *_ = questions_of(event)

    english = client.get(url("events:register", slug=event.slug)).content.decode()
    italian = client.get(url("events:register", language="it", slug=event.slug)).content.decode()

    assert "Which requirement do you meet?" in english and "Worker member" in english
    assert "Quale requisito soddisfi?" in italian and "Socia lavoratrice" in italian
    assert "Hai già partecipato?" in english  # no English text: the Italian one
    assert 'enctype="multipart/form-data"' in english


def test_a_registration_saves_its_answers_in_the_same_transaction(client, media):
    event = EventFactory()
    choice, yes_no, day, document = questions_of(event)

    response = client.post(
        url("events:register", slug=event.slug),
        register_data(
            event,
            **{
                str(choice.pk): "Socia lavoratrice",
                str(yes_no.pk): "yes",
                str(day.pk): "2024-03-01",
                str(document.pk): pdf_upload(name="statuto.PDF.exe"),
            },
        ),
    )

    assert response.status_code == 302
    registration = Registration.objects.get(event=event)
    answers = {a.question_id: a for a in registration.answers.all()}
    assert (answers[choice.pk].value, answers[yes_no.pk].value, answers[day.pk].value) == (
        "Socia lavoratrice",
        "yes",
        "2024-03-01",
    )
    assert answers[document.pk].file.name.startswith("events/answers/")
    assert answers[document.pk].file.name.endswith(".pdf")
    assert (media / answers[document.pk].file.name).read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("choice", "", "Please answer this question."),
        ("choice", "Presidente", "Select a valid choice."),
        ("day", "1200-01-01", "Enter a date between 01/01/1950 and 31/12/2100."),
        ("document", "not a pdf", "This file is not a PDF document."),
    ],
)
def test_wrong_answers_are_refused_and_nothing_is_saved(client, field, value, message):
    event = EventFactory()
    choice, yes_no, day, document = questions_of(event)
    answers = {str(choice.pk): "Volontaria"}
    target = {"choice": choice, "day": day, "document": document}[field]
    answers[str(target.pk)] = (
        SimpleUploadedFile("statuto.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
        if field == "document"
        else value
    )

    response = client.post(url("events:register", slug=event.slug), register_data(event, **answers))

    assert response.status_code == 200
    assert response.context["form"].errors[f"question_{target.pk}"]
    assert message in response.content.decode()
    assert not Registration.objects.exists() and not RegistrationAnswer.objects.exists()


def scripted_pdf() -> bytes:
    from tests.alliance.test_pdf_uploads import with_object_stream

    return with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")


def oversized_pdf() -> bytes:
    from alliance.uploads import MAX_PDF_BYTES

    data = plain_pdf()
    return data[:-6] + b"%" + b"0" * MAX_PDF_BYTES + b"\n" + data[-6:]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (oversized_pdf, "the limit is 10.0\xa0MB"),
        (scripted_pdf, "This PDF contains scripts, actions or embedded files, which are not accepted."),
    ],
)
def test_an_oversized_or_scripted_pdf_is_refused_by_the_form_and_nothing_is_saved(
    client, media, public_media, data, message
):
    event = EventFactory()
    choice, _, _, document = questions_of(event)

    response = client.post(
        url("events:register", slug=event.slug),
        register_data(
            event,
            **{
                str(choice.pk): "Volontaria",
                str(document.pk): pdf_upload(data()),
            },
        ),
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[f"question_{document.pk}"])
    assert not Registration.objects.exists() and not RegistrationAnswer.objects.exists()
    assert not any(p.is_file() for root in (media, public_media) if root.exists() for p in root.rglob("*"))


def test_the_service_holds_the_rules_whatever_the_form_lets_through():
    translation.activate("en")
    event = EventFactory()
    choice, yes_no, day, document = questions_of(event)

    def attempt(*answers):
        return services.register(
            event=event, attendee=services.Attendee(name="Ospite", email="ospite@example.org", answers=list(answers))
        )

    with pytest.raises(RegistrationError, match="Please answer"):
        attempt(AnswerData(question_id=yes_no.pk, value="yes"))
    with pytest.raises(RegistrationError, match="choose one of the options"):
        attempt(AnswerData(question_id=choice.pk, value="Presidente"))
    with pytest.raises(RegistrationError, match="answer yes or no"):
        attempt(AnswerData(question_id=choice.pk, value="Volontaria"), AnswerData(question_id=yes_no.pk, value="forse"))
    with pytest.raises(RegistrationError, match="give a valid date"):
        attempt(
            AnswerData(question_id=choice.pk, value="Volontaria"), AnswerData(question_id=day.pk, value="3000-01-01")
        )
    with pytest.raises(RegistrationError, match="not a PDF"):
        attempt(
            AnswerData(question_id=choice.pk, value="Volontaria"),
            AnswerData(question_id=document.pk, file=SimpleUploadedFile("a.pdf", b"GIF89a")),
        )
    other = RegistrationQuestion.objects.create(event=EventFactory(), kind=Kind.TEXT, label="Altro")
    with pytest.raises(RegistrationError, match="does not ask"):
        attempt(AnswerData(question_id=choice.pk, value="Volontaria"), AnswerData(question_id=other.pk, value="x"))
    assert not Registration.objects.exists() and not RegistrationAnswer.objects.exists()


# Shown, exported, erased -------------------------------------------------------------------------


def test_answers_on_the_attendees_page_the_organizers_list_and_the_csv(client):
    event = EventFactory()
    choice, yes_no, *_ = questions_of(event)
    choice.label = '=HYPERLINK("http://evil")'
    choice.save()
    registration = RegistrationFactory(event=event, name="Giulia Verdi")
    RegistrationAnswer.objects.create(registration=registration, question=choice, value="Volontaria")
    RegistrationAnswer.objects.create(registration=registration, question=yes_no, value="yes")
    RegistrationFactory(event=event, name="Senza risposte")

    own = client.get(url("events:registration", token=registration.token)).content.decode()
    assert "Your answers" in own and "Volontaria" in own

    client.force_login(CoordinatorFactory())
    listed = client.get(url("events:registrations", slug=event.slug)).content.decode()
    assert "<dd>Volontaria</dd>" in listed

    response = client.get(url("events:registrations_csv", slug=event.slug))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[-4:] == ['\'=HYPERLINK("http://evil")', "Hai già partecipato?", "Data di adesione", "Statuto (PDF)"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Giulia Verdi"][-4:] == ["Volontaria", "yes", "", ""]
    assert by_name["Senza risposte"][-4:] == ["", "", "", ""]


def test_the_data_download_has_the_answers_and_the_meetings_attended():
    event = EventFactory(is_series=True)
    meeting = SessionFactory(event=event, day=event.start.date())
    user = VerifiedUserFactory(email="giulia@example.org")
    registration = RegistrationFactory(event=event, email="giulia@example.org", user=user)
    choice, *_ = questions_of(event)
    RegistrationAnswer.objects.create(registration=registration, question=choice, value="Volontaria")
    Attendance.objects.create(registration=registration, session=meeting, checked_in_at=timezone.now())

    [exported] = export_personal_data(user)["event_registrations"]

    assert exported["answers"] == [{"question": "Quale requisito soddisfi?", "answer": "Volontaria", "document": ""}]
    assert [m["meeting"] for m in exported["meetings_attended"]] == [meeting.title]


def test_answers_and_their_files_go_with_the_person_the_registration_and_retention(media):
    event = EventFactory()
    _, _, _, document = questions_of(event)

    def answered(email):
        registration = RegistrationFactory(event=event, email=email)
        answer = RegistrationAnswer(registration=registration, question=document)
        answer.file.save("statuto.pdf", pdf_upload(), save=True)
        return registration, media / answer.file.name

    user = VerifiedUserFactory(email="giulia@example.org")
    _, first = answered("giulia@example.org")
    deleted, second = answered("altra@example.org")
    kept, third = answered("terza@example.org")

    with django_capture_on_commit():
        forget_person(user)
    assert not first.exists()
    with django_capture_on_commit():
        deleted.delete()
    assert not second.exists()
    assert third.exists()

    # After the event, retention erases the answers with the accessibility needs.
    event.start, event.end = timezone.now() - timedelta(days=60), timezone.now() - timedelta(days=59)
    event.save()
    rule = "accessibility needs and answers after the event"
    assert dict((o.rule, o.count) for o in retention.apply(dry_run=True))[rule] == 1
    assert third.exists()
    with django_capture_on_commit():
        outcomes = retention.apply(now=timezone.now())
    assert not RegistrationAnswer.objects.exists()
    assert not third.exists()
    assert dict((o.rule, o.count) for o in outcomes)[rule] == 1


def test_the_empty_rows_the_page_offers_are_ignored(client):
    event = EventFactory()
    client.force_login(organizer_of(event))
    page = url("events:questions", slug=event.slug)
    formset = client.get(page).context["formset"]
    # What a browser sends back: every row, the empty ones with the first kind selected.
    rows = [{"kind": "text", "label": "", "ORDER": ""} for _ in formset]
    rows[0].update(label="Sei socia?", kind="yes_no")

    response = client.post(page, formset_data(rows))

    assert response.status_code == 302
    assert list(event.questions.values_list("label", flat=True)) == ["Sei socia?"]


def test_removing_answered_questions_from_the_page_asks_for_confirmation(client):
    event = EventFactory()
    client.force_login(organizer_of(event))
    choice, yes_no, day, document = questions_of(event)
    RegistrationAnswer.objects.create(
        registration=RegistrationFactory(event=event), question=choice, value="Volontaria"
    )
    page = url("events:questions", slug=event.slug)
    rows = [
        {"id": str(q.pk), "kind": q.kind, "label": q.label, "choices": q.choices, "ORDER": str(n)}
        for n, q in enumerate([choice, yes_no, day, document], start=1)
    ]
    rows[0]["DELETE"] = "on"

    response = client.post(page, formset_data(rows, initial=4))
    assert response.status_code == 200
    assert "“Quale requisito soddisfi?”: one answer" in response.content.decode()
    assert event.questions.count() == 4 and RegistrationAnswer.objects.count() == 1

    response = client.post(page, formset_data(rows, initial=4, confirm_removal="1"))
    assert response.status_code == 302
    assert list(event.questions.values_list("pk", flat=True)) == [yes_no.pk, day.pk, document.pk]
    assert not RegistrationAnswer.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_the_questions_page_takes_as_many_queries_for_one_question_as_for_three(client, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = EventFactory()
    client.force_login(organizer_of(event))
    page = url("events:questions", slug=event.slug)
    RegistrationQuestion.objects.create(event=event, kind=Kind.TEXT, label="Domanda 0")
    client.get(page)
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for n in range(1, count + 2):
        question = RegistrationQuestion.objects.create(event=event, position=n, kind=Kind.TEXT, label=f"Domanda {n}")
        RegistrationAnswer.objects.create(registration=RegistrationFactory(event=event), question=question, value="x")
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)

    assert len(response.context["formset"].initial) == count + 2
    assert len(many) == len(one)
