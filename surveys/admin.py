from django.contrib import admin

from surveys.models import Questionnaire, Wave


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
