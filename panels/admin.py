from django.contrib import admin

from panels.models import Panelist, PopulationMargin


@admin.register(PopulationMargin)
class PopulationMarginAdmin(admin.ModelAdmin):
    list_display = ["deliberation", "feature", "value", "share", "population"]
    list_filter = ["deliberation", "feature"]
    list_select_related = ["deliberation"]


@admin.register(Panelist)
class PanelistAdmin(admin.ModelAdmin):
    list_display = ["pseudonym", "deliberation", "region", "gender", "age_band", "status"]
    list_filter = ["status", "region", "gender", "age_band", "deliberation"]
    list_select_related = ["deliberation"]
    search_fields = ["pseudonym"]
    raw_id_fields = ["user"]
