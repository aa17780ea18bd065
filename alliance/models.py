from collections import defaultdict

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def translated_name(name: str, name_en: str) -> str:
    """A taxonomy term's name in the active language: English when the page is and it has one."""
    if get_language() == "en" and name_en:
        return name_en
    return name


def link_names(link, owner: str, ids, target: str, *, order, translated: bool = True) -> dict:
    """{owner id: names of what it links to} from the many-to-many table `link`, in one query (none for no
    id), in `order`: e.g. link_names(Ally.themes.through, "ally", ids, "theme", order=...). A taxonomy term
    (`translated`) is named in the active language; an ally by its name. For cards that show names only."""
    names = defaultdict(list)
    if not ids:
        return names
    fields = (f"{target}__name", f"{target}__name_en") if translated else (f"{target}__name",)
    rows = link.objects.filter(**{f"{owner}_id__in": ids}).order_by(*order).values_list(f"{owner}_id", *fields)
    for owner_id, name, *english in rows:
        names[owner_id].append(translated_name(name, english[0]) if translated else name)
    return names


class TranslatedNameMixin(models.Model):
    """A taxonomy term named in Italian, with an optional English name."""

    name = models.CharField(_("name (Italian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return translated_name(self.name, self.name_en)


class Theme(TranslatedNameMixin):
    """A field of work shared by allies, projects, pathways and events.

    Written by the coordinators in both languages: two columns per text (as the names already are)
    rather than django-modeltranslation, for two short texts of six rows; English falls back to Italian.
    """

    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(
        _("description (English)"), blank=True, help_text=_("Left empty, English pages show the Italian one.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    @property
    def display_description(self) -> str:
        """The description in the active language, the Italian one when there is no English one."""
        if get_language() == "en" and self.description_en:
            return self.description_en
        return self.description

    @property
    def description_language(self) -> str:
        """The language `display_description` is written in (for the `lang` attribute)."""
        return "en" if get_language() == "en" and self.description_en else "it"


class Region(TranslatedNameMixin):
    """One of the twenty Italian regions (ISTAT code)."""

    code = models.CharField(_("ISTAT code"), max_length=2, unique=True)
    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(models.Model):
    """A province, metropolitan city or equivalent unit (ISTAT code, car-plate abbreviation)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces", verbose_name=_("region"))
    code = models.CharField(_("ISTAT code"), max_length=3, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return f"{self.name} ({self.abbreviation})"


class OutgoingEmail(models.Model):
    """One e-mail the portal sends: stored first, delivered by a Celery task.

    The row is the single source of truth for whether the message left. A
    worker claims it (`sending`, a fresh `attempt_id`, committed) before it
    speaks to the SMTP server, notes `handed_over_at` just before the final
    end-of-data marker, and commits `sent` after the server's "250". See
    `alliance.services` for what this guarantees when a worker dies.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    template = models.CharField(_("template"), max_length=120, help_text=_("Which e-mail this is."))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    # Text attachments, e.g. an .ics calendar file: [{"filename", "content", "mimetype"}].
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # The same on every attempt: a receiver (or a person) recognises a repeat as the same message.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Not before this time (back-off after a temporary failure); empty: as soon as possible.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # When a task was last asked to deliver it: a pending row whose task never came is found by this.
    dispatched_at = models.DateTimeField(_("handed to the queue at"), null=True, blank=True)
    # Temporary failures are retried until then; afterwards the row fails and waits for "send again".
    give_up_at = models.DateTimeField(_("retried until"), null=True, blank=True)
    # The current attempt: who claimed it, when, and when the end of the data went to the server.
    attempt_id = models.UUIDField(_("attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class LogEntry(models.Model):
    """One change on the record, for any object of the portal (modelled on pretix's LogEntry).

    `action` is a dotted name such as ``events.registration.status.confirmed``
    or ``events.event.changed``; `data` holds what the change needs to be read
    later (``{"from": ..., "to": ..., "note": ...}`` for a status change).
    Written by `alliance.workflow`, never edited.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of object")
    )
    object_id = models.PositiveBigIntegerField(_("object"))
    action = models.CharField(_("action"), max_length=120)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="log_object_idx")]

    def __str__(self):
        return f"{self.action} #{self.object_id}"

    @property
    def description(self) -> str:
        from .workflow import describe

        return describe(self)


class TermsVectorField(models.TextField):
    """A tsvector column on PostgreSQL, plain text elsewhere (see SearchDocument.vector)."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)


class SearchDocument(models.Model):
    """One thing the site-wide search can find: an ally, a project, an event, a session, a speaker,
    a pathway or a place, written by the indexers the domains register in `alliance.search`.

    `terms` holds the words of the title and text normalized in Python (accents stripped,
    lower case, Italian stemming: see `alliance.search.normalize`) between single spaces, and
    queries are normalized the same way: the search gives the same answers on PostgreSQL and
    SQLite, and computes nothing per row at query time. On PostgreSQL trigram GIN indexes serve
    the matching (`terms`) and the typo-tolerant fallback on names (`title_norm`).
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of object")
    )
    object_id = models.PositiveBigIntegerField(_("object"))
    # The object whose change rebuilds this document ("events.event:12" for an event's sessions too).
    source = models.CharField(_("source"), max_length=80, db_index=True)
    kind = models.CharField(_("kind"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    # The page, reversed in the reader's language: a URL name, its arguments, then "#anchor" or "?query".
    url_name = models.CharField(_("page"), max_length=80)
    url_kwargs = models.JSONField(_("page arguments"), default=dict, blank=True)
    url_suffix = models.CharField(_("anchor or query"), max_length=300, blank=True)
    # " veneto lombardia ": region slugs between spaces, so that one region is a plain substring.
    regions = models.CharField(_("regions"), max_length=500, blank=True)
    title_terms = models.TextField(_("title terms"), blank=True)
    title_norm = models.CharField(_("normalized title"), max_length=300, blank=True)
    terms = models.TextField(_("terms"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    date = models.DateTimeField(_("date"), null=True, blank=True)
    # PostgreSQL: `terms` stored as a tsvector (its words are already lexemes), GIN-indexed, so a
    # query computes no vector; SQLite leaves it empty and matches `terms` with LIKE.
    vector = TermsVectorField(_("search vector"), blank=True, default="")
    # The same for `title_terms`: "every word in the title", the first key of the order, from
    # the index (migration 0011) rather than from a LIKE on every row found. The database's own default
    # lets a process started before that migration still write documents until it is restarted.
    title_vector = TermsVectorField(_("title search vector"), blank=True, default="", db_default="")

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            models.Index(fields=["is_public", "kind"], name="searchdoc_public_kind_idx"),
            # A page of the sitemap: the ids of one kind's slice, in order, from the index alone.
            models.Index(fields=["kind", "id"], condition=models.Q(is_public=True), name="searchdoc_sitemap_idx"),
            # The network page's presence by region counts the public documents by (kind, regions):
            # read from this small index instead of the whole table (40 pages of index instead of 5,000
            # of table at ten thousand allies).
            models.Index(
                fields=["kind", "regions"],
                name="searchdoc_presence_idx",
                condition=models.Q(is_public=True) & ~models.Q(regions=""),
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse(self.url_name, kwargs=self.url_kwargs) + self.url_suffix


class SearchWords(models.Model):
    """What a search reads of every document it finds (PostgreSQL only; SQLite leaves it empty).

    A common word is in most documents: counting them by kind, and the domains' lists asking
    "is this row found", read every match. Here a match is a narrow row whose vector comes right
    after a few fixed columns, instead of a wide one (text, terms, addresses) with the vector in
    its last columns: about a third of the pages, and each row read at once. Written by
    `alliance.search.reindex` with its document, removed with it.
    """

    document = models.OneToOneField(
        SearchDocument, on_delete=models.CASCADE, primary_key=True, related_name="words", verbose_name=_("document")
    )
    kind = models.CharField(_("kind"), max_length=20)
    is_public = models.BooleanField(_("public"), default=True)
    object_id = models.PositiveBigIntegerField(_("object"))
    vector = TermsVectorField(_("search vector"), blank=True, default="")
    title_vector = TermsVectorField(_("title search vector"), blank=True, default="")
    regions = models.CharField(_("regions"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("search words")
        verbose_name_plural = _("search words")
        indexes = [
            # The lists of the domains ask "is this ally (project, event) found?" row by row.
            models.Index(
                fields=["kind", "object_id"], condition=models.Q(is_public=True), name="searchwords_public_object_idx"
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.document_id}"
