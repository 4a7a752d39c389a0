from django.urls import path

from deliberation.core import views

app_name = "profile"

urlpatterns = [
    path("name/", views.welcome, name="welcome"),
    path("me/", views.account, name="account"),
]
