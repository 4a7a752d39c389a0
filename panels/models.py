"""Population margins and the citizen panel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.models import Deliberation


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


class Panelist(models.Model):
    """A citizen on the panel of a deliberation, known to analysts only by pseudonym."""

    class Status(models.TextChoices):
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
        _("status"), max_length=16, choices=Status.choices, default=Status.INVITED
    )

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
