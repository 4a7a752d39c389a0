from django.urls import path

from deliberation import forum_views, report_views, views

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
    path("groups/<int:group_id>/room/", forum_views.group_room, name="group_room"),
    path("groups/<int:group_id>/console/", forum_views.group_console, name="group_console"),
    path("sessions/<int:session_id>/plenary/", forum_views.plenary, name="plenary"),
    path("sessions/<int:session_id>/groups/", forum_views.allocation, name="allocation"),
    path("sessions/<int:session_id>/materials/", forum_views.materials, name="materials"),
    path(
        "sessions/<int:session_id>/export/<slug:dataset>.<slug:fmt>",
        forum_views.export,
        name="export",
    ),
    path("deliberations/<slug:slug>/report/", report_views.report, name="report"),
    path(
        "deliberations/<slug:slug>/report/narrative/",
        report_views.report_narrative,
        name="report_narrative",
    ),
    path(
        "deliberations/<slug:slug>/report/headline/",
        report_views.report_headline,
        name="report_headline",
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
