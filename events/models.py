import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.dates import sane_date
from alliance.media import private_storage
from alliance.uploads import RandomName

DEFAULT_REMINDER_OFFSETS = [2880, 120]  # minutes before the start: two days and two hours
PER_MEETING_LOCKED = _("People have registered already: registration per meeting can no longer be switched on or off.")
PER_MEETING_NOT_SERIES = _(
    "Registration per meeting is only for a series of meetings: tick “series of meetings” too, or untick this."
)


def default_reminder_offsets():
    return list(DEFAULT_REMINDER_OFFSETS)


def new_token():
    return secrets.token_urlsafe(24)


class Event(models.Model):
    """A meeting of the network: a kick-off, a two-day gathering, a series of workshops."""

    class Kind(models.TextChoices):
        KICKOFF = "kickoff", _("Kick-off meeting")
        CONFERENCE = "conference", _("Conference")
        WORKSHOP_SERIES = "workshop_series", _("Workshop series")
        TRAINING = "training", _("Training")
        WEBINAR = "webinar", _("Webinar")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    # The only status changes there are (alliance.workflow.transition reads this table).
    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.CANCELLED},
        Status.CANCELLED: set(),
    }

    class Policy(models.TextChoices):
        OPEN = "open", _("Open to everyone")
        MEMBERS = "members", _("Members of the alliance only")
        APPLICATION = "application", _("On application")
        NONE = "none", _("No registration")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address of the page"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONFERENCE)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    organizers = models.ManyToManyField(
        "members.Ally", blank=True, related_name="organized_events", verbose_name=_("organizing allies")
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("town or city"), max_length=100, blank=True)
    province = models.ForeignKey(
        "alliance.Province",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    region = models.ForeignKey(
        "alliance.Region",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("region"),
    )
    online_url = models.URLField(_("online link"), blank=True)
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    interpretation = models.CharField(
        _("interpretation"), max_length=200, blank=True, help_text=_("e.g. Italian Sign Language (LIS)")
    )
    accessibility_notes = models.TextField(_("other accessibility information"), blank=True)
    start = models.DateTimeField(_("start"), validators=[sane_date])
    end = models.DateTimeField(_("end"), validators=[sane_date])
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty: no limit."))
    cover_image = models.ImageField(_("cover image"), upload_to=RandomName("events/covers"), blank=True)
    programme_pdf = models.FileField(_("programme (PDF)"), upload_to=RandomName("events/programmes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    themes = models.ManyToManyField("alliance.Theme", blank=True, related_name="events", verbose_name=_("themes"))
    language = models.CharField(_("language of the event"), max_length=8, choices=settings.LANGUAGES, default="it")

    # Admission (issue 9, registrations engineer): two settings, who may register and how. ----------
    class Admission(models.TextChoices):
        OPEN = "open", _("Everyone (guests confirm their e-mail address)")
        MEMBERS = "members", _("Members of the alliance")
        ALLIES = "allies", _("Members of given allies")
        REGIONS = "regions", _("Members from given regions")
        NONE = "none", _("No registration")

    admission = models.CharField(
        _("who may register"), max_length=12, choices=Admission.choices, default=Admission.OPEN
    )
    admission_review = models.BooleanField(
        _("requests reviewed by the organizers"),
        default=False,
        help_text=_("Otherwise a seat is given at once, while there are seats."),
    )
    admission_allies = models.ManyToManyField(
        "members.Ally", blank=True, related_name="+", verbose_name=_("allies whose members may register")
    )
    admission_regions = models.ManyToManyField(
        "alliance.Region", blank=True, related_name="+", verbose_name=_("regions whose members may register")
    )
    # End of the admission block.
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True, validators=[sane_date])
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, validators=[sane_date]
    )
    project = models.ForeignKey(
        "initiatives.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("related project"),
    )
    pathway_stage = models.ForeignKey(
        "initiatives.Stage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("pathway stage it carries out"),
    )
    reminder_offsets = models.JSONField(
        _("reminders (minutes before the start)"), default=default_reminder_offsets, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, validators=[sane_date])
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, validators=[sane_date])
    # The iCalendar SEQUENCE: bumped on every change of time, place or status, so that calendar
    # programs replace the entry they hold instead of keeping the old one.
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    # Series of meetings (issue 9): every session is a meeting on its own day; calendars, reminders,
    # check-in and attendance go meeting by meeting.
    is_series = models.BooleanField(
        _("series of meetings"),
        default=False,
        help_text=_("Each session is a meeting of its own: one calendar entry, reminders and check-in per meeting."),
    )
    # A series may let attendees choose the meetings they come to (issue 9); otherwise one registration
    # covers every meeting. The chosen meetings are SessionChoice rows, with the seats of each meeting.
    register_per_meeting = models.BooleanField(
        _("registration per meeting"),
        default=False,
        help_text=_("Only for a series of meetings: attendees choose the meetings they come to (at least one)."),
    )

    class Meta:
        ordering = ["start"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["status", "start"]),
            # The public events by start (the API, the open data): a page is read from this index
            # instead of sorting every public event. The condition is events.selectors.PUBLIC, which
            # cannot be imported here (a test holds them equal).
            models.Index(
                fields=["start", "id"],
                name="event_public_start_idx",
                condition=models.Q(status="published") | models.Q(status="cancelled", published_at__isnull=False),
            ),
            # The public list's tabs (events.filters.EventFilterSet): upcoming events (not over yet) by
            # start, past ones latest first. `end` in the key is compared in the index, so a page skips
            # the other tab's events without reading their rows.
            models.Index(
                fields=["start", "id", "end"],
                name="event_public_start_end_idx",
                condition=models.Q(status="published") | models.Q(status="cancelled", published_at__isnull=False),
            ),
            # The count of a tab: a range of this index, not a read of every event.
            models.Index(
                fields=["end"],
                name="event_public_end_idx",
                condition=models.Q(status="published") | models.Q(status="cancelled", published_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    # The former single setting, as a summary for templates and old callers: "application" is
    # everyone on review; members of allies or regions read as "members". Setting it sets `admission`
    # ("application": everyone, on review) and leaves `admission_review` as it is otherwise.
    @property
    def registration_policy(self) -> str:
        if self.admission == self.Admission.NONE:
            return self.Policy.NONE
        if self.admission == self.Admission.OPEN:
            return self.Policy.APPLICATION if self.admission_review else self.Policy.OPEN
        return self.Policy.MEMBERS

    @registration_policy.setter
    def registration_policy(self, value: str) -> None:
        if value == self.Policy.APPLICATION:
            self.admission, self.admission_review = self.Admission.OPEN, True
        else:
            self.admission = self.Admission(value)

    @property
    def members_only(self) -> bool:
        return self.admission in (self.Admission.MEMBERS, self.Admission.ALLIES, self.Admission.REGIONS)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def per_meeting(self) -> bool:
        """True when attendees of this series choose their meetings."""
        return self.is_series and self.register_per_meeting

    def per_meeting_locked(self) -> bool:
        """Registering per meeting cannot be switched on or off once people registered: their calendars,
        reminders and check-in follow their choice of meetings, or all of them."""
        if self.pk is None:
            return False
        before = Event.objects.filter(pk=self.pk).values("is_series", "register_per_meeting").first()
        if before is None or (before["is_series"] and before["register_per_meeting"]) == self.per_meeting:
            return False
        return self.registrations.filter(
            status__in=[
                Registration.Status.PENDING,
                Registration.Status.CONFIRMED,
                Registration.Status.WAITLISTED,
            ]
        ).exists()

    def clean(self):
        super().clean()
        if self.register_per_meeting and not self.is_series:
            raise ValidationError({"register_per_meeting": PER_MEETING_NOT_SERIES})
        if self.per_meeting_locked():
            raise ValidationError({"register_per_meeting": PER_MEETING_LOCKED})

    @property
    def has_session_capacity(self) -> bool:
        """True when attendees choose sessions that have their own seats (read from prefetched sessions)."""
        return any(session.capacity is not None for session in self.sessions.all())

    def registration_state(self, now=None) -> str:
        """'open', or why registration is closed: 'none', 'draft', 'cancelled', 'not_yet', 'closed', 'past'."""
        now = now or timezone.now()
        if self.admission == self.Admission.NONE:
            return "none"
        if self.status == self.Status.CANCELLED:
            return "cancelled"
        if self.status != self.Status.PUBLISHED:
            return "draft"
        if self.end <= now:
            return "past"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet"
        if (self.registration_closes_at and now >= self.registration_closes_at) or self.start <= now:
            return "closed"
        return "open"


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("event"))
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=200, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    ally = models.ForeignKey(
        "members.Ally",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ally"),
    )
    bio = models.TextField(_("short bio"), blank=True)
    to_be_confirmed = models.BooleanField(_("to be confirmed"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return self.name


class Session(models.Model):
    """A part of the programme: a plenary, a workshop, a break."""

    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        WORKSHOP = "workshop", _("Workshop")
        BREAK = "break", _("Break")
        OTHER = "other", _("Other")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event"))
    day = models.DateField(_("day"), validators=[sane_date])
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PLENARY)
    room = models.CharField(_("room"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Only for sessions chosen at registration.")
    )
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="sessions", verbose_name=_("speakers"))
    # Series of meetings (issue 9): a meeting cancelled on its own, the rest of the series going ahead.
    cancelled_at = models.DateTimeField(_("meeting cancelled at"), null=True, blank=True, validators=[sane_date])

    class Meta:
        ordering = ["day", "start_time", "room", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.day:%d/%m} {self.start_time:%H:%M} {self.title}"

    @property
    def slot(self) -> tuple:
        return (self.day, self.start_time, self.end_time)

    def overlaps(self, other: "Session") -> bool:
        return self.day == other.day and self.start_time < other.end_time and other.start_time < self.end_time


class Registration(models.Model):
    """A person's place at an event: one row per event and e-mail address."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    # The only status changes there are (alliance.workflow.transition reads this table). A declined or
    # cancelled registration comes back to pending when the same address registers again.
    TRANSITIONS = {
        Status.PENDING: {Status.CONFIRMED, Status.WAITLISTED, Status.DECLINED, Status.CANCELLED},
        Status.CONFIRMED: {Status.WAITLISTED, Status.CANCELLED},
        Status.WAITLISTED: {Status.CONFIRMED, Status.CANCELLED},
        Status.DECLINED: {Status.PENDING},
        Status.CANCELLED: {Status.PENDING},
    }

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=150, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    public_consent = models.BooleanField(_("shown in the public list of participants"), default=False)
    privacy_accepted_at = models.DateTimeField(_("privacy notice accepted at"), validators=[sane_date])
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="it")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True, validators=[sane_date])
    token = models.CharField(max_length=64, unique=True, default=new_token)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, validators=[sane_date])
    waitlisted_at = models.DateTimeField(_("waitlisted at"), null=True, blank=True, validators=[sane_date])
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, validators=[sane_date])
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True, validators=[sane_date])

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["event", "email"], name="one_registration_per_email")]
        indexes = [models.Index(fields=["event", "status", "waitlisted_at"])]

    def __str__(self):
        return f"{self.name} – {self.event} ({self.get_status_display()})"


class SessionChoice(models.Model):
    """A session an attendee chose, with its own seat when the session has a capacity."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        REQUESTED = "requested", _("Requested")  # the registration itself is not confirmed yet

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="session_choices", verbose_name=_("registration")
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="choices", verbose_name=_("session"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    waitlisted_at = models.DateTimeField(null=True, blank=True, validators=[sane_date])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session__day", "session__start_time"]
        constraints = [models.UniqueConstraint(fields=["registration", "session"], name="one_choice_per_session")]

    def __str__(self):
        return f"{self.registration.name} → {self.session.title} ({self.status})"


class Reminder(models.Model):
    """One reminder e-mail for one registration, sent by the periodic task when due."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="reminders")
    # Series of meetings (issue 9): the meeting reminded of; None for the event as a whole.
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    offset_minutes = models.PositiveIntegerField()
    due_at = models.DateTimeField(db_index=True, validators=[sane_date])
    sent_at = models.DateTimeField(null=True, blank=True, validators=[sane_date])

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session", "offset_minutes"],
                name="one_reminder_per_offset",
                nulls_distinct=False,
            )
        ]
        # Series of meetings (issue 9): the periodic scan reads only the rows not sent yet, by due time,
        # however many sent rows the past meetings left.
        indexes = [
            models.Index(fields=["due_at"], name="reminder_unsent_due", condition=models.Q(sent_at__isnull=True))
        ]

    def __str__(self):
        return f"{self.registration} −{self.offset_minutes}′"


# Series of meetings (issue 9, attendance) ------------------------------------------------------


class Attendance(models.Model):
    """Someone was there: one row per registration and meeting (session), written at check-in."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("registration")
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    checked_in_at = models.DateTimeField(_("checked in at"), validators=[sane_date])

    class Meta:
        ordering = ["session__day", "session__start_time"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["registration", "session"], name="one_attendance_per_meeting")]

    def __str__(self):
        return f"{self.registration.name} @ {self.session}"


# Registration questions (issue 9) ------------------------------------------------------------


class RegistrationQuestion(models.Model):
    """A question an event asks at registration, in Italian and English (English falls back to Italian)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("One choice among options")
        YES_NO = "yes_no", _("Yes or no")
        DATE = "date", _("Date")
        PDF = "pdf", _("PDF document")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions", verbose_name=_("event"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    label = models.CharField(_("question (Italian)"), max_length=300)
    label_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    help_text = models.CharField(_("help (Italian)"), max_length=500, blank=True)
    help_text_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    choices = models.TextField(_("options (Italian), one a line"), blank=True)
    choices_en = models.TextField(_("options (English), one a line"), blank=True)
    required = models.BooleanField(_("answer required"), default=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")

    def __str__(self):
        return self.label

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def text_in(self, language: str | None) -> str:
        """The question in `language`: English when written, else Italian."""
        return self.label_en if (language or "").startswith("en") and self.label_en else self.label

    def help_in(self, language: str | None) -> str:
        return self.help_text_en if (language or "").startswith("en") and self.help_text_en else self.help_text

    def options(self) -> list[str]:
        """The options as stored in answers (the Italian ones)."""
        return self._lines(self.choices)

    def options_in(self, language: str | None) -> list[tuple[str, str]]:
        """(stored value, label in `language`) for each option; English labels when there is one for each."""
        stored = self.options()
        english = self._lines(self.choices_en)
        if (language or "").startswith("en") and len(english) == len(stored):
            return list(zip(stored, english, strict=True))
        return [(value, value) for value in stored]


class RegistrationAnswer(models.Model):
    """A registration's answer to one question; PDFs are stored under a random name ending in .pdf, in the
    private storage (outside MEDIA_ROOT), and reach a browser only through `events.views.documents`."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="answers", verbose_name=_("registration")
    )
    question = models.ForeignKey(
        RegistrationQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    value = models.TextField(_("answer"), blank=True)
    file = models.FileField(_("document"), upload_to=RandomName("events/answers"), storage=private_storage, blank=True)

    class Meta:
        ordering = ["question__position", "question__pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["registration", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.question}: {self.value}"


def _delete_answer_file(sender, instance, **kwargs):
    """An answer's document leaves the storage with the answer, once the deletion is committed."""
    from django.db import transaction

    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))


models.signals.post_delete.connect(_delete_answer_file, sender=RegistrationAnswer, dispatch_uid="events.answer_file")
