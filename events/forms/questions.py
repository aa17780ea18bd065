"""Registration questions (issue 9): the organizers' formset, and the fields a registration form asks.

The forms check the shape of what is typed; the rules are in `events.services.questions`.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.dates import html_bounds, sane_date
from alliance.uploads import MAX_PDF_BYTES, clean_pdf

from ..models import RegistrationQuestion
from ..services.questions import MAX_QUESTIONS, NO, YES, AnswerData, QuestionData

Kind = RegistrationQuestion.Kind


# Asking the questions ------------------------------------------------------------------------


class PdfField(forms.FileField):
    """A PDF document, read whole and refused with a message when it is anything else (alliance.uploads)."""

    widget = forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return clean_pdf(upload) if upload else upload


def question_fields(questions, language) -> dict:
    """{"question_<pk>": field} for each question, labelled in `language` (English falls back to Italian)."""
    fields = {}
    for question in questions:
        common = {
            "label": question.text_in(language),
            "help_text": question.help_in(language),
            "required": question.required,
            "error_messages": {"required": _("Please answer this question.")},
        }
        if question.kind == Kind.CHOICE:
            field = forms.ChoiceField(choices=question.options_in(language), widget=forms.RadioSelect, **common)
        elif question.kind == Kind.YES_NO:
            field = forms.ChoiceField(choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common)
        elif question.kind == Kind.DATE:
            field = forms.DateField(
                validators=[sane_date],
                widget=forms.DateInput(attrs={"type": "date", **html_bounds("date")}, format="%Y-%m-%d"),
                **common,
            )
        elif question.kind == Kind.PDF:
            if not common["help_text"]:
                common["help_text"] = _("A PDF document, at most %(size)s MB.") % {"size": MAX_PDF_BYTES // 2**20}
            field = PdfField(**common)
        else:
            field = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
        fields[f"question_{question.pk}"] = field
    return fields


def answers_from(questions, cleaned_data) -> list[AnswerData]:
    """The answers of a valid form, as plain data for the `register` service."""
    answers = []
    for question in questions:
        value = cleaned_data.get(f"question_{question.pk}")
        if not value:
            continue
        if question.kind == Kind.PDF:
            answers.append(AnswerData(question_id=question.pk, file=value))
        elif question.kind == Kind.DATE:
            answers.append(AnswerData(question_id=question.pk, value=value.isoformat()))
        else:
            answers.append(AnswerData(question_id=question.pk, value=str(value)))
    return answers


# The organizers' questions -------------------------------------------------------------------


class QuestionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=Kind.choices, initial=Kind.TEXT)
    label = forms.CharField(label=_("Question in Italian"), max_length=300, required=False)
    label_en = forms.CharField(
        label=_("Question in English"),
        max_length=300,
        required=False,
        help_text=_("Shown to visitors who read the site in English; empty: the Italian one."),
    )
    help_text = forms.CharField(label=_("Help in Italian"), max_length=500, required=False)
    help_text_en = forms.CharField(label=_("Help in English"), max_length=500, required=False)
    choices = forms.CharField(
        label=_("Options in Italian, one a line"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for “one choice among options”."),
    )
    choices_en = forms.CharField(
        label=_("Options in English, one a line"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In the same order as the Italian ones, or empty."),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    def clean(self):
        data = super().clean()
        if self.has_changed() and not data.get("DELETE") and not (data.get("label") or "").strip():
            self.add_error("label", _("Write the question in Italian."))
        return data

    def to_data(self) -> QuestionData:
        data = self.cleaned_data
        return QuestionData(
            pk=data.get("id"),
            kind=data["kind"],
            label=data["label"],
            label_en=data["label_en"],
            help_text=data["help_text"],
            help_text_en=data["help_text_en"],
            choices=data["choices"],
            choices_en=data["choices_en"],
            required=data["required"],
        )


class BaseQuestionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("Position")
        form.fields["DELETE"].label = _("Remove this question")

    def questions(self) -> list[QuestionData]:
        """The questions kept, in the order chosen (the "position" numbers, then the order on the page)."""
        rows = [form for form in self.forms if form.has_changed() or form.cleaned_data.get("id")]
        rows = [form for form in rows if not form.cleaned_data.get("DELETE")]
        rows.sort(key=lambda form: (form.cleaned_data.get("ORDER") or 10**6, self.forms.index(form)))
        return [form.to_data() for form in rows]


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=BaseQuestionFormSet,
    extra=2,
    can_delete=True,
    can_order=True,
    max_num=MAX_QUESTIONS,
    validate_max=True,
)


def initial_rows(questions) -> list[dict]:
    return [
        {
            "id": q.pk,
            "kind": q.kind,
            "label": q.label,
            "label_en": q.label_en,
            "help_text": q.help_text,
            "help_text_en": q.help_text_en,
            "choices": q.choices,
            "choices_en": q.choices_en,
            "required": q.required,
            "ORDER": position,
        }
        for position, q in enumerate(questions, start=1)
    ]
