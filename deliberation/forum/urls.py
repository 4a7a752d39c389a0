from django.urls import path

from deliberation.forum import views

app_name = "forum"

urlpatterns = [
    path("deliberations/<slug:slug>/sessions/new/", views.session_create, name="session_create"),
    path("deliberations/<slug:slug>/fees/", views.fees, name="fees"),
    path(
        "deliberations/<slug:slug>/fees/payment.<slug:fmt>",
        views.fees_export,
        name="fees_export",
    ),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("groups/<int:group_id>/room/", views.group_room, name="group_room"),
    path("groups/<int:group_id>/console/", views.group_console, name="group_console"),
    path("sessions/<int:session_id>/plenary/", views.plenary, name="plenary"),
    path("sessions/<int:session_id>/groups/", views.allocation, name="allocation"),
    path("sessions/<int:session_id>/materials/", views.materials, name="materials"),
    path("materials/<int:material_id>/file/", views.material_file, name="material_file"),
    path(
        "sessions/<int:session_id>/export/<slug:dataset>.<slug:fmt>",
        views.export,
        name="export",
    ),
    path(
        "sessions/<int:session_id>/polis/<slug:polis_file>.csv",
        views.session_polis_export,
        name="session_polis_export",
    ),
    path(
        "rooms/<int:room_id>/polis/<slug:polis_file>.csv",
        views.room_polis_export,
        name="room_polis_export",
    ),
]
