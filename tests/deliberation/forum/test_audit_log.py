"""The forum's staff writes in the audit log: moderation yes, panelists' messages no."""

from __future__ import annotations

from deliberation.core.models import AuditLogEntry
from deliberation.forum import actions


def test_a_mute_is_in_the_audit_log_and_a_message_is_not(forum):
    actions.do_post_message(forum.room.pk, forum.alice, "안녕하세요")
    actions.do_mute(forum.room.pk, forum.facilitator, forum.alice.pk, 5, "calm down")

    (entry,) = AuditLogEntry.objects.all()
    assert entry.event_type == "participant.muted"
    assert entry.actor == forum.facilitator
    assert entry.deliberation_id == forum.group.session.deliberation_id
    assert entry.extra["user"] == forum.alice.pk and entry.extra["minutes"] == 5
    assert entry.extra["reason"] == "calm down"
