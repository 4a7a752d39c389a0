from django.contrib import admin

from deliberation.core.models import Deliberation, Stage


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
