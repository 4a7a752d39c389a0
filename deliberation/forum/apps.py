from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "deliberation.forum"
    label = "forum"
    verbose_name = _("Live forum")

    def ready(self) -> None:
        from deliberation.core.access import register_url_argument

        register_url_argument("session_id", "sessions__pk")
        register_url_argument("group_id", "sessions__groups__pk")
        register_url_argument("material_id", "sessions__materials__pk")
        from django.db.models.signals import m2m_changed

        from deliberation.core.public_cache import invalidate_when_changed, slug_where
        from deliberation.forum.actions.access import (
            close_rooms_of_a_seat_that_left,
            close_rooms_of_removed_members,
        )
        from deliberation.forum.models import ForumGroup, GroupRecommendation, Material, Session
        from panels.signals import panel_seat_changed

        invalidate_when_changed(Session, lambda session: slug_where(pk=session.deliberation_id))
        invalidate_when_changed(Material, lambda material: slug_where(sessions=material.session_id))
        invalidate_when_changed(
            GroupRecommendation, lambda r: slug_where(sessions__rooms=r.room_id)
        )
        panel_seat_changed.connect(close_rooms_of_a_seat_that_left, dispatch_uid="forum-seat")
        m2m_changed.connect(
            close_rooms_of_removed_members,
            sender=ForumGroup.members.through,
            dispatch_uid="forum-members",
        )
