"""Questionnaires, waves, invitations, responses and answers; volunteers for the panel.

Answers are stored one row per item (respondent, wave, item, value) so that analyses read a
long table and panel waves pair by pseudonym. Contact details of volunteers live in their
own table, apart from answers, and can be erased without touching the statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from deliberation.core.models import Deliberation
from panels.models import PollTarget
from panels.strata import STRATA
from surveys import consent


def bilingual(ko: str, en: str) -> str:
    """The text in the active language, falling back to the other one."""
    language = (get_language() or "ko")[:2]
    first, second = (en, ko) if language == "en" else (ko, en)
    return first or second


# Why a response cannot start without the separate consent to sensitive data (Art. 23).
SENSITIVE_CONSENT_REQUIRED = _(
    "This survey asks for political opinions: you can take part only if you also give the "
    "separate consent to them."
)


class Questionnaire(models.Model):
    """A versioned set of questions; a questionnaire with responses is never edited in place."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="questionnaires",
        verbose_name=_("deliberation"),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_ko = models.TextField(_("introduction (Korean)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    asks_political_opinions = models.BooleanField(
        _("asks for political opinions"),
        default=True,
        help_text=_(
            "Answers about policy preferences can reveal political views, which Article 23 "
            "of the Personal Information Protection Act treats as sensitive data needing a "
            "separate consent. When ticked, the consent page asks for that consent apart. "
            "On by default, since a deliberation's questions are about public policy; "
            "untick it only for a questionnaire without any opinion on policy or politics."
        ),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    revision = models.PositiveIntegerField(
        _("revision"), default=0, editable=False, help_text=_("Counts edits of the questions.")
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["deliberation", "title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "title", "version"], name="questionnaire_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def display_title(self) -> str:
        return bilingual(self.title, self.title_en)

    @property
    def display_intro(self) -> str:
        return bilingual(self.intro_ko, self.intro_en)

    def has_responses(self) -> bool:
        return Response.objects.filter(wave__questionnaire=self).exists()


class Question(models.Model):
    """One question; its answers are stored under one or more item codes (see item_codes)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        LIKERT = "likert", _("Likert scale")
        SCALE_0_10 = "scale10", _("0–10 scale")
        NUMERIC = "numeric", _("Number")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        KNOWLEDGE = "knowledge", _("Knowledge question")
        GRID = "grid", _("Grid (several items on one scale)")

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("questionnaire"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    code = models.SlugField(
        _("variable name"),
        max_length=30,
        help_text=_("Short name used in exports and to pair waves, e.g. Q5."),
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    text_ko = models.TextField(_("question (Korean)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    help_ko = models.CharField(_("hint (Korean)"), max_length=300, blank=True)
    help_en = models.CharField(_("hint (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    max_choices = models.PositiveSmallIntegerField(
        _("maximum choices"), null=True, blank=True, help_text=_("Multiple choice only.")
    )
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    low_label_ko = models.CharField(_("low end label (Korean)"), max_length=100, blank=True)
    low_label_en = models.CharField(_("low end label (English)"), max_length=100, blank=True)
    high_label_ko = models.CharField(_("high end label (Korean)"), max_length=100, blank=True)
    high_label_en = models.CharField(_("high end label (English)"), max_length=100, blank=True)
    show_if_question = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependants",
        verbose_name=_("show only if question"),
    )
    show_if_values = models.JSONField(
        _("has one of the answers"),
        default=list,
        blank=True,
        help_text=_("Option codes of the earlier question that make this one appear."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text_ko[:60]}"

    @property
    def text(self) -> str:
        return bilingual(self.text_ko, self.text_en)

    @property
    def help(self) -> str:
        return bilingual(self.help_ko, self.help_en)

    @property
    def low_label(self) -> str:
        return bilingual(self.low_label_ko, self.low_label_en)

    @property
    def high_label(self) -> str:
        return bilingual(self.high_label_ko, self.high_label_en)

    @property
    def uses_options(self) -> bool:
        return self.kind in {
            self.Kind.SINGLE,
            self.Kind.MULTIPLE,
            self.Kind.LIKERT,
            self.Kind.KNOWLEDGE,
            self.Kind.GRID,
        }


class Option(models.Model):
    """An answer option (or a scale point of a Likert question or grid), coded by value."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    value = models.IntegerField(_("code"))
    label_ko = models.CharField(_("label (Korean)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    is_correct = models.BooleanField(_("correct answer"), default=False)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "order", "value"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="option_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.label_ko}"

    @property
    def label(self) -> str:
        return bilingual(self.label_ko, self.label_en)


class GridItem(models.Model):
    """One row of a grid question, answered on the grid's shared scale."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="grid_items", verbose_name=_("question")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    code = models.SlugField(_("item code"), max_length=20)
    text_ko = models.CharField(_("item (Korean)"), max_length=300)
    text_en = models.CharField(_("item (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("grid item")
        verbose_name_plural = _("grid items")
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="grid_item_code_unique")
        ]

    def __str__(self) -> str:
        return self.text_ko

    @property
    def text(self) -> str:
        return bilingual(self.text_ko, self.text_en)


class Wave(models.Model):
    """One administration of a questionnaire: the poll, or a panel survey before/after."""

    class Kind(models.TextChoices):
        POLL = "poll", _("Opinion poll")
        PRE = "pre", _("Panel survey before deliberation")
        MID = "mid", _("Panel survey between forums")
        POST = "post", _("Panel survey after deliberation")

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="waves", verbose_name=_("deliberation")
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="waves",
        verbose_name=_("questionnaire"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label = models.SlugField(_("label"), max_length=40, help_text=_("Short code, e.g. W1."))
    title = models.CharField(_("title"), max_length=200)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    is_open = models.BooleanField(_("fieldwork open"), default=False)
    open_link_token = models.CharField(
        _("open link token"),
        max_length=64,
        blank=True,
        help_text=_("Set to offer an open link with quota control; empty means invitations only."),
    )
    # The consent page (surveys.consent): each text in Korean and English; the page shows
    # the respondent's language, else the other one, else the standard text.
    purpose = models.TextField(
        _("purpose of the survey (Korean)"),
        blank=True,
        help_text=_("Shown on the consent page: why the answers are collected."),
    )
    purpose_en = models.TextField(_("purpose of the survey (English)"), blank=True)
    collected_items = models.TextField(
        _("data collected (Korean)"),
        blank=True,
        help_text=_("Shown on the consent page: which personal data the survey collects."),
    )
    collected_items_en = models.TextField(_("data collected (English)"), blank=True)
    retention = models.CharField(
        _("retention (Korean)"),
        max_length=300,
        blank=True,
        help_text=_("Shown on the consent page: how long answers are kept."),
    )
    retention_en = models.CharField(_("retention (English)"), max_length=300, blank=True)
    refusal = models.TextField(
        _("right to refuse (Korean)"),
        blank=True,
        help_text=_(
            "Shown on the consent page: that the respondent may refuse, and what refusing "
            "means for them."
        ),
    )
    refusal_en = models.TextField(_("right to refuse (English)"), blank=True)
    contact = models.CharField(
        _("contact (Korean)"),
        max_length=300,
        blank=True,
        help_text=_("Shown on the consent page: whom to ask about the survey."),
    )
    contact_en = models.CharField(_("contact (English)"), max_length=300, blank=True)
    reference_year = models.PositiveSmallIntegerField(
        _("reference year"),
        null=True,
        blank=True,
        help_text=_("Year used to derive ages from birth years; the current year when empty."),
    )
    open_link_per_address = models.PositiveIntegerField(
        _("open-link responses per address and hour"),
        null=True,
        blank=True,
        help_text=_("Empty: the site's default. Counts new responses from one network address."),
    )
    open_link_per_browser = models.PositiveIntegerField(
        _("completed open-link responses per browser"),
        null=True,
        blank=True,
        help_text=_("Empty: the site's default."),
    )
    min_duration_seconds = models.PositiveIntegerField(
        _("minimum interview time (seconds)"),
        null=True,
        blank=True,
        help_text=_(
            "Faster completes are flagged as speeders. Empty: a third of the median "
            "interview time of the wave's completes."
        ),
    )
    import_mapping = models.JSONField(
        _("last import mapping"),
        default=dict,
        blank=True,
        help_text=_("The column mapping of the last file imported into this wave."),
    )

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["deliberation", "opens_at", "label"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "label"], name="wave_label_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_panel_wave(self) -> bool:
        return self.kind != self.Kind.POLL

    def consent_sections(self) -> list[tuple[str, str]]:
        """The consent page's (heading, text) pairs in the active language."""
        headings = {
            "purpose": _("Purpose"),
            "collected_items": _("Data collected"),
            "retention": _("Retention"),
            "refusal": _("Your right to refuse"),
            "contact": _("Contact"),
        }
        language = (get_language() or "ko")[:2]
        return [
            (
                str(headings[name]),
                consent.choose(
                    getattr(self, name),
                    getattr(self, f"{name}_en"),
                    language,
                    consent.DEFAULTS[name],
                ),
            )
            for name in consent.CONSENT_FIELDS
        ]


class FieldworkQuota(models.Model):
    """A fieldwork target: completes wanted in one cell; blank fields match every respondent.

    (The panel's quotas, on volunteers, are panels.models.PanelQuota.)
    """

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("wave")
    )
    region = models.CharField(_("region"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    age_band = models.CharField(_("age band"), max_length=20, blank=True)
    target = models.PositiveIntegerField(_("target completes"))

    class Meta:
        verbose_name = _("fieldwork quota")
        verbose_name_plural = _("fieldwork quotas")
        ordering = ["wave", "region", "gender", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "region", "gender", "age_band"], name="quota_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return " · ".join(v for v in (self.region, self.gender, self.age_band) if v) or "*"

    def matches(self, region: str, gender: str, age_band: str) -> bool:
        return (
            (not self.region or self.region == region)
            and (not self.gender or self.gender == gender)
            and (not self.age_band or self.age_band == age_band)
        )

    def completes_filter(self) -> models.Q:
        """Which complete responses count towards this cell (within a wave's responses)."""
        q = models.Q()
        for field in STRATA:
            if getattr(self, field):
                q &= models.Q(**{field: getattr(self, field)})
        return q


class Invitation(models.Model):
    """A one-time link to a wave; only the SHA-256 of its token is stored."""

    class Source(models.TextChoices):
        INVITED = "invited", _("Invitation")
        OPEN = "open", _("Open link")

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("wave")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.INVITED
    )
    panelist = models.ForeignKey(
        "panels.Panelist",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("panelist"),
    )
    # An open link's visitor: the salted hash of their address (surveys.quality).
    address_hash = models.CharField(_("address hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "panelist"],
                condition=models.Q(panelist__isnull=False),
                name="invitation_panelist_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["wave", "address_hash", "created_at"], name="invitation_wave_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.token_hash[:8]}"


class ResponseQuerySet(models.QuerySet):
    def counted(self) -> ResponseQuerySet:
        """The responses that count: complete and not excluded by the organizer.

        Weighting, results, the report's figures, quotas and exports' totals read this
        one selector (COUNTED_ANSWERS for answers), so an exclusion reaches them all.
        """
        return self.filter(status=Response.Status.COMPLETE, excluded_at__isnull=True)


class Response(models.Model):
    """One respondent's response to a wave, keyed by a pseudonymous respondent id.

    For a poll the id is drawn at random (or taken from the polling firm's file); for a
    panel wave it is the panelist's pseudonym, so answers pair across waves.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETE = "complete", _("Complete")
        QUOTA_FULL = "quota_full", _("Quota full")
        SCREENED_OUT = "screened_out", _("Screened out")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        IMPORTED = "imported", _("Imported")

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="responses", verbose_name=_("wave")
    )
    respondent_id = models.CharField(_("respondent id"), max_length=40)
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    panelist = models.ForeignKey(
        "panels.Panelist",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("panelist"),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.ONLINE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    region = models.CharField(_("region"), max_length=60, blank=True)
    district = models.CharField(_("district"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    age_band = models.CharField(_("age band"), max_length=20, blank=True)
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    sensitive_consented_at = models.DateTimeField(
        _("consented to sensitive data at"),
        null=True,
        blank=True,
        help_text=_("When the respondent gave the separate consent to political opinions."),
    )
    resume_links_sent = models.PositiveSmallIntegerField(
        _("resume links e-mailed"),
        default=0,
        help_text=_("How often the resume link was e-mailed; the addresses are not kept."),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("interview time (s)"), null=True, blank=True)
    draft = models.JSONField(_("saved answers"), default=dict, blank=True)
    weight = models.FloatField(_("weight"), null=True, blank=True)
    # Data quality (surveys.quality): a salted hash of the network address, never the
    # address; the flags raised; the organizer's exclusion from weighting and results.
    address_hash = models.CharField(_("address hash"), max_length=64, blank=True)
    quality_flags = models.JSONField(_("quality flags"), default=list, blank=True)
    excluded_at = models.DateTimeField(_("excluded at"), null=True, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("excluded by"),
    )
    exclusion_reason = models.CharField(_("reason for exclusion"), max_length=300, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["wave", "respondent_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "respondent_id"], name="response_respondent_once"
            ),
            models.UniqueConstraint(
                fields=["wave", "panelist"],
                condition=models.Q(panelist__isnull=False),
                name="response_panelist_once",
            ),
        ]
        indexes = [
            models.Index(fields=["wave", "status"], name="response_wave_status"),
            models.Index(fields=["wave", "address_hash"], name="response_wave_address"),
        ]

    def __str__(self) -> str:
        return self.respondent_id


# Answers of counted responses (Response.objects.counted()), for queries on Answer.
COUNTED_ANSWERS = models.Q(
    response__status=Response.Status.COMPLETE, response__excluded_at__isnull=True
)


class Answer(models.Model):
    """One value of one item for one response: a row of the long table."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    item = models.CharField(_("item"), max_length=60)
    value_number = models.FloatField(_("numeric value"), null=True, blank=True)
    value_text = models.TextField(_("text value"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_item_once")
        ]

    def __str__(self) -> str:
        value = self.value_number if self.value_number is not None else self.value_text
        return f"{self.item}={value}"


class WeightingRun(models.Model):
    """The record of one weighting of a wave: what it was weighted to and how it went."""

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="weighting_runs", verbose_name=_("wave")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    margins = models.JSONField(_("margins"))
    cap = models.FloatField(_("weight cap"), null=True, blank=True)
    respondents = models.PositiveIntegerField(_("respondents"))
    iterations = models.PositiveIntegerField(_("iterations"))
    converged = models.BooleanField(_("converged"))
    max_margin_error = models.FloatField(_("largest margin error"))
    design_effect = models.FloatField(_("design effect"))
    effective_n = models.FloatField(_("effective sample size"))

    class Meta:
        verbose_name = _("weighting run")
        verbose_name_plural = _("weighting runs")
        ordering = ["wave", "-created_at"]

    def __str__(self) -> str:
        return f"{self.wave} {self.created_at:%Y-%m-%d %H:%M}"


class PollImport(models.Model):
    """A polling firm's file on its way in: uploaded, mapped, validated, then imported."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATED = "validated", _("Validated")
        IMPORTED = "imported", _("Imported")

    class Job(models.TextChoices):
        """What the background worker is asked to do with the file."""

        CHECK = "check", _("Checking the file")
        IMPORT = "import", _("Importing the file")

    class JobStatus(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Progress(models.TextChoices):
        """The step a job is at: a key on the row, its words in the reader's language."""

        READING = "reading", _("Reading the file")
        VALIDATING = "validating", _("Checking every row")
        WRITING = "writing", _("Writing the respondents")

    class Error(models.TextChoices):
        INVALID_ROWS = (
            "invalid_rows",
            _(
                "Nothing was imported: some rows are invalid. Correct the file, or tick the box "
                "to skip the listed rows."
            ),
        )
        UNREADABLE = "unreadable", _("The file could not be read again; upload it anew.")
        FAILED = "failed", _("The job failed; nothing was imported. Try again.")

    ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="imports", verbose_name=_("wave")
    )
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("file"))
    columns = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    report = models.JSONField(_("validation report"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    job = models.CharField(_("job"), max_length=16, choices=Job.choices, blank=True)
    job_status = models.CharField(
        _("job status"), max_length=16, choices=JobStatus.choices, blank=True
    )
    progress = models.CharField(_("progress"), max_length=32, choices=Progress.choices, blank=True)
    error = models.CharField(_("error"), max_length=32, choices=Error.choices, blank=True)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    # The report's reasons are written in the language of the organizer who queued the job.
    language = models.CharField(_("language"), max_length=10, default="ko")
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("poll import")
        verbose_name_plural = _("poll imports")
        ordering = ["wave", "-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def job_active(self) -> bool:
        return self.job_status in self.ACTIVE


class VolunteerOptIn(models.Model):
    """A poll respondent who agreed to be considered for the citizen panel.

    The panels app reads these (region, gender, age band) to build its volunteer pool;
    the contact details needed to invite them sit in ContactDetails, apart from answers.
    """

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="volunteer_opt_ins",
        verbose_name=_("deliberation"),
    )
    response = models.OneToOneField(
        Response,
        on_delete=models.CASCADE,
        related_name="volunteer_opt_in",
        verbose_name=_("response"),
    )
    region = models.CharField(_("region"), max_length=60)
    district = models.CharField(_("district"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=20)
    age_band = models.CharField(_("age band"), max_length=20)
    consented_at = models.DateTimeField(_("consented at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer opt-in")
        verbose_name_plural = _("volunteer opt-ins")
        ordering = ["deliberation", "consented_at"]
        permissions = [("view_volunteer_contacts", "Can see volunteers' contact details")]

    def __str__(self) -> str:
        return f"{self.response.respondent_id} ({self.region}, {self.gender}, {self.age_band})"


class ContactDetails(models.Model):
    """How to reach a volunteer; erasable at the end of the process (erased_at set)."""

    opt_in = models.OneToOneField(
        VolunteerOptIn,
        on_delete=models.CASCADE,
        related_name="contact",
        verbose_name=_("volunteer"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self) -> str:
        return f"contact #{self.pk}"


class ReminderBatch(models.Model):
    """One click of "send reminders": its e-mails are sent by a background task.

    Each recipient's `WaveReminder` records whether its e-mail went out, so a task run
    again after its worker died sends only the ones still unsent.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Sent")

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="reminder_batches", verbose_name=_("wave")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    total = models.PositiveIntegerField(_("recipients"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder batch")
        verbose_name_plural = _("reminder batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.wave_id} reminders {self.sent}/{self.total} ({self.status})"


class WaveReminder(models.Model):
    """One reminder e-mail to a panelist who had not completed a panel wave."""

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("wave")
    )
    panelist = models.ForeignKey(
        "panels.Panelist",
        on_delete=models.CASCADE,
        related_name="wave_reminders",
        verbose_name=_("panelist"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    batch = models.ForeignKey(
        ReminderBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("batch"),
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("wave reminder")
        verbose_name_plural = _("wave reminders")
        ordering = ["wave", "-sent_at"]
        indexes = [
            models.Index(fields=["wave", "panelist", "sent_at"], name="reminder_wave_panelist")
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.panelist_id} {self.sent_at:%Y-%m-%d %H:%M}"


class ContactErasure(models.Model):
    """The record of one erasure of a deliberation's contact data: who, when, how much."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="contact_erasures",
        verbose_name=_("deliberation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    # What was erased: {"poll_volunteers": n, "pool": n, "accounts": n, "accounts_kept": n}
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("contact erasure")
        verbose_name_plural = _("contact erasures")
        ordering = ["deliberation", "-erased_at"]

    def __str__(self) -> str:
        return f"{self.deliberation} {self.erased_at:%Y-%m-%d %H:%M}"


class OpinionStratum(models.Model):
    """The poll question whose answer is a selection feature (prior opinion on the question).

    Every Korean national deliberation drew its panel by opinion as well as by region, gender
    and age: the volunteers carry their answer into the pool, and the quotas come from the
    weighted poll's shares of each answer.
    """

    FEATURE = "opinion"
    NO_ANSWER = PollTarget.NO_ANSWER

    deliberation = models.OneToOneField(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="opinion_stratum",
        verbose_name=_("deliberation"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    wave = models.ForeignKey(
        Wave, on_delete=models.PROTECT, related_name="+", verbose_name=_("poll wave")
    )
    chosen_at = models.DateTimeField(_("chosen at"), auto_now=True)

    class Meta:
        verbose_name = _("opinion stratum")
        verbose_name_plural = _("opinion strata")

    def __str__(self) -> str:
        return f"{self.deliberation_id}: {self.question.code}"
