from django.urls import path

from surveys.views import fieldwork

app_name = "surveys"

urlpatterns = [
    path("take/<str:token>/", fieldwork.take, name="take"),
    path("take/<str:token>/volunteer/", fieldwork.volunteer, name="volunteer"),
    path("open/<str:token>/", fieldwork.open_link, name="open_link"),
]
