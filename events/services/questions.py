"""Registration questions (issue 9): the organizers' questions of an event, and the answers given to them.

`save_questions` replaces the list of an event's questions with the one given, in its order. A question
that already has answers keeps its kind; removing it deletes its answers, and only when the organizer
confirmed that. `prepare_documents` checks the PDFs (the slow part: pypdf reads every object) and
writes them to the private storage before `register` locks the event; `clean_answers` then holds every
rule an answer must follow (required, one of the options, a date within the portal's range) and
`store_answers` writes them, inside `register`'s transaction; `discard_unused_documents` removes the
written files no answer refers to once that transaction is over (refused, rolled back, or not needed).
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alliance.dates import sane_date
from alliance.uploads import clean_pdf
from alliance.workflow import log

from ..models import Event, RegistrationAnswer, RegistrationQuestion
from ..permissions import can_manage_event
from .base import RegistrationError

Kind = RegistrationQuestion.Kind
YES, NO = "yes", "no"
MAX_QUESTIONS = 20


class QuestionError(ValidationError):
    """A rule about questions refused; the message is for the organizer."""


@dataclass
class QuestionData:
    """One question as the organizer wrote it; `pk` None for a new one."""

    kind: str
    label: str
    pk: int | None = None
    label_en: str = ""
    help_text: str = ""
    help_text_en: str = ""
    choices: str = ""
    choices_en: str = ""
    required: bool = False


@dataclass(frozen=True)
class QuestionsResult:
    added: int = 0
    changed: int = 0
    removed: int = 0
    answers_deleted: int = 0
    # Questions with answers that would be removed: nothing was saved, the organizer must confirm.
    needs_confirmation: list = field(default_factory=list)


def _lines(text: str) -> list[str]:
    return RegistrationQuestion._lines(text or "")


def _check(data: QuestionData, number: int) -> None:
    if data.kind not in Kind.values:
        raise QuestionError(_("Question %(number)s: choose a kind of answer.") % {"number": number})
    if not data.label.strip():
        raise QuestionError(_("Question %(number)s: write the question in Italian.") % {"number": number})
    if data.kind == Kind.CHOICE:
        options = _lines(data.choices)
        if len(options) < 2:
            raise QuestionError(_("Question %(number)s: give at least two options, one a line.") % {"number": number})
        if len(set(options)) != len(options):
            raise QuestionError(_("Question %(number)s: the options must be different.") % {"number": number})
        english = _lines(data.choices_en)
        if english and len(english) != len(options):
            raise QuestionError(
                _("Question %(number)s: give as many English options as Italian ones, in the same order, or none.")
                % {"number": number}
            )


def save_questions(
    *, event: Event, actor, questions: list[QuestionData], confirm_removal: bool = False
) -> QuestionsResult:
    """Make `questions` (in this order) the event's questions; those not listed are removed."""
    if len(questions) > MAX_QUESTIONS:
        raise QuestionError(_("An event may ask at most %(count)s questions.") % {"count": MAX_QUESTIONS})
    for number, data in enumerate(questions, start=1):
        _check(data, number)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        existing = {q.pk: q for q in event.questions.annotate(answer_count=Count("answers"))}
        kept = {data.pk for data in questions if data.pk is not None}
        if kept - existing.keys():
            raise QuestionError(_("One of the questions is not part of this event any more: reload the page."))
        for number, data in enumerate(questions, start=1):
            if data.pk is not None:
                old = existing[data.pk]
                if old.answer_count and old.kind != data.kind:
                    raise QuestionError(
                        _(
                            "Question %(number)s already has answers: its kind of answer cannot change. Add a new "
                            "question instead."
                        )
                        % {"number": number}
                    )
        removed = [q for pk, q in existing.items() if pk not in kept]
        answered = [q for q in removed if q.answer_count]
        if answered and not confirm_removal:
            return QuestionsResult(needs_confirmation=answered)
        answers_deleted = 0
        for question in removed:
            # One by one, so that the documents leave the storage with their answers.
            for answer in question.answers.all():
                answer.delete()
                answers_deleted += 1
            question.delete()
        added = changed = moved = 0
        fields = ("kind", "label", "label_en", "help_text", "help_text_en", "choices", "choices_en", "required")
        for position, data in enumerate(questions):
            values = {
                "kind": data.kind,
                "label": data.label.strip(),
                "label_en": data.label_en.strip(),
                "help_text": data.help_text.strip(),
                "help_text_en": data.help_text_en.strip(),
                "choices": "\n".join(_lines(data.choices)),
                "choices_en": "\n".join(_lines(data.choices_en)),
                "required": bool(data.required),
            }
            if data.kind != Kind.CHOICE:
                values["choices"] = values["choices_en"] = ""
            if data.pk is None:
                RegistrationQuestion.objects.create(event=event, position=position, **values)
                added += 1
                continue
            question = existing[data.pk]
            edited = any(getattr(question, f) != values[f] for f in fields)
            if edited or question.position != position:
                changed += edited
                moved += question.position != position
                for name, value in values.items():
                    setattr(question, name, value)
                question.position = position
                question.save()
        result = QuestionsResult(added=added, changed=changed, removed=len(removed), answers_deleted=answers_deleted)
        if added or changed or moved or removed:
            log(
                event,
                "questions_changed",
                actor=actor,
                data={
                    "added": added,
                    "changed": changed,
                    "moved": moved,
                    "removed": len(removed),
                    "answers_deleted": answers_deleted,
                },
            )
    return result


