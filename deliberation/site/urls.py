from django.urls import path

from deliberation.site import public, views

app_name = "deliberation"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("public/<slug:slug>/", public.public_page, name="public_page"),
    path("public/<slug:slug>/feed.atom", public.public_feed, name="public_feed"),
    path(
        "public/<slug:slug>/recommendations.json",
        public.public_statuses,
        name="public_statuses",
    ),
    path(
        "public/<slug:slug>/data/datapackage.json",
        public.public_datapackage,
        name="public_datapackage",
    ),
    path(
        "public/<slug:slug>/data/<slug:name>.csv",
        public.public_data_file,
        name="public_data_file",
    ),
    path("public/<slug:slug>/report.pdf", public.public_report_pdf, name="public_report_pdf"),
    path(
        "public/<slug:slug>/materials/<int:material_id>/",
        public.public_material,
        name="public_material",
    ),
    path("deliberations/", views.deliberation_list, name="list"),
    path("deliberations/new/", views.deliberation_create, name="create"),
    path("deliberations/<slug:slug>/", views.deliberation_detail, name="detail"),
    path("deliberations/<slug:slug>/edit/", views.deliberation_edit, name="edit"),
    path("deliberations/<slug:slug>/setup/", views.setup, name="setup"),
    path("deliberations/<slug:slug>/archive/", views.deliberation_archive, name="archive"),
    path("deliberations/<slug:slug>/stages/new/", views.stage_add, name="stage_add"),
    path(
        "deliberations/<slug:slug>/stages/<int:stage_id>/remove/",
        views.stage_remove,
        name="stage_remove",
    ),
    path(
        "deliberations/<slug:slug>/stages/<int:stage_id>/move/",
        views.stage_move,
        name="stage_move",
    ),
    path("deliberations/<slug:slug>/team/", views.team, name="team"),
    path("deliberations/<slug:slug>/audit-log/", views.audit_log, name="audit_log"),
    path("deliberations/<slug:slug>/team/import/", views.team_import, name="team_import"),
    path(
        "deliberations/<slug:slug>/team/<int:membership_id>/contacts/",
        views.team_contact_access,
        name="team_contact_access",
    ),
    path(
        "deliberations/<slug:slug>/team/<int:membership_id>/remove/",
        views.team_remove,
        name="team_remove",
    ),
    path(
        "deliberations/<slug:slug>/stages/<int:stage_id>/",
        views.stage_edit,
        name="stage_edit",
    ),
]
