from django.contrib import admin

from surveys.models import FieldworkQuota, Questionnaire, VolunteerOptIn, Wave


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "deliberation", "created_at"]
    list_filter = ["deliberation"]
    list_select_related = ["deliberation"]
    search_fields = ["title"]


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["label", "title", "kind", "deliberation", "opens_at", "closes_at"]
    list_filter = ["kind", "deliberation"]
    list_select_related = ["deliberation"]


@admin.register(FieldworkQuota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["wave", "region", "gender", "age_band", "target"]
    list_filter = ["wave"]
    list_select_related = ["wave"]


@admin.register(VolunteerOptIn)
class VolunteerOptInAdmin(admin.ModelAdmin):
    """Strata only: contact details are not shown here."""

    list_display = ["pk", "deliberation", "region", "gender", "age_band", "consented_at"]
    list_filter = ["deliberation", "region", "gender", "age_band"]
    list_select_related = ["deliberation"]
    readonly_fields = ["response"]
