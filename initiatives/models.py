from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.dates import sane_date
from alliance.uploads import RandomName


class Project(models.Model):
    """A territorial project of the network, proposed by an ally and published by the coordinators."""

    class Scope(models.TextChoices):
        LOCAL = "local", _("Local")
        REGIONAL = "regional", _("Regional")
        NATIONAL = "national", _("National")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        RUNNING = "running", _("Running")
        CONCLUDED = "concluded", _("Concluded")

    class Publication(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")

    # The only publication changes there are; services check every change against them.
    TRANSITIONS = {
        Publication.DRAFT: {Publication.SUBMITTED},
        Publication.SUBMITTED: {Publication.PUBLISHED, Publication.DRAFT},  # DRAFT = sent back with a comment
        Publication.PUBLISHED: {Publication.DRAFT},  # withdrawn from the public by a coordinator
    }

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address of the page"), max_length=220, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    regions = models.ManyToManyField("alliance.Region", blank=True, related_name="projects", verbose_name=_("regions"))
    provinces = models.ManyToManyField(
        "alliance.Province", blank=True, related_name="projects", verbose_name=_("provinces")
    )
    municipalities = models.CharField(
        _("municipalities"), max_length=300, blank=True, help_text=_("Comma-separated, e.g. Deiva Marina, Framura")
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.LOCAL)
    themes = models.ManyToManyField("alliance.Theme", blank=True, related_name="projects", verbose_name=_("themes"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    start_date = models.DateField(_("start"), null=True, blank=True, validators=[sane_date])
    end_date = models.DateField(_("end"), null=True, blank=True, validators=[sane_date])
    lead_ally = models.ForeignKey(
        "members.Ally", on_delete=models.PROTECT, related_name="led_projects", verbose_name=_("lead ally")
    )
    results = models.TextField(_("results"), blank=True)
    cover_image = models.ImageField(_("cover image"), upload_to=RandomName("projects/covers"), blank=True)
    publication = models.CharField(
        _("publication"), max_length=10, choices=Publication.choices, default=Publication.DRAFT
    )
    review_comment = models.TextField(_("comment of the coordinators"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, validators=[sane_date])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, validators=[sane_date])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, validators=[sane_date])

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:project_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.publication == self.Publication.PUBLISHED


class ProjectObjective(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(_("position"), default=1, validators=[MinValueValidator(1)])
    text = models.CharField(_("objective"), max_length=400)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class ProjectPartner(models.Model):
    """An ally taking part in a project, with its role."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    ally = models.ForeignKey("members.Ally", on_delete=models.CASCADE, related_name="project_partnerships")
    role = models.CharField(_("role"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["project", "ally"], name="one_partnership_per_ally")]

    def __str__(self):
        return f"{self.ally} – {self.project}"


class ExternalPartner(models.Model):
    """A partner or funder outside the network: a name, not an account."""

    class Kind(models.TextChoices):
        PARTNER = "partner", _("Partner")
        FUNDER = "funder", _("Funder")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="external_partners")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PARTNER)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.name


class ProjectAttachment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("PDF file"), upload_to=RandomName("projects/attachments"))

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.title


class ProjectLink(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"))

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.title


class ProgressUpdate(models.Model):
    """A dated short note on a project's timeline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"), default=timezone.localdate, validators=[sane_date])
    text = models.CharField(_("what happened"), max_length=500)
    percentage = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.date}: {self.text}"


class Pathway(models.Model):
    """An orientation pathway that organizations follow together, stage by stage."""

    class Eligibility(models.TextChoices):
        MEMBER_ORGANIZATIONS = "member_organizations", _("Member organizations of the alliance")
        ORGANIZATIONS = "organizations", _("Any organization")
        PERSONS = "persons", _("Persons")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for applications")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    # Every move is allowed (a pathway may reopen, or go back to draft before anyone applies), but each
    # one goes through `alliance.workflow.transition` so that it is on the record with who made it.
    TRANSITIONS = {
        Status.DRAFT: {Status.OPEN, Status.RUNNING, Status.CLOSED},
        Status.OPEN: {Status.DRAFT, Status.RUNNING, Status.CLOSED},
        Status.RUNNING: {Status.DRAFT, Status.OPEN, Status.CLOSED},
        Status.CLOSED: {Status.DRAFT, Status.OPEN, Status.RUNNING},
    }

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address of the page"), max_length=220, unique=True)
    purpose = models.TextField(_("purpose"))
    eligibility = models.CharField(
        _("who may apply"), max_length=24, choices=Eligibility.choices, default=Eligibility.MEMBER_ORGANIZATIONS
    )
    applications_open_at = models.DateTimeField(_("applications open"), null=True, blank=True, validators=[sane_date])
    applications_close_at = models.DateTimeField(_("applications close"), null=True, blank=True, validators=[sane_date])
    places = models.PositiveIntegerField(_("places"), null=True, blank=True, help_text=_("Empty: no limit."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pathways",
        verbose_name=_("related project"),
    )
    brochure = models.FileField(_("brochure (PDF)"), upload_to=RandomName("pathways/brochures"), blank=True)
    organizers = models.ManyToManyField(
        "members.Ally", blank=True, related_name="organized_pathways", verbose_name=_("promoted by")
    )
    themes = models.ManyToManyField("alliance.Theme", blank=True, related_name="pathways", verbose_name=_("themes"))
    regions = models.ManyToManyField("alliance.Region", blank=True, related_name="pathways", verbose_name=_("regions"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, validators=[sane_date])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:pathway_detail", kwargs={"slug": self.slug})

    def applications_state(self, now=None) -> str:
        """'open', or why one cannot apply: 'draft', 'not_yet', 'closed'."""
        now = now or timezone.now()
        if self.status == self.Status.DRAFT:
            return "draft"
        if self.status != self.Status.OPEN:
            return "closed"
        if self.applications_open_at and now < self.applications_open_at:
            return "not_yet"
        if self.applications_close_at and now >= self.applications_close_at:
            return "closed"
        return "open"

    def current_stage(self, today=None):
        """The stage whose dates include today; before the first, none; after the last, none.

        Reads the prefetched stages, so a page asks no extra query.
        """
        today = today or timezone.localdate()
        started = [
            stage
            for stage in self.stages.all()
            if stage.start_date and stage.start_date <= today and (stage.end_date is None or today <= stage.end_date)
        ]
        # A stage without an end lasts until a later one starts.
        return max(started, key=lambda stage: stage.start_date, default=None)


class PathwayObjective(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(_("position"), default=1, validators=[MinValueValidator(1)])
    text = models.CharField(_("objective"), max_length=400)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class Stage(models.Model):
    class Kind(models.TextChoices):
        LISTENING = "listening", _("Listening")
        FACILITATION_TABLE = "facilitation_table", _("Facilitation table")
        TECHNICAL_DESK = "technical_desk", _("Technical desk")
        TRAINING_DAY = "training_day", _("Training day")
        CONTEST = "contest", _("Contest")
        CROWDFUNDING = "crowdfunding", _("Crowdfunding")
        OTHER = "other", _("Other")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("position"), default=1, validators=[MinValueValidator(1)])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True, validators=[sane_date])
    end_date = models.DateField(_("end"), null=True, blank=True, validators=[sane_date])
    report_prompt = models.TextField(
        _("report asked to the organizations"),
        blank=True,
        help_text=_("If set, each admitted organization is asked for a short report on this stage."),
    )

    class Meta:
        ordering = ["position", "start_date", "pk"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self):
        return self.title


class PathwayApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ADMITTED = "admitted", _("Admitted")
        WAITLISTED = "waitlisted", _("On the waiting list")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.SUBMITTED: {Status.ADMITTED, Status.WAITLISTED, Status.DECLINED, Status.WITHDRAWN},
        Status.WAITLISTED: {Status.ADMITTED, Status.DECLINED, Status.WITHDRAWN},
        Status.ADMITTED: {Status.WITHDRAWN},
        Status.WITHDRAWN: {Status.SUBMITTED},  # applying again (services.apply_to_pathway)
    }

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="applications")
    ally = models.ForeignKey("members.Ally", on_delete=models.CASCADE, related_name="pathway_applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="pathway_applications"
    )
    motivation = models.TextField(_("motivation"))
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    show_publicly = models.BooleanField(_("show our participation on the pathway page"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, validators=[sane_date])
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, validators=[sane_date])

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["pathway", "ally"], name="one_application_per_pathway")]

    def __str__(self):
        return f"{self.ally} → {self.pathway} ({self.get_status_display()})"

    def can_become(self, status) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class StageProgress(models.Model):
    """How far an admitted organization is in one stage, and its report."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    application = models.ForeignKey(PathwayApplication, on_delete=models.CASCADE, related_name="progress")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="progress")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NOT_STARTED)
    note = models.TextField(_("note of the coordinators"), blank=True)
    note_date = models.DateField(_("date of the note"), null=True, blank=True, validators=[sane_date])
    report = models.TextField(_("report"), blank=True)
    report_submitted_at = models.DateTimeField(_("report submitted at"), null=True, blank=True, validators=[sane_date])
    updated_at = models.DateTimeField(auto_now=True, validators=[sane_date])

    class Meta:
        ordering = ["stage__position", "stage__pk"]
        constraints = [models.UniqueConstraint(fields=["application", "stage"], name="one_progress_per_stage")]

    def __str__(self):
        return f"{self.application.ally} – {self.stage}: {self.state}"
