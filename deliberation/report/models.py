"""What the report keeps: the analysts' narrative and the PDFs made of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.core.models import Deliberation
from deliberation.core.storage import private_report_storage, unguessable_name


def report_path(instance: ReportRender, filename: str) -> str:
    return unguessable_name("reports", filename)


class ReportNarrative(models.Model):
    """An analyst's text for one section of the policy-recommendation report."""

    class Section(models.TextChoices):
        SUMMARY = "summary", _("Summary")
        PROCESS = "process", _("Process")
        POLL = "poll", _("Opinion poll")
        REPRESENTATIVENESS = "representativeness", _("Representativeness of the panel")
        OPINION_CHANGE = "opinion_change", _("Opinion change")
        RECOMMENDATIONS = "recommendations", _("Recommendations")
        METHODOLOGY = "methodology", _("Methodology")

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="report_narratives",
        verbose_name=_("deliberation"),
    )
    section = models.CharField(_("section"), max_length=32, choices=Section.choices)
    text = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "section"], name="report_narrative_once_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deliberation}: {self.get_section_display()}"


class ReportRender(models.Model):
    """One PDF rendering of the report, made in the background; the page polls its status."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="report_renders",
        verbose_name=_("deliberation"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    language = models.CharField(_("language"), max_length=10, default="ko")
    file = models.FileField(
        _("file"), storage=private_report_storage, upload_to=report_path, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    class Meta:
        verbose_name = _("report rendering")
        verbose_name_plural = _("report renderings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_render_progress_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deliberation} PDF ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
