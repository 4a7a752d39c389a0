from django.contrib import admin

from deliberation.models import Deliberation, ForumGroup, Session, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Deliberation)
class DeliberationAdmin(admin.ModelAdmin):
    list_display = ["title", "city", "slug", "is_demo", "created_at"]
    list_filter = ["is_demo", "city"]
    search_fields = ["title", "agenda", "slug"]
    prepopulated_fields = {"slug": ["title"]}
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
