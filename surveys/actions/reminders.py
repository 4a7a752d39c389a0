"""Reminders to panelists who have not completed a panel wave."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from deliberation.core import audit, background
from deliberation.core.names import display_name
from surveys.models import ReminderBatch, Response, Wave, WaveReminder
from surveys.selectors import fieldwork_is_open, wave_panelists

logger = logging.getLogger(__name__)


class ReminderRefused(Exception):
    """Reminders cannot be sent for this wave; the message says why."""


def do_send_wave_reminders(wave: Wave, *, link: str = "", actor: Any = None) -> int:
    """E-mail the panelists who have not completed a panel wave; returns how many were sent.

    Nobody is reminded twice within WAVE_REMINDER_INTERVAL_HOURS: the wave row is locked
    while the recipients are chosen and recorded, so simultaneous clicks send once. The
    e-mails go out from a background task after the records are committed, one message
    per panelist, each recorded as delivered when it leaves.
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
        if not recipients:
            return 0
        subject = _("Reminder: %(title)s") % {"title": wave.title}
        body = _(
            'You have not yet answered the panel survey "%(title)s".%(closes)s\n\n'
            "Sign in and answer it here: %(link)s\n"
        ) % {
            "title": wave.title,
            "closes": (
                " " + _("It closes on %(date)s.") % {"date": f"{wave.closes_at:%Y-%m-%d %H:%M}"}
                if wave.closes_at
                else ""
            ),
            "link": link,
        }
        sender = actor if getattr(actor, "pk", None) else None
        batch = ReminderBatch.objects.create(
            wave=wave, subject=subject, body=body, total=len(recipients), created_by=sender
        )
        WaveReminder.objects.bulk_create(
            [
                WaveReminder(
                    wave=wave, panelist_id=seat.pk, sent_at=now, sent_by=sender, batch=batch
                )
                for seat in recipients
            ]
        )
        audit.record(
            "reminders.sent",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=wave,
            label=wave.title,
            extra={"batch": batch.pk, "count": len(recipients)},
        )
        background.enqueue_on_commit(send_reminder_batch, ReminderBatch, batch.pk)
    return len(recipients)


def deliver_batch(batch_id: int) -> int:
    """Send a batch's unsent reminders one by one, recording each as it goes out.

    Idempotent: run again (its worker died midway), it sends only the reminders not yet
    recorded as delivered. Returns how many it sent.
    """
    ReminderBatch.objects.filter(pk=batch_id).exclude(status=ReminderBatch.Status.DONE).update(
        status=ReminderBatch.Status.RUNNING
    )
    batch = ReminderBatch.objects.get(pk=batch_id)
    pending = list(
        WaveReminder.objects.filter(batch=batch, delivered_at__isnull=True)
        .select_related("panelist__user__profile")
        .order_by("pk")
    )
    sent = 0
    with get_connection() as mail:
        for reminder in pending:
            email = reminder.panelist.user.email if reminder.panelist.user_id else ""
            if email:
                greeting = _("Dear %(name)s,") % {"name": display_name(reminder.panelist.user)}
                message = EmailMessage(batch.subject, greeting + "\n\n" + batch.body, to=[email])
                mail.send_messages([message])
                sent += 1
            WaveReminder.objects.filter(pk=reminder.pk).update(delivered_at=timezone.now())
            if email:
                ReminderBatch.objects.filter(pk=batch_id).update(sent=F("sent") + 1)
    ReminderBatch.objects.filter(pk=batch_id).update(
        status=ReminderBatch.Status.DONE, finished_at=timezone.now()
    )
    logger.info("sent %s reminders of batch %s for wave %s", sent, batch_id, batch.wave_id)
    return sent


@task()
def send_reminder_batch(batch_id: int) -> int:
    """The queued task of a reminder batch."""
    return deliver_batch(batch_id)
