"""What the report keeps: the analysts' narrative, the PDFs made of it, what is published
and the tracking of what the city does with each recommendation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.core.models import Deliberation
from deliberation.core.storage import private_report_storage, unguessable_name
from deliberation.forum.models import GroupRecommendation


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


class Licence(models.TextChoices):
    """The open licences the organizer may publish the open data under."""

    KOGL_1 = "KOGL-Type1", _("Korea Open Government Licence, type 1 (attribution)")
    CC_BY = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC_BY_SA = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0")
    CC0 = "CC0-1.0", _("Creative Commons Zero 1.0 (public domain)")


LICENCE_URLS: dict[str, str] = {
    Licence.KOGL_1: "https://www.kogl.or.kr/info/license.do",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}

# The parts of the public page the organizer publishes one by one (field name, label).
PUBLIC_PARTS: tuple[str, ...] = (
    "show_materials",
    "show_panel",
    "show_sessions",
    "show_results",
    "show_recommendations",
    "show_report_pdf",
)


class Publication(models.Model):
    """What the organizer makes public about a deliberation, and since when.

    Nothing is public while ``published_at`` is empty; once set, the public page shows the
    question, the stages and each part whose flag is on, and nothing else.
    """

    deliberation = models.OneToOneField(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="publication",
        verbose_name=_("deliberation"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    show_materials = models.BooleanField(_("the materials panelists read"), default=True)
    show_panel = models.BooleanField(_("how the panel was drawn"), default=True)
    show_sessions = models.BooleanField(_("the sessions held"), default=True)
    show_results = models.BooleanField(_("the results, with their margins of error"), default=False)
    show_recommendations = models.BooleanField(
        _("the recommendations and what became of them"), default=False
    )
    show_report_pdf = models.BooleanField(_("the report (PDF)"), default=False)
    licence = models.CharField(
        _("open data licence"), max_length=16, choices=Licence.choices, default=Licence.KOGL_1
    )
    publish_microdata = models.BooleanField(
        _("publish the panel waves' pseudonymous answers (one row per pseudonym)"), default=False
    )
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
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.deliberation} ({'published' if self.published_at else 'unpublished'})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class TrackingStatus(models.TextChoices):
    """Where the city's answer to a recommendation stands, in the order it usually goes."""

    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")


class RecommendationResponse(models.Model):
    """The city's current answer to one of the panel's recommendations."""

    recommendation = models.OneToOneField(
        GroupRecommendation,
        on_delete=models.CASCADE,
        related_name="response",
        verbose_name=_("recommendation"),
    )
    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="recommendation_responses",
        verbose_name=_("deliberation"),
    )
    status = models.CharField(_("status"), max_length=20, choices=TrackingStatus.choices)
    response = models.TextField(_("response"), blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    responded_on = models.DateField(_("date"))
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
        verbose_name = _("recommendation response")
        verbose_name_plural = _("recommendation responses")

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.get_status_display()}"


class RecommendationStatusChange(models.Model):
    """One change of a recommendation's answer: who, when, the old and the new state.

    Rows are only ever added; the public timeline and the organizers' history read them.
    """

    response = models.ForeignKey(
        RecommendationResponse,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("recommendation response"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    old_status = models.CharField(
        _("old status"), max_length=20, choices=TrackingStatus.choices, blank=True
    )
    new_status = models.CharField(_("new status"), max_length=20, choices=TrackingStatus.choices)
    response_text = models.TextField(_("response"), blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    responded_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("recommendation status change")
        verbose_name_plural = _("recommendation status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.response_id}: {self.old_status or '-'} -> {self.new_status}"
