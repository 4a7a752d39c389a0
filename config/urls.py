from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("deliberation.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("deliberation.site.urls")),
    path("", include("deliberation.forum.urls")),
    path("", include("deliberation.report.urls")),
    path("surveys/", include("surveys.urls")),
    path("panels/", include("panels.urls")),
]

handler500 = "deliberation.site.errors.server_error"
