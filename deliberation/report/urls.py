from django.urls import path

from deliberation.report import views

app_name = "report"

urlpatterns = [
    path("deliberations/<slug:slug>/publication/", views.publication, name="publication"),
    path(
        "deliberations/<slug:slug>/publication/tracking/",
        views.tracking,
        name="tracking",
    ),
    path("deliberations/<slug:slug>/report/", views.report, name="page"),
    path(
        "deliberations/<slug:slug>/report/narrative/",
        views.report_narrative,
        name="narrative",
    ),
    path(
        "deliberations/<slug:slug>/report/headline/",
        views.report_headline,
        name="headline",
    ),
    path(
        "deliberations/<slug:slug>/report/analysis.json",
        views.report_json,
        name="analysis_json",
    ),
    path(
        "deliberations/<slug:slug>/report/analysis.xlsx",
        views.report_xlsx,
        name="analysis_xlsx",
    ),
    path(
        "deliberations/<slug:slug>/report/panel-waves.sav",
        views.report_waves_sav,
        name="panel_waves_sav",
    ),
    path(
        "deliberations/<slug:slug>/report/pdf/",
        views.report_renders,
        name="renders",
    ),
    path(
        "deliberations/<slug:slug>/report/pdf/<int:render_id>/status/",
        views.report_render_status,
        name="render_status",
    ),
    path(
        "deliberations/<slug:slug>/report/pdf/<int:render_id>/cancel/",
        views.report_render_cancel,
        name="render_cancel",
    ),
    path(
        "deliberations/<slug:slug>/report/pdf/<int:render_id>/download/",
        views.report_render_file,
        name="render_file",
    ),
]
