"""Forms of projects: the editor (the project with its objectives, partners, links and attachments on one page),
the progress update and the coordinators' review.

`ProjectEditor` checks the shape of the project and of every row, then hands
plain data to `services.save_project`, which holds the rules and saves in one
transaction: an error anywhere leaves nothing half-saved.
"""

from django import forms
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.dates import html_bounds, sane_date
from alliance.permissions import is_coordinator
from alliance.uploads import clean_image, clean_pdf
from members.models import Ally

from .. import services
from ..models import (
    ExternalPartner,
    ProgressUpdate,
    Project,
    ProjectAttachment,
    ProjectLink,
    ProjectObjective,
    ProjectPartner,
)
from .allies import AllyNameField
from .pathways import add_service_error, formset_rows

MAX_ROWS = 50


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={**html_bounds(), **(attrs or {})}, format="%Y-%m-%d")


def _date_field(label, *, required=False, help_text="", initial=None):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        initial=initial,
        validators=[sane_date],
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date, e.g. 14/05/2026.")},
    )


def lead_ally_choices(user, current=None):
    """Approved allies `user` manages (every approved ally for coordinators), and the current lead ally."""
    allies = Ally.objects.members()
    if not is_coordinator(user):
        allies = allies.filter(memberships__user=user)
    if current is not None:
        allies = Ally.objects.filter(Q(pk__in=allies.values("pk")) | Q(pk=current.pk))
    return allies.order_by("name")


class ProvincesByRegion(forms.CheckboxSelectMultiple):
    """Province checkboxes grouped by region, each region folded in a `<details>`: no Ctrl-click, no JavaScript,
    usable on a phone; a region with chosen provinces starts open and says how many."""

    def render(self, name, value, attrs=None, renderer=None):
        from itertools import groupby

        from alliance.models import Province

        chosen = {str(v) for v in (value or [])}
        base_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        provinces = Province.objects.select_related("region").order_by("region__name", "name")
        groups = []
        for region, members in groupby(provinces, key=lambda province: province.region):
            members = list(members)
            count = sum(1 for province in members if str(province.pk) in chosen)
            boxes = format_html_join(
                "",
                '<li class="form-check"><input type="checkbox" class="form-check-input" name="{}" value="{}" '
                'id="{}_{}"{}><label class="form-check-label" for="{}_{}">{}</label></li>',
                (
                    (
                        name,
                        province.pk,
                        base_id,
                        province.pk,
                        mark_safe(" checked") if str(province.pk) in chosen else "",
                        base_id,
                        province.pk,
                        str(province),
                    )
                    for province in members
                ),
            )
            summary = region.display_name
            if count:
                summary = format_html(
                    '{} <span class="badge bg-primary">{}</span>',
                    summary,
                    ngettext("%(count)d chosen", "%(count)d chosen", count) % {"count": count},
                )
            groups.append(
                format_html(
                    '<details class="province-picker__region"{}><summary>{}</summary><ul class="list-unstyled">{}</ul>'
                    "</details>",
                    mark_safe(" open") if count else "",
                    summary,
                    boxes,
                )
            )
        return format_html('<div class="province-picker" id="{}">{}</div>', base_id, mark_safe("".join(groups)))

    def id_for_label(self, id_, index=None):
        return id_


