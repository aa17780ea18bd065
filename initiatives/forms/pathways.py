"""Forms of orientation pathways: applying, reporting, and the editor, decisions and grid of its managers.

The pathway editor is one page: the pathway's fields, its objectives and its
stages. `PathwayEditor` checks the shape of all three, then hands plain data
to `services.save_pathway`, which holds the rules and saves in one
transaction: an error anywhere leaves nothing half-saved.
"""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.dates import html_bounds, sane_date
from alliance.permissions import is_coordinator
from alliance.uploads import clean_pdf
from members.models import Ally

from .. import services
from ..models import Pathway, PathwayApplication, PathwayObjective, Project, Stage, StageProgress
from .allies import AllyNamesField

AppStatus = PathwayApplication.Status
MAX_ROWS = services.MAX_ROWS


# Applying and reporting -------------------------------------------------------------


class PathwayApplicationForm(forms.Form):
    ally = forms.ModelChoiceField(
        label=_("Who applies"),
        queryset=Ally.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the profiles you manage that may apply.")},
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why you want to take part, and what you bring to the pathway."),
    )
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The coordinators write here about the application."),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    show_publicly = forms.BooleanField(
        label=_("Show our participation on the pathway page"),
        required=False,
        initial=True,
        help_text=_("Once admitted, the name links to the public page of the profile."),
    )

    def __init__(self, *args, allies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ally"].queryset = allies


class StageReportForm(forms.Form):
    report = forms.CharField(label=_("Your report"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, stage: Stage, **kwargs):
        kwargs.setdefault("prefix", f"stage-{stage.pk}")
        super().__init__(*args, **kwargs)


# The editor (coordinators and the managers of the promoting allies) ----------------------


class DateTimeInput(forms.DateTimeInput):
    """A `datetime-local` input, in the portal's time (Europe/Rome), within the sane range.

    Named like Django's own so that its widget type stays "datetime" and the
    shared field template gives it the portal's input markup.
    """

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={**html_bounds("datetime-local"), **(attrs or {})}, format="%Y-%m-%dT%H:%M")


def _datetime_field(label, *, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=DateTimeInput(),
        validators=[sane_date],
        error_messages={"invalid": _("Enter a date and a time, e.g. 14/05/2026 09:30.")},
    )


def _date_widget():
    return forms.DateInput(attrs={"type": "date", **html_bounds()}, format="%Y-%m-%d")


def _position_field():
    return forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=1,
        max_value=MAX_ROWS * 2,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("Rows are shown in this order; empty: after the others."),
    )


