from django.urls import path

from deliberation.site import views

app_name = "deliberation"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
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
