from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from alliance.dates import html_bounds, sane_date

from .models import EMAIL_MAX_LENGTH, Ally, AllyManager, MembershipStatus

EMAIL_TOO_LONG = _("An e-mail address has at most %(limit_value)d characters (it has %(show_value)d).")


class SignupForm(forms.Form):
    """Fields allauth's sign-up form adds to e-mail and password."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("The language of the e-mails the portal sends you."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].initial = translation.get_language()

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.preferred_language = self.cleaned_data["preferred_language"]
        user.save(update_fields=["full_name", "preferred_language"])


class AllyProfileForm(forms.ModelForm):
    """The public profile of an ally; which fields show depends on its kind."""

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    social_links = forms.CharField(
        label=_("Social media pages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address per line, e.g. https://www.facebook.com/…"),
    )

    PERSON_FIELDS = [
        "name",
        "role",
        "summary",
        "description",
        "image",
        "province",
        "regions",
        "themes",
        "contact_email",
        "contact_email_public",
        "phone",
        "phone_public",
    ]
    ORGANIZATION_FIELDS = [
        "name",
        "legal_form",
        "tax_code",
        "summary",
        "description",
        "image",
        "website",
        "social_links",
        "address",
        "city",
        "province",
        "regions",
        "provinces",
        "themes",
        "year_founded",
        "is_supporter",
        "contact_email",
        "contact_email_public",
        "phone",
        "phone_public",
    ]

    class Meta:
        model = Ally
        fields = [
            "name",
            "role",
            "legal_form",
            "tax_code",
            "summary",
            "description",
            "image",
            "website",
            "address",
            "city",
            "province",
            "regions",
            "provinces",
            "themes",
            "year_founded",
            "is_supporter",
            "contact_email",
            "contact_email_public",
            "phone",
            "phone_public",
        ]
        widgets = {
            "regions": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "provinces": forms.SelectMultiple(attrs={"size": 8}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "image": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "image": _("PNG, JPEG or WebP, at most 2 MB."),
            "tax_code": _("Codice fiscale or partita IVA. Never shown publicly."),
            "contact_email": _("Private unless you tick the box below."),
            "phone": _("Private unless you tick the box below."),
        }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = self.ORGANIZATION_FIELDS if kind == Ally.Kind.ORGANIZATION else self.PERSON_FIELDS
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if kind == Ally.Kind.ORGANIZATION:
            self.fields["name"].label = _("Name of the organization")
            self.fields["legal_form"].required = True
            self.fields["image"].label = _("Logo")
            self.initial.setdefault("social_links", "\n".join(self.instance.social_links or []))
        else:
            self.fields["name"].label = _("Your name as shown to the network")
            self.fields["image"].label = _("Photo")
            self.fields["province"].label = _("Your province")
            self.fields["regions"].label = _("Regions where you work")
        self.fields["province"].queryset = self.fields["province"].queryset.select_related("region")

    def clean_tax_code(self):
        value = self.cleaned_data.get("tax_code", "")
        if not value:
            return value
        from stdnum.it import codicefiscale, iva

        compact = codicefiscale.compact(value)
        if not (codicefiscale.is_valid(compact) or iva.is_valid(compact)):
            raise forms.ValidationError(
                _("This is not a valid Italian tax code (16 characters) or VAT number (11 digits).")
            )
        return compact

    def clean_social_links(self):
        from django.core.validators import URLValidator

        links = [line.strip() for line in self.cleaned_data.get("social_links", "").splitlines() if line.strip()]
        validate = URLValidator(schemes=["https", "http"])
        for link in links:
            try:
                validate(link)
            except forms.ValidationError as exc:
                raise forms.ValidationError(_("“%(link)s” is not a web address.") % {"link": link}) from exc
        if len(links) > 8:
            raise forms.ValidationError(_("At most eight addresses, please."))
        return links

    def clean_image(self):
        from alliance.uploads import clean_image

        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return clean_image(image)
        return image

    def clean_year_founded(self):
        from django.utils import timezone

        year = self.cleaned_data.get("year_founded")
        if year is not None and not 1800 <= year <= timezone.now().year:
            raise forms.ValidationError(_("Enter a year between 1800 and this year."))
        return year

    def profile_data(self) -> dict:
        """Every field of the form as plain values, for `services.apply_to_join`."""
        return {name: self._value(name) for name in self.fields}

    def changed_profile(self) -> dict:
        """Only the fields the person changed, for `services.update_ally`."""
        return {name: self._value(name) for name in self.changed_data}

    def _value(self, name):
        value = self.cleaned_data.get(name)
        if name in ("themes", "regions", "provinces"):
            return list(value or [])
        if name == "image" and value is False:
            return None  # "clear" ticked
        return value


class PrinciplesForm(forms.Form):
    """Accepting the current principles, with the version that was read."""

    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few lines for the coordinators: what you do and what you expect from the network."),
    )
    principles_version = forms.IntegerField(widget=forms.HiddenInput)
    accept_principles = forms.BooleanField(
        label=_("I have read the principles of the alliance and I accept them."),
        error_messages={"required": _("To join, please accept the principles of the alliance.")},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to decline: the applicant receives it by e-mail."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", _("Please give the applicant a reason."))
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person to invite"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={"max_length": EMAIL_TOO_LONG},
    )
    role = forms.ChoiceField(label=_("Role"), choices=AllyManager.Role.choices, initial=AllyManager.Role.EDITOR)


class EmailPreferencesForm(forms.Form):
    preferred_language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)
    news_opt_in = forms.BooleanField(
        label=_("Send me news from the network (new events, projects and pathways)"), required=False
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


# The coordinators' membership decisions ------------------------------------------------


class SuspendMembershipForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason of the suspension"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Its managers receive it by e-mail."),
        error_messages={"required": _("Please give the ally a reason for the suspension.")},
    )
    until = forms.DateField(
        label=_("Expected end of the suspension (optional)"),
        required=False,
        validators=[sane_date],
        widget=forms.DateInput(attrs={"type": "date", **html_bounds()}, format="%Y-%m-%d"),
        help_text=_("Told to the ally; the suspension lasts until a coordinator reinstates the membership."),
    )

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until is not None and until <= timezone.localdate():
            raise forms.ValidationError(_("The expected end of the suspension must be after today."))
        return until


class ReinstateMembershipForm(forms.Form):
    note = forms.CharField(
        label=_("Message to the ally (optional)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EndMembershipForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the membership ends"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Its managers receive it by e-mail."),
        error_messages={"required": _("Please give the ally a reason for ending the membership.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand: the ally leaves the directory and loses members-only access; its history stays."),
        error_messages={"required": _("Please confirm that the membership ends.")},
    )


class CoordinationAllyFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200, widget=forms.SearchInput)
    status = forms.ChoiceField(
        label=_("Membership"), required=False, choices=[("", _("Any"))] + list(MembershipStatus.choices)
    )
