"""What a reviewer reads about one request, whatever the domain: an event registration, a pathway application.

Each domain builds its cards in a constant number of queries (events.review, initiatives.review) and the
page shows them with ``{% include "includes/review_card.html" with card=card %}``.
"""

from dataclasses import dataclass, field


@dataclass
class Answer:
    question: str
    text: str
    url: str = ""  # a document, when the answer is one


@dataclass
class ReviewCard:
    pk: int
    name: str
    status: str  # the status's value, for the badge's colour
    status_label: str
    facts: list = field(default_factory=list)  # [(label, text, link or "")]
    allies: list = field(default_factory=list)  # members.Ally rows: linked, member since, verified
    participation: list = field(default_factory=list)  # sentences about past registrations or applications
    answers: list = field(default_factory=list)  # [Answer]
    motivation: str = ""
    decidable: bool = False  # offered for a decision (a checkbox in the bulk form)
    selected: bool = False  # its checkbox ticked (the bulk form came back with an error)
    detail_url: str = ""

    @property
    def anchor(self) -> str:
        return f"review-{self.pk}"


def bulk_decision_form(data=None, *, decisions, decline: str):
    """The shape of a bulk decision: the chosen ids (or one id from a card's own button), a decision among
    `decisions` ([(value, label)]) and a reason, required for `decline` (it goes into the e-mail)."""
    from django import forms
    from django.utils.translation import gettext_lazy as _

    class Form(forms.Form):
        decision = forms.ChoiceField(label=_("Decision"), choices=decisions, required=False)
        reason = forms.CharField(
            label=_("Reason"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Required to decline: the applicants receive it by e-mail."),
        )

        def clean(self):
            cleaned = super().clean()
            ids = data.getlist("ids") if data is not None and hasattr(data, "getlist") else []
            one = (data or {}).get("approve_one", "")
            if one:
                ids, cleaned["decision"] = [one], decisions[0][0]
            try:
                cleaned["ids"] = sorted({int(pk) for pk in ids})
            except ValueError:
                cleaned["ids"] = []
            if not cleaned["ids"]:
                raise forms.ValidationError(_("Select at least one request."))
            if not cleaned.get("decision"):
                self.add_error("decision", _("Choose a decision."))
            elif cleaned["decision"] == decline and not (cleaned.get("reason") or "").strip():
                self.add_error("reason", _("Please give the applicants a reason."))
            return cleaned

    return Form(data)


def run_bulk_decision(request, form, decide, report_text) -> None:
    """Check the bulk form, run `decide(ids=..., decision=..., reason=...)` (a service) and tell the outcome
    in the page's messages: the form's or the service's error, or `report_text(report)`."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return
    data = form.cleaned_data
    try:
        report = decide(ids=data["ids"], decision=data["decision"], reason=data["reason"])
    except ValidationError as exc:  # the domains' errors for people (RegistrationError, InitiativeError)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, report_text(report))
