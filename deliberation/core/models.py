"""The deliberation process: a deliberation and its stages."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.core.roles import TEAM_ROLES, Role


class Deliberation(models.Model):
    """One public deliberation (공론화) on one agenda, from poll to recommendations."""

    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        help_text=_("The deliberation's part of its pages' addresses: letters, digits, hyphens."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), help_text=_("The policy question put to citizens."))
    city = models.CharField(_("city"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Synthetic data for demonstration.")
    )
    # Set on the report page (deliberation.report.actions.do_set_report_headline, which
    # checks it); blank: surveys.wave_data.headline_item picks the default.
    report_headline_item = models.CharField(
        _("headline question of the report"),
        max_length=60,
        blank=True,
        default="",
        help_text=_(
            "Item code of the panel survey question whose first answer weights the panel by "
            "initial opinion; blank: the first agree–disagree or yes/no question."
        ),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Archived deliberations leave the lists and take no more writes from their team;
    # everything they hold stays readable.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deliberation:detail", kwargs={"slug": self.slug})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def title_for(self, language: str) -> str:
        """The title in the reader's language, Korean when no English title was given."""
        return self.title_en if language == "en" and self.title_en else self.title


class Stage(models.Model):
    """A step of the process (docs/architecture.md), with its dates and status."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Agenda setting")
        STEERING = "steering", _("Steering committee")
        POLL = "poll", _("Opinion poll")
        PANEL = "panel", _("Panel selection")
        EXPERT_DEBATE = "expert_debate", _("Expert debate")
        REGIONAL_FORUMS = "regional_forums", _("Regional forums")
        PLENARY = "plenary", _("Plenary forum")
        SURVEYS = "surveys", _("Panel surveys")
        RESULTS = "results", _("Results and recommendations")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("In progress")
        DONE = "done", _("Done")

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="stages",
        verbose_name=_("deliberation"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    # Without it the status follows the dates (current_status); an organizer sets it when
    # a stage runs late or ends early.
    status_by_hand = models.BooleanField(
        _("status set by hand"),
        default=False,
        help_text=_("Unticked, the status follows the dates: planned, in progress, done."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["deliberation", "order"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "kind"], name="stage_kind_once"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="stage_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliberation}: {self.get_kind_display()}"

    def status_on(self, day: datetime.date) -> str:
        """The status on a day: the organizer's when set by hand or undated, else the
        dates' (before the start planned, up to the end in progress, after it done)."""
        if self.status_by_hand or self.starts_on is None:
            return self.status
        if day < self.starts_on:
            return self.Status.PLANNED
        if self.ends_on is None or day <= self.ends_on:
            return self.Status.ACTIVE
        return self.Status.DONE

    @property
    def current_status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def current_status_label(self) -> str:
        return str(self.Status(self.current_status).label)


class Membership(models.Model):
    """A person on one deliberation's team, in one role; a person may hold several.

    Roles scope to the deliberation: an organizer of one deliberation cannot manage
    another, an analyst sees only their deliberations (deliberation.core.access).
    """

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("deliberation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=[(role.value, role.label) for role in Role if role in TEAM_ROLES],
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    # Volunteers' and panelists' names and contacts are for the organizers who invite the
    # panel: the deliberation's creator, and those an organizer with this access names.
    sees_contacts = models.BooleanField(_("sees contact details"), default=False)
    # A department officer's department, as the answers to the recommendations name it;
    # blank for every other role.
    department = models.CharField(_("department"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["deliberation", "role", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "user", "role"], name="membership_once_per_role"
            ),
            # An officer answers for one named department: without it they would see nothing.
            models.CheckConstraint(
                condition=~models.Q(role=Role.DEPARTMENT) | ~models.Q(department=""),
                name="department_officer_names_department",
            ),
        ]
        indexes = [models.Index(fields=["user", "deliberation"], name="membership_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.deliberation_id}"


class Profile(models.Model):
    """How a person appears to others (deliberation.core.names): one per person, whatever
    the panels they sit on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    # Blank: the default name from the seat.
    display_name = models.CharField(_("display name"), max_length=30, blank=True)
    # The number of the person's latest seat (its draw position), which the default name
    # is made of; set by the panel when it seats them.
    seat_number = models.PositiveIntegerField(_("seat number"), null=True, blank=True)
    # When the person answered the first-sign-in question (chose a name or kept the
    # default); until then they are asked once after signing in.
    name_confirmed_at = models.DateTimeField(_("name confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"profile of {self.user_id}"


class WorkerHeartbeat(models.Model):
    """The lease of one background worker process, renewed while it lives.

    A task left running by a worker whose lease expired is queued again
    (deliberation/core/background.py); pages read the freshest lease to tell organizers
    whether any worker is there to pick queued work up.
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class AuditLogEntry(models.Model):
    """One staff write, appended once and never changed: who did what, when, to which
    object, with the old and new values of an edit (deliberation.core.audit.record)."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_log",
        verbose_name=_("deliberation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    acted_at = models.DateTimeField(_("acted at"), default=timezone.now)
    event_type = models.CharField(_("event"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    # {field: [old, new]} for an edit.
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    extra = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-acted_at", "-pk"]
        indexes = [
            models.Index(fields=["deliberation", "acted_at"], name="audit_by_deliberation"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.object_type}:{self.object_id} at {self.acted_at}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("audit log entries are never changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("audit log entries are never deleted")
