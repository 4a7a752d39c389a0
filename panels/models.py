"""Population margins and the citizen panel."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.core.models import Deliberation


class PopulationMargin(models.Model):
    """The population's share in one category of one feature (e.g. region = 도심권)."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="margins",
        verbose_name=_("deliberation"),
    )
    feature = models.CharField(_("feature"), max_length=60)
    value = models.CharField(_("value"), max_length=60)
    share = models.DecimalField(_("share"), max_digits=9, decimal_places=8)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        verbose_name = _("population margin")
        verbose_name_plural = _("population margins")
        ordering = ["deliberation", "feature", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "feature", "value"], name="margin_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(share__gte=0) & models.Q(share__lte=1), name="margin_share_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}: {self.share}"


class PollTarget(models.Model):
    """A selection feature's target share taken from the weighted poll, not the population.

    A feature such as prior opinion on the question has no census margin: its targets are the
    raked poll's shares of each answer, with their margin of error, so the panel mirrors what
    the city thinks and not who volunteered. Kept apart from the population margins, which the
    poll is weighted to (a poll cannot be weighted to its own answers).
    """

    # The category of whoever the poll does not place: a respondent who left the question
    # unanswered, a volunteer whose imported file has no column (or an empty cell) for it.
    NO_ANSWER = "무응답"

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="poll_targets",
        verbose_name=_("deliberation"),
    )
    feature = models.CharField(_("feature"), max_length=60)
    value = models.CharField(_("value"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)
    share = models.DecimalField(_("share"), max_digits=9, decimal_places=8)
    margin_of_error = models.DecimalField(_("margin of error"), max_digits=9, decimal_places=8)
    respondents = models.PositiveIntegerField(_("respondents"))
    volunteers_share = models.DecimalField(
        _("share among volunteers"), max_digits=9, decimal_places=8, null=True, blank=True
    )

    class Meta:
        verbose_name = _("target from the poll")
        verbose_name_plural = _("targets from the poll")
        ordering = ["deliberation", "feature", "order", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "feature", "value"], name="poll_target_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(share__gte=0) & models.Q(share__lte=1),
                name="poll_target_share_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}: {self.share} ± {self.margin_of_error}"


class Region(models.Model):
    """A region (권역) of a deliberation: a stratum of its panel, made of districts.

    Each city brings its own; the name is the key respondents, volunteers, seats, margins
    and quotas record, the English name is what English pages show.
    """

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="regions",
        verbose_name=_("deliberation"),
    )
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["deliberation", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "name"], name="region_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A district (자치구) and the region it belongs to; unique within its deliberation."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="districts",
        verbose_name=_("deliberation"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="districts", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["deliberation", "region__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "name"], name="district_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.region_id}"


class PanelistQuerySet(models.QuerySet):
    def active(self) -> PanelistQuerySet:
        """The panel as it stands: seats still taking part (drawn, invited or confirmed).

        Declined seats never joined and dropped seats left; both stay on record (the panel
        page, attrition, replacements) but are not counted as the panel, admitted to its
        rooms, allocated to groups or asked to answer its surveys.
        """
        return self.filter(status__in=ACTIVE_STATUSES)


class Panelist(models.Model):
    """A citizen on the panel of a deliberation, known to analysts only by pseudonym."""

    class Status(models.TextChoices):
        # Seated by the draw; "invited" only once an invitation was sent (invited_at).
        DRAWN = "drawn", _("Drawn, not yet invited")
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        DROPPED = "dropped", _("Dropped out")

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="panelists",
        verbose_name=_("deliberation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="panel_seats",
        verbose_name=_("user"),
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=20)
    region = models.CharField(_("region"), max_length=60)
    gender = models.CharField(_("gender"), max_length=20)
    age_band = models.CharField(_("age band"), max_length=20)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAWN
    )
    volunteer = models.OneToOneField(
        "Volunteer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panelist",
        verbose_name=_("volunteer"),
    )
    draw_position = models.PositiveIntegerField(_("draw position"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    objects = PanelistQuerySet.as_manager()

    class Meta:
        verbose_name = _("panelist")
        verbose_name_plural = _("panelists")
        ordering = ["deliberation", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "user"], name="panelist_once"),
            models.UniqueConstraint(
                fields=["deliberation", "pseudonym"], name="panelist_pseudonym_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def is_active(self) -> bool:
        """On the active panel (see PanelistQuerySet.active)."""
        return self.status in ACTIVE_STATUSES


ACTIVE_STATUSES = (Panelist.Status.DRAWN, Panelist.Status.INVITED, Panelist.Status.CONFIRMED)

# A decline's reason, as the panelist or the staff member typed it, is at most this long.
REASON_LENGTH = 300


class SeatContact(models.Model):
    """One entry of a seat's contact log: an invitation or reminder sent, an answer given."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation sent")
        REMINDER = "reminder", _("Reminder sent")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PRODUCT = "product", _("By the panelist in Gongnon")
        PHONE = "phone", _("By telephone, recorded by staff")
        STAFF = "staff", _("Set by staff")

    panelist = models.ForeignKey(
        Panelist, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("panelist")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    reason = models.CharField(_("reason"), max_length=REASON_LENGTH, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("seat contact")
        verbose_name_plural = _("seat contacts")
        ordering = ["panelist", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.panelist_id}: {self.kind}"


class Volunteer(models.Model):
    """A person in the pool the panel is drawn from: features only, contacts kept apart."""

    class Source(models.TextChoices):
        POLL = "poll", _("Poll opt-in")
        IMPORT = "import", _("Imported file")
        DEMO = "demo", _("Synthetic demo")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        SELECTED = "selected", _("Selected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="volunteers",
        verbose_name=_("deliberation"),
    )
    external_id = models.CharField(_("external id"), max_length=64)
    # The volunteer's id in the public audit record: random, so neither the record nor an
    # account name links a person to the organizer's id or to their features.
    record_id = models.CharField(_("record id"), max_length=16, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    features = models.JSONField(_("features"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AVAILABLE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["deliberation", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "external_id"], name="volunteer_external_id_unique"
            ),
            models.UniqueConstraint(
                fields=["deliberation", "record_id"], name="volunteer_record_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class VolunteerContact(models.Model):
    """How to reach a volunteer; organizers only, erasable without touching the statistics."""

    volunteer = models.OneToOneField(
        Volunteer, on_delete=models.CASCADE, related_name="contact", verbose_name=_("volunteer")
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email_key = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    phone_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer contact")
        verbose_name_plural = _("volunteer contacts")

    def __str__(self) -> str:
        return f"contact of {self.volunteer_id}"


class PanelPlan(models.Model):
    """The panel's size and the settings quotas and the lottery are derived with."""

    deliberation = models.OneToOneField(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="panel_plan",
        verbose_name=_("deliberation"),
    )
    panel_size = models.PositiveIntegerField(_("panel size"), default=300)
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        help_text=_("Quotas allow the population share plus or minus this fraction."),
    )
    lottery_size = models.PositiveIntegerField(
        _("lottery size"),
        default=1000,
        help_text=_("Number of panels in the transparent lottery (M)."),
    )
    # Over-recruitment: with a number of finishers, the panel size is computed from them and
    # the attendance rates (panels.recruitment) instead of being typed.
    finishers = models.PositiveIntegerField(
        _("panelists who must finish"),
        null=True,
        blank=True,
        help_text=_("Leave empty to draw exactly the panel size."),
    )
    attendance_rate = models.DecimalField(
        _("expected attendance rate"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("1.000"),
        help_text=_("Share of those drawn expected to finish, e.g. 0.85."),
    )
    attendance_feature = models.CharField(_("attendance differs by"), max_length=60, blank=True)
    attendance_rates = models.JSONField(_("attendance rate per category"), default=dict, blank=True)
    # Seats still without an answer by then count as "no answer" and may call for reserves.
    confirmation_deadline = models.DateTimeField(_("confirmation deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("panel plan")
        verbose_name_plural = _("panel plans")
        constraints = [
            models.CheckConstraint(condition=models.Q(panel_size__gte=1), name="plan_size_1"),
            models.CheckConstraint(
                condition=models.Q(lottery_size__gte=1), name="plan_lottery_size_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliberation_id}: {self.panel_size}"


class PanelQuota(models.Model):
    """How many panelists may have one value of one feature (inclusive bounds)."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("deliberation"),
    )
    feature = models.CharField(_("feature"), max_length=60)
    value = models.CharField(_("value"), max_length=60)
    min = models.PositiveIntegerField(_("minimum"))
    max = models.PositiveIntegerField(_("maximum"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["deliberation", "feature", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "feature", "value"], name="quota_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(min__lte=models.F("max")), name="quota_min_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}: {self.min}-{self.max}"


class SelectionRun(models.Model):
    """One computation of the selection probabilities and the lottery, done in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Progress(models.TextChoices):
        """The step a run is at: a key on the row, its words in the reader's language."""

        QUEUED = "queued", _("Queued")
        CHECKING_QUOTAS = "checking_quotas", _("Checking the quotas")
        COMPUTING_LEXIMIN = "computing_leximin", _("Computing LEXIMIN selection probabilities")
        ROUNDING_LOTTERY = "rounding_lottery", _("Rounding to a lottery of panels")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="selection_runs",
        verbose_name=_("deliberation"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.CharField(_("progress"), max_length=200, blank=True, choices=Progress.choices)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seed = models.BigIntegerField(_("seed"), default=0)
    inputs = models.JSONField(_("inputs"), default=dict)
    inputs_digest = models.CharField(_("inputs digest"), max_length=64, blank=True)
    algorithm = models.CharField(_("algorithm"), max_length=80, blank=True)
    lottery = models.JSONField(_("lottery"), null=True, blank=True)
    probabilities = models.JSONField(_("probabilities"), null=True, blank=True)
    min_probability = models.FloatField(_("minimum probability"), null=True, blank=True)
    max_probability = models.FloatField(_("maximum probability"), null=True, blank=True)
    gini = models.FloatField(_("Gini coefficient"), null=True, blank=True)
    timings = models.JSONField(_("timings"), default=dict)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    class Meta:
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation"],
                condition=models.Q(status__in=["queued", "running"]),
                name="selection_run_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class PoolImport(models.Model):
    """A volunteer file handed to the background worker: read, checked, then added whole."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Progress(models.TextChoices):
        """The step the import is at: a key on the row, its words in the reader's language."""

        READING = "reading", _("Reading the file")
        CHECKING = "checking", _("Checking every row")
        WRITING = "writing", _("Adding the volunteers")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="pool_imports",
        verbose_name=_("deliberation"),
    )
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("file"))
    language = models.CharField(_("language"), max_length=10, default="ko")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.CharField(_("progress"), max_length=32, choices=Progress.choices, blank=True)
    error = models.TextField(_("error"), blank=True)
    issues = models.JSONField(_("problems"), default=list, blank=True)
    imported = models.PositiveIntegerField(_("volunteers imported"), default=0)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer file import")
        verbose_name_plural = _("volunteer file imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE


class SelectionAudit(models.Model):
    """The public record of a draw: enough to recompute it and check nothing was changed."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="selection_audits",
        verbose_name=_("deliberation"),
    )
    run = models.OneToOneField(
        SelectionRun, on_delete=models.CASCADE, related_name="audit", verbose_name=_("run")
    )
    inputs_digest = models.CharField(_("inputs digest"), max_length=64)
    algorithm = models.CharField(_("algorithm"), max_length=80)
    lottery = models.JSONField(_("lottery"))
    lottery_digest = models.CharField(_("lottery digest"), max_length=64)
    public_number = models.CharField(_("public random number"), max_length=80)
    panel = models.JSONField(_("panel drawn"))
    # Volunteers' record ids in reserve order, drawn with the panel (panels.reserves).
    reserves = models.JSONField(_("reserves"), default=list, blank=True)
    probabilities = models.JSONField(_("probabilities"))
    replacements = models.JSONField(_("replacements"), default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    computed_at = models.DateTimeField(_("computed at"), null=True)
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("selection audit")
        verbose_name_plural = _("selection audits")
        ordering = ["-drawn_at"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation"], name="selection_audit_once"),
        ]

    def __str__(self) -> str:
        return f"audit {self.pk}"
