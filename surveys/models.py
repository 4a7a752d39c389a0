"""Questionnaires and their administrations (waves)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.models import Deliberation


class Questionnaire(models.Model):
    """A versioned set of questions; a questionnaire with responses is never edited in place."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="questionnaires",
        verbose_name=_("deliberation"),
    )
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
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
