from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from deliberation.forum.actions import do_open_rooms
from deliberation.forum.models import ForumGroup, Material, ModerationAction, Room, Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "deliberation", "kind", "starts_at", "ends_at"]
    list_filter = ["kind", "deliberation"]
    list_select_related = ["deliberation"]
    search_fields = ["title"]
    filter_horizontal = ["experts"]

    def save_model(self, request: HttpRequest, obj: Session, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        do_open_rooms(obj)


@admin.register(ForumGroup)
class ForumGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "session", "facilitator"]
    list_filter = ["session__deliberation", "session"]
    list_select_related = ["session", "facilitator"]
    search_fields = ["name", "facilitator__email"]
    raw_id_fields = ["facilitator"]
    filter_horizontal = ["members"]

    def save_model(self, request: HttpRequest, obj: ForumGroup, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        do_open_rooms(obj.session)


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "order", "public", "created_at"]
    list_filter = ["session__deliberation", "session"]
    list_select_related = ["session"]
    search_fields = ["title"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phase", "last_seq", "timer_ends_at"]
    list_select_related = ["session", "group"]
    readonly_fields = ["last_seq"]
    raw_id_fields = ["group", "speaker"]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The moderation audit log: read-only, so the record cannot be rewritten."""

    list_display = ["created_at", "room", "kind", "actor", "target", "reason", "until"]
    list_filter = ["kind"]
    list_select_related = ["room__session", "room__group", "actor", "target"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
