from django.urls import path

from deliberation import report_views, views

app_name = "deliberation"

urlpatterns = [
    path("", views.home, name="home"),
    path("deliberations/", views.deliberation_list, name="list"),
    path("deliberations/<slug:slug>/", views.deliberation_detail, name="detail"),
    path(
        "deliberations/<slug:slug>/stages/<int:stage_id>/",
        views.stage_edit,
        name="stage_edit",
    ),
    path("deliberations/<slug:slug>/report/", report_views.report, name="report"),
    path(
        "deliberations/<slug:slug>/report/narrative/",
        report_views.report_narrative,
        name="report_narrative",
    ),
    path(
        "deliberations/<slug:slug>/report/analysis.json",
        report_views.report_json,
        name="report_json",
    ),
    path(
        "deliberations/<slug:slug>/report/analysis.xlsx",
        report_views.report_xlsx,
        name="report_xlsx",
    ),
    path(
        "deliberations/<slug:slug>/report/panel-waves.sav",
        report_views.report_waves_sav,
        name="report_waves_sav",
    ),
    path(
        "deliberations/<slug:slug>/report/pdf/",
        report_views.report_renders,
        name="report_renders",
    ),
    path(
        "deliberations/<slug:slug>/report/pdf/<int:render_id>/status/",
        report_views.report_render_status,
        name="report_render_status",
    ),
    path(
        "deliberations/<slug:slug>/report/pdf/<int:render_id>/download/",
        report_views.report_render_file,
        name="report_render_file",
    ),
]
