import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.dates import sane_date
from alliance.uploads import RandomName

# How long an owner's invitation to manage an organization stays valid.
INVITATION_VALIDITY = datetime.timedelta(days=14)
# What every e-mail column holds (RFC 5321); forms and services refuse longer addresses with a message.
EMAIL_MAX_LENGTH = 254


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. The e-mail address is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails the portal sends you."),
    )
    news_opt_in = models.BooleanField(
        _("news from the network"),
        default=False,
        help_text=_("Occasional e-mails about new events, projects and pathways."),
    )
    news_opt_in_changed_at = models.DateTimeField(
        _("news choice made at"), null=True, blank=True, validators=[sane_date]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now, validators=[sane_date])
    last_login = models.DateTimeField(_("last login"), blank=True, null=True, validators=[sane_date])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Principles(models.Model):
    """A version of the alliance's principles, which every applicant accepts.

    A new text is a new row: what an ally accepted stays what it read.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now, validators=[sane_date])

    class Meta:
        ordering = ["-version"]
        verbose_name = _("principles")
        verbose_name_plural = _("principles")

    def __str__(self):
        return f"{self.title} (v{self.version})"


class MembershipStatus(models.TextChoices):
    APPLICANT = "applicant", _("Not a member yet")
    ACTIVE = "active", _("Member")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Membership ended")


def member_q(prefix: str = "") -> models.Q:
    """The one definition of "an ally that is a member now", for any query.

    `prefix` reaches the ally through a relation: ``member_q("ally__")`` on
    managers, registrations, applications.
    """
    return models.Q(**{f"{prefix}membership_status": MembershipStatus.ACTIVE})


def public_q(prefix: str = "") -> models.Q:
    """Allies shown in the directory: members, and members whose membership is suspended for now."""
    return models.Q(**{f"{prefix}membership_status__in": [MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED]})


class AllyQuerySet(models.QuerySet):
    def members(self):
        return self.filter(member_q())

    def public(self):
        return self.filter(public_q())


class Ally(models.Model):
    """A person or an organization of the network.

    It becomes public, and a member, once its membership is approved; a
    coordinator may then suspend it (no members-only access, still listed),
    reinstate it, or end it (out of the directory; its history stays).
    """

    MembershipStatus = MembershipStatus
    # For queries: Ally.objects.filter(Ally.MEMBER_Q | ...); see also Ally.objects.members().
    MEMBER_Q = member_q()

    # The only changes of membership status there are; services check every change against them.
    TRANSITIONS = {
        MembershipStatus.APPLICANT: {MembershipStatus.ACTIVE},
        MembershipStatus.ACTIVE: {MembershipStatus.SUSPENDED, MembershipStatus.ENDED},
        MembershipStatus.SUSPENDED: {MembershipStatus.ACTIVE, MembershipStatus.ENDED},
        # A former member may apply again; a new approval makes it a member again.
        MembershipStatus.ENDED: {MembershipStatus.ACTIVE},
    }

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organization")

    class LegalForm(models.TextChoices):
        SOCIAL_COOPERATIVE = "cooperativa_sociale", _("Social cooperative")
        APS = "aps", _("Association (APS)")
        ODV = "odv", _("Voluntary organization (ODV)")
        FOUNDATION = "fondazione", _("Foundation")
        SOCIAL_ENTERPRISE = "impresa_sociale", _("Social enterprise")
        PUBLIC_BODY = "ente_pubblico", _("Public body")
        UNIVERSITY = "universita", _("University")
        CONSORTIUM = "consorzio", _("Consortium or network")
        COMPANY = "impresa", _("Company")
        OTHER = "altro", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address of the page"), max_length=220, unique=True)
    summary = models.CharField(_("in one sentence"), max_length=280, blank=True)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("logo or photo"), upload_to=RandomName("allies"), blank=True)
    themes = models.ManyToManyField("alliance.Theme", blank=True, related_name="allies", verbose_name=_("themes"))
    regions = models.ManyToManyField(
        "alliance.Region", blank=True, related_name="allies", verbose_name=_("regions served")
    )
    provinces = models.ManyToManyField(
        "alliance.Province", blank=True, related_name="allies", verbose_name=_("provinces served")
    )

    # Organizations
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices, blank=True)
    tax_code = models.CharField(_("tax code or VAT number"), max_length=16, blank=True)
    website = models.URLField(_("website"), blank=True)
    social_links = models.JSONField(_("social links"), default=list, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("town or city"), max_length=100, blank=True)
    province = models.ForeignKey(
        "alliance.Province",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province of the seat"),
    )
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    is_supporter = models.BooleanField(
        _("supporter or donor"), default=False, help_text=_("Supports the alliance with funds or resources.")
    )

    # Persons
    role = models.CharField(_("role"), max_length=150, blank=True, help_text=_("What you do, and where."))

    # Contacts, private unless the ally chooses otherwise
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_email_public = models.BooleanField(_("show the e-mail publicly"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    phone_public = models.BooleanField(_("show the phone publicly"), default=False)

    membership_status = models.CharField(
        _("membership"),
        max_length=12,
        choices=MembershipStatus.choices,
        default=MembershipStatus.APPLICANT,
        db_index=True,
    )
    approved_at = models.DateTimeField(_("member since"), null=True, blank=True, db_index=True, validators=[sane_date])
    suspended_at = models.DateTimeField(_("suspended on"), null=True, blank=True, validators=[sane_date])
    suspended_until = models.DateField(
        _("suspended until"),
        null=True,
        blank=True,
        validators=[sane_date],
        help_text=_("When the coordination expects to review the suspension; told to the ally."),
    )
    suspension_reason = models.TextField(_("reason of the suspension"), blank=True)
    ended_at = models.DateTimeField(_("membership ended on"), null=True, blank=True, validators=[sane_date])
    end_reason = models.TextField(_("reason the membership ended"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, validators=[sane_date])
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, validators=[sane_date])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, validators=[sane_date])

    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="AllyManager", related_name="managed_allies", verbose_name=_("managers")
    )

    objects = AllyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("ally")
        verbose_name_plural = _("allies")
        indexes = [
            # The directory's default order over its allies (public_q): the first page reads 24 rows
            # of this index instead of sorting every public ally (10,000: about 100 ms to under 1 ms).
            models.Index(
                fields=["name", "id"],
                name="ally_public_name_idx",
                condition=public_q(),  # the one definition of the directory's allies
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("members:ally_detail", kwargs={"slug": self.slug})

    @property
    def is_member(self) -> bool:
        """A member now: what members-only activities require (see `member_q`)."""
        return self.membership_status == MembershipStatus.ACTIVE

    @property
    def is_public(self) -> bool:
        """Listed in the directory, with a public page (see `public_q`)."""
        return self.membership_status in (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED)

    @property
    def is_suspended(self) -> bool:
        return self.membership_status == MembershipStatus.SUSPENDED

    @property
    def has_ended(self) -> bool:
        return self.membership_status == MembershipStatus.ENDED

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_organization(self) -> bool:
        return self.kind == self.Kind.ORGANIZATION


class AllyManagerQuerySet(models.QuerySet):
    def of_members(self):
        """Managers of an ally that is a member now."""
        return self.filter(member_q("ally__"))


class AllyManager(models.Model):
    """A user account that manages an ally's profile."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")

    ally = models.ForeignKey(Ally, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("ally"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ally_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True, validators=[sane_date])

    objects = AllyManagerQuerySet.as_manager()

    class Meta:
        ordering = ["role", "created_at"]
        verbose_name = _("ally manager")
        verbose_name_plural = _("ally managers")
        constraints = [models.UniqueConstraint(fields=["ally", "user"], name="unique_ally_manager")]

    def __str__(self):
        return f"{self.user} – {self.ally} ({self.get_role_display()})"


class Invitation(models.Model):
    """An owner's invitation to manage an organization, accepted after signing in."""

    ally = models.ForeignKey(Ally, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("ally"))
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=AllyManager.Role.choices, default=AllyManager.Role.EDITOR)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, validators=[sane_date])
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, validators=[sane_date])
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.ally}"

    @property
    def expires_at(self):
        return self.created_at + INVITATION_VALIDITY

    @property
    def is_expired(self) -> bool:
        return self.accepted_at is None and timezone.now() >= self.expires_at


class MembershipApplication(models.Model):
    """An application to join the alliance, for a person or an organization."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The only transitions there are; services check every change against them.
    TRANSITIONS = {
        Status.SUBMITTED: {Status.APPROVED, Status.DECLINED, Status.WITHDRAWN},
    }

    ally = models.ForeignKey(Ally, on_delete=models.CASCADE, related_name="applications", verbose_name=_("ally"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="membership_applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    motivation = models.TextField(_("why you want to join"), blank=True)
    principles = models.ForeignKey(
        Principles, on_delete=models.PROTECT, related_name="+", verbose_name=_("principles accepted")
    )
    principles_accepted_at = models.DateTimeField(_("principles accepted at"), validators=[sane_date])
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, validators=[sane_date])
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, validators=[sane_date])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        constraints = [
            # One open application per ally at a time.
            models.UniqueConstraint(
                fields=["ally"], condition=models.Q(status="submitted"), name="one_open_application_per_ally"
            )
        ]

    def __str__(self):
        return f"{self.ally} ({self.get_status_display()})"
