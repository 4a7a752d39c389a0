from django.urls import path

from surveys.views import (
    analysis,
    builder,
    erasure,
    fieldwork,
    fieldwork_admin,
    imports,
    volunteers,
)

app_name = "surveys"

urlpatterns = [
    # Respondents (the token is the credential)
    path("take/<str:token>/", fieldwork.take, name="take"),
    path("take/<str:token>/saved/", fieldwork.take_saved, name="take_saved"),
    path("take/<str:token>/volunteer/", fieldwork.volunteer, name="volunteer"),
    path("open/<str:token>/", fieldwork.open_link, name="open_link"),
    path("waves/<int:wave_id>/panel/", fieldwork.panel_take, name="panel_take"),
    # Questionnaires and waves
    path("deliberations/<slug:slug>/", builder.overview, name="overview"),
    path(
        "deliberations/<slug:slug>/questionnaires/new/",
        builder.questionnaire_create,
        name="questionnaire_create",
    ),
    path("deliberations/<slug:slug>/waves/new/", builder.wave_create, name="wave_create"),
    path("waves/<int:wave_id>/edit/", builder.wave_edit, name="wave_edit"),
    path("waves/<int:wave_id>/delete/", builder.wave_delete, name="wave_delete"),
    path(
        "questionnaires/<int:questionnaire_id>/",
        builder.questionnaire_detail,
        name="questionnaire",
    ),
    path(
        "questionnaires/<int:questionnaire_id>/preview/",
        builder.questionnaire_preview,
        name="questionnaire_preview",
    ),
    path(
        "questionnaires/<int:questionnaire_id>/new-version/",
        builder.questionnaire_new_version,
        name="questionnaire_new_version",
    ),
    path(
        "questionnaires/<int:questionnaire_id>/questions/new/",
        builder.question_create,
        name="question_create",
    ),
    path("questions/<int:question_id>/", builder.question_edit, name="question_edit"),
    path("questions/<int:question_id>/move/", builder.question_move, name="question_move"),
    path("questions/<int:question_id>/delete/", builder.question_delete, name="question_delete"),
    # Fieldwork
    path("waves/<int:wave_id>/fieldwork/", fieldwork_admin.fieldwork, name="fieldwork"),
    path("waves/<int:wave_id>/quotas/", fieldwork_admin.quota_add, name="quota_add"),
    path("quotas/<int:quota_id>/", fieldwork_admin.quota_edit, name="quota_edit"),
    path("quotas/<int:quota_id>/delete/", fieldwork_admin.quota_delete, name="quota_delete"),
    path(
        "waves/<int:wave_id>/invitations/",
        fieldwork_admin.invitations_create,
        name="invitations_create",
    ),
    path("waves/<int:wave_id>/dashboard/", fieldwork_admin.dashboard, name="dashboard"),
    path(
        "waves/<int:wave_id>/dashboard/exclude/",
        fieldwork_admin.exclude_responses,
        name="exclude_responses",
    ),
    path(
        "waves/<int:wave_id>/dashboard/refresh-flags/",
        fieldwork_admin.refresh_quality,
        name="refresh_quality",
    ),
    path(
        "waves/<int:wave_id>/dashboard/data/",
        fieldwork_admin.dashboard_data,
        name="dashboard_data",
    ),
    path("waves/<int:wave_id>/completion/", fieldwork_admin.completion, name="completion"),
    path("waves/<int:wave_id>/reminders/", fieldwork_admin.send_reminders, name="send_reminders"),
    # Poll volunteers into the panel's pool
    path(
        "deliberations/<slug:slug>/volunteers/to-pool/",
        volunteers.add_poll_volunteers,
        name="add_poll_volunteers",
    ),
    path(
        "deliberations/<slug:slug>/opinion-stratum/",
        volunteers.opinion_stratum,
        name="opinion_stratum",
    ),
    # The end of the process: every copy of the citizens' contact data erased
    path(
        "deliberations/<slug:slug>/erase-contacts/",
        erasure.erase_contacts,
        name="erase_contacts",
    ),
    # Imports
    path("waves/<int:wave_id>/import/", imports.upload, name="import_upload"),
    path("imports/<int:import_id>/mapping/", imports.mapping, name="import_mapping"),
    path("imports/<int:import_id>/", imports.report, name="import_report"),
    path("imports/<int:import_id>/status/", imports.status, name="import_status"),
    path("imports/<int:import_id>/cancel/", imports.cancel, name="import_cancel"),
    # Analysis
    path("waves/<int:wave_id>/exports/", analysis.export_list, name="exports"),
    path(
        "waves/<int:wave_id>/exports/<str:fmt>/",
        analysis.export_download,
        name="export_download",
    ),
    path("waves/<int:wave_id>/weighting/", analysis.weighting_page, name="weighting"),
    path("waves/<int:wave_id>/results/", analysis.results, name="results"),
    path(
        "waves/<int:wave_id>/charts/<str:item>.<str:image_format>",
        analysis.chart,
        name="chart",
    ),
]