# Answers -----------------------------------------------------------------------------------


@dataclass
class AnswerData:
    """What a person answered to one question: text (the option's stored value for a choice, "yes"/"no",
    an ISO date) or an uploaded file for a PDF question."""

    question_id: int
    value: str = ""
    file: object = None
    stored: str = ""  # the checked document's name in the private storage (`prepare_documents`)


def _parse_date(value: str, label: str) -> date:
    try:
        day = date.fromisoformat(value)
        sane_date(day)
    except (ValueError, ValidationError) as exc:
        raise RegistrationError(_("“%(question)s”: give a valid date.") % {"question": label}) from exc
    return day


def _document_field():
    return RegistrationAnswer._meta.get_field("file")


def prepare_documents(event: Event, answers: list[AnswerData]) -> list[str]:
    """Before the lock: check each PDF given for a PDF question of `event` and write it to the private
    storage (its name in `answer.stored`); returns the names written, for `discard_unused_documents`.
    A file that is not a plain PDF raises RegistrationError, and what was written is removed."""
    if not any(answer.file for answer in answers):
        return []
    questions = {q.pk: q for q in event.questions.filter(kind=Kind.PDF)}
    language = get_language()
    checked = []
    for answer in answers:
        question = questions.get(answer.question_id)
        if question is None or not answer.file:
            continue
        try:
            checked.append((answer, clean_pdf(answer.file)))
        except ValidationError as exc:
            raise RegistrationError(
                _("“%(question)s”: %(error)s")
                % {"question": question.text_in(language), "error": " ".join(exc.messages)}
            ) from exc
    written = []
    document = _document_field()
    try:
        for answer, upload in checked:
            answer.stored = document.storage.save(document.generate_filename(None, upload.name), upload)
            written.append(answer.stored)
    except BaseException:
        discard_unused_documents(written)
        raise
    return written


def discard_unused_documents(names: list[str]) -> None:
    """Remove the written documents that no answer refers to (a refused or rolled-back registration)."""
    if not names:
        return
    used = set(RegistrationAnswer.objects.filter(file__in=names).values_list("file", flat=True))
    storage = _document_field().storage
    for name in set(names) - used:
        storage.delete(name)


def clean_answers(event: Event, answers: list[AnswerData]) -> list[tuple]:
    """The answers checked against the event's questions: [(question, value, stored document name)];
    raises RegistrationError. The documents were checked and written by `prepare_documents`."""
    given = {a.question_id: a for a in answers}
    questions = list(event.questions.all())
    if given.keys() - {q.pk for q in questions}:
        raise RegistrationError(_("One of the answers is for a question this event does not ask."))
    cleaned = []
    language = get_language()
    for question in questions:
        label = question.text_in(language)  # the question as the person read it
        answer = given.get(question.pk) or AnswerData(question_id=question.pk)
        value = (answer.value or "").strip()
        if question.kind == Kind.PDF and answer.file and not answer.stored:
            raise ValueError("Documents are checked and stored by prepare_documents before the lock.")
        empty = not answer.stored if question.kind == Kind.PDF else not value
        if empty:
            if question.required:
                raise RegistrationError(_("Please answer “%(question)s”.") % {"question": label})
            continue
        if question.kind == Kind.TEXT:
            value = value[:2000]
        elif question.kind == Kind.CHOICE and value not in question.options():
            raise RegistrationError(_("“%(question)s”: choose one of the options.") % {"question": label})
        elif question.kind == Kind.YES_NO and value not in (YES, NO):
            raise RegistrationError(_("“%(question)s”: answer yes or no.") % {"question": label})
        elif question.kind == Kind.DATE:
            value = _parse_date(value, label).isoformat()
        elif question.kind == Kind.PDF:
            value = ""
        cleaned.append((question, value, answer.stored if question.kind == Kind.PDF else ""))
    return cleaned


def store_answers(registration, cleaned: list[tuple], *, replace: bool = True) -> None:
    """Replace the registration's answers with `cleaned` (from `clean_answers`); inside the caller's transaction.
    `replace=False`: the registration was just written and has none to replace."""
    for old in registration.answers.all() if replace else ():
        old.delete()  # one by one: an old document leaves the storage
    for question, value, stored in cleaned:
        answer = RegistrationAnswer(registration=registration, question=question, value=value)
        answer.file.name = stored
        answer.save()


def answer_text(answer) -> str:
    """An answer as a reviewer reads it, in the active language."""
    question = answer.question
    if question.kind == Kind.YES_NO:
        return _("yes") if answer.value == YES else _("no")
    if question.kind == Kind.PDF:
        return _("document attached") if answer.file else ""
    if question.kind == Kind.DATE and answer.value:
        from django.utils import formats

        try:
            return formats.date_format(date.fromisoformat(answer.value), "DATE_FORMAT")
        except ValueError:
            return answer.value
    return answer.value
