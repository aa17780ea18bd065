"""Forms of series and editions (issue 9): a new edition, a meeting cancelled, the meeting at the door."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .manage import _datetime_field


class NewEditionForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the new edition"),
        max_length=200,
        help_text=_("The address of its page is made from it."),
    )
    start = _datetime_field(
        _("It starts on"),
        help_text=_("Every session, the registration window and the reminders move by the same offset."),
    )

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the new edition a title."))
        return title


class CancelMeetingForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the attendees (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