class ProjectForm(forms.ModelForm):
    start_date = _date_field(_("Start"))
    end_date = _date_field(_("End"), help_text=_("Empty while the end is not known."))

    class Meta:
        model = Project
        fields = [
            "title",
            "summary",
            "description",
            "lead_ally",
            "regions",
            "provinces",
            "municipalities",
            "scope",
            "themes",
            "status",
            "start_date",
            "end_date",
            "results",
            "cover_image",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "results": forms.Textarea(attrs={"rows": 4}),
            "regions": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "provinces": ProvincesByRegion,
            "cover_image": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "summary": _("One or two sentences, shown in the lists of projects."),
            "lead_ally": _("The ally that leads the project; its managers keep the project current."),
            "provinces": _("Open a region to choose its provinces; choose as many as you need."),
            "results": _("What the project has achieved so far, or achieved in the end."),
            "cover_image": _("PNG, JPEG or WebP, at most 2 MB."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.lead_ally if self.instance.lead_ally_id else None
        allies = lead_ally_choices(user, current)
        self.fields["lead_ally"].queryset = allies
        if is_coordinator(user):
            # Any member ally may lead: typed by name (a list of 10,000 would be unusable).
            self.fields["lead_ally"] = AllyNameField(
                label=_("Lead ally"),
                queryset=allies,
                help_text=_(
                    "The member ally that leads the project, by its name; its managers keep the project current."
                ),
            )
            if current is not None:
                self.initial["lead_ally"] = current.name
        only_one = self.instance.pk is None and not is_coordinator(user) and len(allies[:2]) == 1
        self.fields["lead_ally"].empty_label = None if self.instance.pk or only_one else _("Choose the lead ally")

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_cover_image(self):
        image = self.cleaned_data.get("cover_image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return clean_image(image)
        return image

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot come before the start."))
        return data


# The rows on the same page ----------------------------------------------------------


class RowsFormSet(BaseInlineFormSet):
    """Rows of a project: a “Remove” box on each saved row, empty rows left empty are ignored."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Position")
            form.fields["ORDER"].widget.attrs.update({"min": 1, "class": "project-rows__position"})
            form.fields["ORDER"].help_text = _("1 comes first.")


class PartnerForm(forms.ModelForm):
    ally = AllyNameField(
        label=_("Partner ally"),
        queryset=Ally.objects.none(),
        required=False,
        help_text=_("Type its name as on its page; if several match, the names are listed."),
    )

    class Meta:
        model = ProjectPartner
        fields = ["ally", "role"]
        help_texts = {"role": _("e.g. Training, research, communication.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A partner whose membership ended stays choosable on its row, so that saving does not refuse the row.
        current = Q(pk=self.instance.ally_id) if self.instance.ally_id else Q(pk__in=[])
        self.fields["ally"].queryset = Ally.objects.filter(Ally.MEMBER_Q | current).order_by("name")
        if self.instance.ally_id:
            self.initial["ally"] = self.instance.ally.name

    def clean(self):
        data = super().clean()
        if self.has_changed() and not data.get("ally") and "ally" not in self.errors:
            self.add_error("ally", _("Type the name of the partner ally."))
        return data


class LinkForm(forms.ModelForm):
    url = forms.URLField(label=_("Address"), assume_scheme="https", max_length=200)

    class Meta:
        model = ProjectLink
        fields = ["title", "url"]


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = ProjectAttachment
        fields = ["title", "file"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})}
        help_texts = {"file": _("A PDF file, at most 10 MB: a brochure, a report.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Empty: the name of the file.")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or not hasattr(upload, "content_type"):  # the stored file
            return upload
        upload = clean_pdf(upload)
        if not upload.name.lower().endswith(".pdf"):
            upload.name = f"{upload.name.rsplit('.', 1)[0]}.pdf"
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and not (data.get("title") or "").strip():
            data["title"] = upload.name.rsplit("/", 1)[-1].rsplit(".", 1)[0][:200]
        return data


PROJECT_FIELDS = [
    "title",
    "summary",
    "description",
    "lead_ally",
    "regions",
    "provinces",
    "municipalities",
    "scope",
    "themes",
    "status",
    "start_date",
    "end_date",
    "results",
]
ROW_FIELDS = {
    "objectives": ["text"],
    "partners": ["ally", "role"],
    "external": ["name", "kind"],
    "links": ["title", "url"],
    "attachments": ["title", "file"],
}

ROW_OPTIONS = {"formset": RowsFormSet, "max_num": MAX_ROWS, "validate_max": True, "can_delete_extra": False}
ObjectiveFormSet = inlineformset_factory(
    Project, ProjectObjective, fields=["text"], extra=3, can_order=True, **ROW_OPTIONS
)
PartnerFormSet = inlineformset_factory(Project, ProjectPartner, form=PartnerForm, extra=2, **ROW_OPTIONS)
ExternalPartnerFormSet = inlineformset_factory(
    Project, ExternalPartner, fields=["name", "kind"], extra=2, **ROW_OPTIONS
)
LinkFormSet = inlineformset_factory(Project, ProjectLink, form=LinkForm, extra=2, **ROW_OPTIONS)
AttachmentFormSet = inlineformset_factory(Project, ProjectAttachment, form=AttachmentForm, extra=2, **ROW_OPTIONS)

# prefix: (formset, title of its part of the page, what one row is called)
ROWS = {
    "objectives": (ObjectiveFormSet, _("Objectives"), _("Objective")),
    "partners": (PartnerFormSet, _("Partner allies"), _("Partner")),
    "external": (ExternalPartnerFormSet, _("External partners and funders"), _("External partner or funder")),
    "links": (LinkFormSet, _("Links"), _("Link")),
    "attachments": (AttachmentFormSet, _("Attachments"), _("Attachment")),
}


class ProjectEditor:
    """The project form and its rows, validated together and saved in one transaction."""

    def __init__(self, data=None, files=None, *, instance: Project, user):
        self.project = instance
        self.user = user
        self.creating = instance.pk is None
        self.form = ProjectForm(data, files, instance=instance, user=user)
        self.formsets = {
            prefix: formset_class(data, files, instance=instance, prefix=prefix)
            for prefix, (formset_class, _title, _row) in ROWS.items()
        }

    def parts(self):
        """(prefix, formset, title, row name) of every part of rows, for the template."""
        return [(prefix, self.formsets[prefix], title, row) for prefix, (_cls, title, row) in ROWS.items()]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        valid = all([formset.is_valid() for formset in self.formsets.values()]) and valid
        return valid and self._check_partners()

    def _check_partners(self) -> bool:
        lead = self.form.cleaned_data.get("lead_ally")
        ok = True
        partners = self.formsets["partners"]
        for form in partners.forms:
            if form in partners.deleted_forms or (form.instance.pk is None and not form.has_changed()):
                continue
            if lead is not None and form.cleaned_data.get("ally") == lead:
                form.add_error("ally", _("This is the lead ally: name it only once, as the lead."))
                ok = False
        return ok

    def save(self):
        """The saved project, or None when a rule of the service refused (the error is on the form)."""
        data = self.form.cleaned_data
        image = data.get("cover_image")
        rows = {prefix: formset_rows(formset, ROW_FIELDS[prefix]) for prefix, formset in self.formsets.items()}
        try:
            return services.save_project(
                actor=self.user,
                project=None if self.creating else self.project,
                data=services.ProjectData(
                    **{name: data.get(name) for name in PROJECT_FIELDS},
                    cover_image=image if hasattr(image, "content_type") or image is False else None,
                ),
                objectives=rows["objectives"],
                partners=rows["partners"],
                external_partners=rows["external"],
                links=rows["links"],
                attachments=rows["attachments"],
            )
        except services.InitiativeError as exc:
            add_service_error(self.form, exc)
            return None


class ProgressUpdateForm(forms.ModelForm):
    date = _date_field(_("Date"), required=True, initial=timezone.localdate)
    percentage = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Optional: how far the project is, from 0 to 100."),
    )

    class Meta:
        model = ProgressUpdate
        fields = ["date", "text", "percentage"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}
        help_texts = {"text": _("A short note, at most 500 characters.")}


class ReviewForm(forms.Form):
    PUBLISH = "publish"
    SEND_BACK = "send_back"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(PUBLISH, _("Publish the project")), (SEND_BACK, _("Send it back to the proposers"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment for the proposers"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to send it back: the managers of the lead ally receive it by e-mail."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.SEND_BACK and not data.get("comment", "").strip():
            self.add_error("comment", _("Please tell the proposers what to change."))
        return data
