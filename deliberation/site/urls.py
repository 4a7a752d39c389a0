from django.urls import path

from deliberation.site import views

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
]
