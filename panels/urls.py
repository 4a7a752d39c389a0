from django.urls import path

from panels import views

app_name = "panels"

urlpatterns = [
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/margins/", views.margins, name="margins"),
    path("<slug:slug>/pool/", views.pool, name="pool"),
    path("<slug:slug>/pool/contacts/", views.contacts, name="contacts"),
    path("<slug:slug>/quotas/", views.quotas, name="quotas"),
    path("<slug:slug>/feasibility/", views.feasibility, name="feasibility"),
    path("<slug:slug>/feasibility/relax/", views.apply_relaxation, name="apply_relaxation"),
]
urlpatterns += [
    path("<slug:slug>/compute/", views.compute, name="compute"),
    path("<slug:slug>/runs/<int:run_id>/status/", views.run_status, name="run_status"),
]
