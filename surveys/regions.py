"""What the surveys stage answers when the panels stage renames or deletes a region."""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext

from deliberation.core.models import Deliberation
from surveys.models import FieldworkQuota, Response


def respondents_in_region(
    sender: Any, *, deliberation: Deliberation, name: str, **kwargs: Any
) -> list[str]:
    """Respondents recorded in the region: a region they carry keeps its name."""
    n = Response.objects.filter(wave__deliberation=deliberation, region=name).count()
    return (
        [ngettext("%(n)d survey respondent", "%(n)d survey respondents", n) % {"n": n}] if n else []
    )


def fieldwork_quotas_in_region(
    sender: Any, *, deliberation: Deliberation, name: str, deleting: bool = False, **kwargs: Any
) -> list[str]:
    """Fieldwork quotas follow a rename, but a region with quotas is not deleted."""
    if not deleting:
        return []
    n = FieldworkQuota.objects.filter(wave__deliberation=deliberation, region=name).count()
    return [ngettext("%(n)d fieldwork quota", "%(n)d fieldwork quotas", n) % {"n": n}] if n else []


def rename_fieldwork_quotas(
    sender: Any, *, deliberation: Deliberation, old: str, new: str, **kwargs: Any
) -> None:
    FieldworkQuota.objects.filter(wave__deliberation=deliberation, region=old).update(region=new)
