from django.contrib import admin

from deliberation.models import (
    Deliberation,
    ForumGroup,
    Material,
    ModerationAction,
    Room,
    Session,
    Stage,
)


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Deliberation)
class DeliberationAdmin(admin.ModelAdmin):
    list_display = ["title", "city", "slug", "is_demo", "created_at"]
    list_filter = ["is_demo", "city"]
    search_fields = ["title", "agenda", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # Chosen on the report page, where the choice is checked against the panel surveys.
    readonly_fields = ["report_headline_item"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["deliberation", "order", "kind", "status", "starts_on", "ends_on"]
    list_filter = ["status", "kind", "deliberation"]
    list_select_related = ["deliberation"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "deliberation", "kind", "starts_at", "ends_at"]
    list_filter = ["kind", "deliberation"]
    list_select_related = ["deliberation"]
    search_fields = ["title"]
    filter_horizontal = ["experts"]


@admin.register(ForumGroup)
class ForumGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "session", "facilitator"]
    list_filter = ["session__deliberation", "session"]
    list_select_related = ["session", "facilitator"]
    search_fields = ["name", "facilitator__email"]
    raw_id_fields = ["facilitator"]
    filter_horizontal = ["members"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "order", "created_at"]
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