def add_service_error(form, exc) -> None:
    """Show a refusal of a service beside the fields it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def organizer_choices(user, pathway: Pathway):
    """Member allies for coordinators; for a manager, the allies they manage and the current promoters."""
    members = Ally.objects.members()
    if not is_coordinator(user):
        members = members.filter(memberships__user=user)
    current = pathway.organizers.values("pk") if pathway.pk else Ally.objects.none().values("pk")
    return Ally.objects.filter(Q(pk__in=members.values("pk")) | Q(pk__in=current)).order_by("name")


def project_choices(user, pathway: Pathway):
    """Projects the editor may link (every one for coordinators), and the one linked now."""
    projects = Project.objects.all()
    if not is_coordinator(user):
        projects = projects.filter(Q(lead_ally__memberships__user=user) | Q(partners__ally__memberships__user=user))
    current = Q(pk=pathway.project_id) if pathway.project_id else Q(pk__in=[])
    return Project.objects.filter(Q(pk__in=projects.values("pk")) | current).order_by("title")


class PathwayForm(forms.ModelForm):
    applications_open_at = _datetime_field(_("Applications open"), help_text=_("Empty: as soon as it is open."))
    applications_close_at = _datetime_field(_("Applications close"), help_text=_("Empty: no deadline."))

    class Meta:
        model = Pathway
        fields = [
            "title",
            "purpose",
            "eligibility",
            "applications_open_at",
            "applications_close_at",
            "places",
            "status",
            "project",
            "brochure",
            "organizers",
            "themes",
            "regions",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 6}),
            "places": forms.NumberInput(attrs={"min": 1}),
            "brochure": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
            "organizers": forms.SelectMultiple(attrs={"size": 8}),
            "themes": forms.CheckboxSelectMultiple,
            "regions": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "brochure": _("A PDF file, at most 10 MB."),
            "organizers": _("Member allies that promote the pathway: their managers run it with the coordinators."),
            "status": _("A draft is seen by the coordinators and the promoters only."),
            "places": _("Empty: no limit. Never fewer than the organizations already admitted."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizers"].queryset = organizer_choices(user, self.instance)
        if is_coordinator(user):
            # Any member ally: typed by name, one per line (a list of 10,000 would be unusable).
            self.fields["organizers"] = AllyNamesField(
                label=_("Promoted by"),
                queryset=self.fields["organizers"].queryset,
                required=False,
                help_text=_(
                    "Member allies that promote the pathway, one name per line: their managers run it "
                    "with the coordinators."
                ),
            )
            if self.instance.pk:
                self.initial["organizers"] = [ally.name for ally in self.instance.organizers.order_by("name")]
        else:
            self.fields["organizers"].widget = forms.CheckboxSelectMultiple(choices=self.fields["organizers"].choices)
            self.fields["organizers"].help_text = _(
                "Your allies that promote the pathway. Promoters you do not manage stay as they are."
            )
        self.fields["project"].queryset = project_choices(user, self.instance)
        self.fields["project"].empty_label = _("None")
        self.fields["places"].widget.attrs["min"] = 1
        self.user = user

    def clean_brochure(self):
        brochure = self.cleaned_data.get("brochure")
        if isinstance(brochure, UploadedFile):  # a new upload, not the stored file
            return clean_pdf(brochure)
        return brochure

    def clean_places(self):
        places = self.cleaned_data.get("places")
        if places is not None and places < 1:
            raise forms.ValidationError(_("Leave it empty for no limit, or give at least one place."))
        return places

    def clean_organizers(self):
        chosen = list(self.cleaned_data.get("organizers") or [])
        if is_coordinator(self.user) or not self.instance.pk:
            return chosen
        # Promoters this person does not manage are not theirs to remove.
        choosable = set(self.fields["organizers"].queryset.values_list("pk", flat=True))
        mine = set(Ally.objects.filter(memberships__user=self.user).values_list("pk", flat=True))
        kept = [ally for ally in self.instance.organizers.all() if ally.pk not in mine and ally.pk in choosable]
        return list({ally.pk: ally for ally in chosen + kept}.values())

    def clean(self):
        data = super().clean()
        opens, closes = data.get("applications_open_at"), data.get("applications_close_at")
        if opens and closes and closes <= opens:
            self.add_error("applications_close_at", _("Applications must close after they open."))
        return data


class ObjectiveForm(forms.ModelForm):
    position = _position_field()

    class Meta:
        model = PathwayObjective
        fields = ["position", "text"]
        widgets = {"text": forms.TextInput()}


class StageForm(forms.ModelForm):
    position = _position_field()

    class Meta:
        model = Stage
        fields = ["position", "kind", "title", "description", "start_date", "end_date", "report_prompt"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "report_prompt": forms.Textarea(attrs={"rows": 2}),
            "start_date": _date_widget(),
            "end_date": _date_widget(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_date", "end_date"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]

    def has_changed(self):
        # An empty new row still posts the kind its select shows: that alone is no stage.
        if self.instance.pk is None:
            return bool(set(self.changed_data) - {"kind"})
        return super().has_changed()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The stage cannot end before it starts."))
        if end and not start:
            self.add_error("start_date", _("Give the start too: the current stage follows the dates."))
        return data


ObjectiveFormSet = forms.inlineformset_factory(
    Pathway,
    PathwayObjective,
    form=ObjectiveForm,
    extra=3,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
)
StageFormSet = forms.inlineformset_factory(
    Pathway,
    Stage,
    form=StageForm,
    extra=3,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
)

PATHWAY_FIELDS = [
    "title",
    "purpose",
    "eligibility",
    "status",
    "applications_open_at",
    "applications_close_at",
    "places",
    "project",
    "organizers",
    "themes",
    "regions",
]
STAGE_FIELDS = ["kind", "title", "description", "start_date", "end_date", "report_prompt"]


def formset_rows(formset, fields) -> list:
    """The rows of a validated formset as plain `services.Row`s; empty new rows are left out."""
    rows = []
    for form in formset.forms:
        pk = form.instance.pk
        if formset._should_delete_form(form):
            if pk:
                rows.append(services.Row(pk=pk, remove=True))
            continue
        if pk is None and not form.has_changed():
            continue
        data = form.cleaned_data
        position = data.get("position", data.get("ORDER"))
        rows.append(services.Row(pk=pk, values={name: data.get(name) for name in fields}, position=position))
    return rows


class PathwayEditor:
    """The pathway, its objectives and its stages: checked together, saved together by `services.save_pathway`."""

    def __init__(self, data=None, files=None, *, instance: Pathway, user):
        self.is_bound = data is not None
        self.instance = instance
        self.user = user
        self.form = PathwayForm(data, files, instance=instance, user=user)
        self.objectives = ObjectiveFormSet(data, instance=instance, prefix="objectives")
        self.stages = StageFormSet(data, instance=instance, prefix="stages")

    def is_valid(self) -> bool:
        if not self.is_bound:
            return False
        results = [self.form.is_valid(), self.objectives.is_valid(), self.stages.is_valid()]
        return all(results)

    def save(self):
        """The saved pathway, or None when a rule of the service refused (the error is on the form)."""
        data = self.form.cleaned_data
        brochure = data.get("brochure")
        try:
            return services.save_pathway(
                actor=self.user,
                pathway=self.instance if self.instance.pk else None,
                data=services.PathwayData(
                    **{name: data.get(name) for name in PATHWAY_FIELDS},
                    brochure=brochure if isinstance(brochure, UploadedFile) or brochure is False else None,
                ),
                objectives=formset_rows(self.objectives, ["text"]),
                stages=formset_rows(self.stages, STAGE_FIELDS),
            )
        except services.InitiativeError as exc:
            add_service_error(self.form, exc)
            return None


# Coordination: applications and progress -------------------------------------------------


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All"))] + list(AppStatus.choices)

    def filter(self, queryset):
        if self.is_valid() and self.cleaned_data["status"]:
            return queryset.filter(status=self.cleaned_data["status"])
        return queryset


DECISION_LABELS = {
    AppStatus.ADMITTED: _("Admit"),
    AppStatus.WAITLISTED: _("Put on the waiting list"),
    AppStatus.DECLINED: _("Decline"),
}


def decisions_for(application: PathwayApplication) -> list:
    return [(status.value, label) for status, label in DECISION_LABELS.items() if application.can_become(status)]


class PathwayDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to decline. The applicant receives it by e-mail."),
    )

    def __init__(self, *args, application: PathwayApplication, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = decisions_for(application)

    def clean(self):
        data = super().clean()
        if data.get("decision") == AppStatus.DECLINED and not data.get("reason", "").strip():
            self.add_error("reason", _("Please give the applicant a reason."))
        return data


class StageProgressForm(forms.Form):
    """One cell of the progress grid, posted on its own."""

    application = forms.IntegerField(min_value=1)
    stage = forms.IntegerField(min_value=1)
    state = forms.ChoiceField(label=_("State"), choices=StageProgress.State.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    note_date = forms.DateField(
        label=_("Date of the note"),
        required=False,
        initial=timezone.localdate,
        validators=[sane_date],
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=_date_widget(),
        error_messages={"invalid": _("Enter a date, e.g. 14/05/2026.")},
    )


class MessageForm(forms.Form):
    """A message to the contacts of the admitted organizations."""

    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
