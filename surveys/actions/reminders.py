"""Reminders to panelists who have not completed a panel wave."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.core.names import display_name
from surveys.models import Response, Wave, WaveReminder
from surveys.selectors import fieldwork_is_open, wave_panelists

logger = logging.getLogger(__name__)


class ReminderRefused(Exception):
    """Reminders cannot be sent for this wave; the message says why."""


def do_send_wave_reminders(wave: Wave, *, link: str = "", actor: Any = None) -> int:
    """E-mail the panelists who have not completed a panel wave; returns how many were sent.

    Nobody is reminded twice within WAVE_REMINDER_INTERVAL_HOURS: the wave row is locked
    while the recipients are chosen and recorded, so simultaneous clicks send once. The
    e-mails go out after the records are committed, one message per panelist.
    """
    if not wave.is_panel_wave:
        raise ReminderRefused(_("Reminders are for panel surveys only."))
    if not fieldwork_is_open(wave):
        raise ReminderRefused(_("The survey is not open for answers."))
    now = timezone.now()
    recent = now - datetime.timedelta(hours=settings.WAVE_REMINDER_INTERVAL_HOURS)
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        recipients = list(
            wave_panelists(wave)
            .exclude(user__email="")
            .exclude(
                pk__in=Response.objects.filter(
                    wave=wave, status=Response.Status.COMPLETE, panelist__isnull=False
                ).values("panelist_id")
            )
            .exclude(
                pk__in=WaveReminder.objects.filter(wave=wave, sent_at__gt=recent).values(
                    "panelist_id"
                )
            )
            .select_related("user__profile")
        )
        WaveReminder.objects.bulk_create(
            [
                WaveReminder(
                    wave=wave,
                    panelist_id=seat.pk,
                    sent_at=now,
                    sent_by=actor if getattr(actor, "pk", None) else None,
                )
                for seat in recipients
            ]
        )
        subject = _("Reminder: %(title)s") % {"title": wave.title}
        body = _(
            'You have not yet answered the panel survey "%(title)s".%(closes)s\n\n'
            "Sign in and answer it here: %(link)s\n"
        )
        values = {
            "title": wave.title,
            "closes": (
                " " + _("It closes on %(date)s.") % {"date": f"{wave.closes_at:%Y-%m-%d %H:%M}"}
                if wave.closes_at
                else ""
            ),
            "link": link,
        }
        messages = [
            EmailMessage(
                subject,
                _("Dear %(name)s,") % {"name": display_name(seat.user)} + "\n\n" + body % values,
                to=[seat.user.email],
            )
            for seat in recipients
        ]

        def send() -> None:
            sent = get_connection().send_messages(messages) if messages else 0
            logger.info("sent %s reminders for wave %s", sent or 0, wave.pk)

        transaction.on_commit(send)
    return len(recipients)
