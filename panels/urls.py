from django.urls import path

from panels import views

app_name = "panels"

urlpatterns = [
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/regions/", views.regions, name="regions"),
    path("<slug:slug>/margins/", views.margins, name="margins"),
    path("<slug:slug>/margins/template.csv", views.margins_template, name="margins_template"),
    path("<slug:slug>/pool/", views.pool, name="pool"),
    path(
        "<slug:slug>/pool/imports/<int:pool_import_id>/",
        views.pool_import_status,
        name="pool_import_status",
    ),
    path(
        "<slug:slug>/pool/imports/<int:pool_import_id>/cancel/",
        views.cancel_pool_import,
        name="cancel_pool_import",
    ),
    path("<slug:slug>/pool/contacts/", views.contacts, name="contacts"),
    path("<slug:slug>/quotas/", views.quotas, name="quotas"),
    path("<slug:slug>/feasibility/", views.feasibility, name="feasibility"),
    path("<slug:slug>/feasibility/relax/", views.apply_relaxation, name="apply_relaxation"),
]
urlpatterns += [
    path("<slug:slug>/compute/", views.compute, name="compute"),
    path("<slug:slug>/runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("<slug:slug>/runs/<int:run_id>/cancel/", views.cancel_run, name="cancel_run"),
]
urlpatterns += [
    path("<slug:slug>/draw/", views.draw, name="draw"),
    path("<slug:slug>/panel/", views.panel, name="panel"),
    path("<slug:slug>/panel/invite/", views.invite, name="invite"),
    path(
        "<slug:slug>/panel/<int:panelist_id>/status/",
        views.panelist_status,
        name="panelist_status",
    ),
    path("<slug:slug>/panel/<int:panelist_id>/replace/", views.replace, name="replace"),
    path(
        "<slug:slug>/panel/reserves/replace/",
        views.replace_from_reserves,
        name="replace_from_reserves",
    ),
    path("<slug:slug>/confirmations/", views.confirmations, name="confirmations"),
    path(
        "<slug:slug>/confirmations/deadline/",
        views.confirmation_deadline,
        name="confirmation_deadline",
    ),
    path("<slug:slug>/confirmations/remind/", views.send_reminders, name="send_reminders"),
    path(
        "<slug:slug>/panel/<int:panelist_id>/answer/",
        views.record_answer,
        name="record_answer",
    ),
    path("seats/<int:panelist_id>/respond/", views.seat_respond, name="seat_respond"),
    path("<slug:slug>/report/", views.report, name="report"),
    path("<slug:slug>/report/chart.svg", views.report_chart, name="report_chart"),
    path("<slug:slug>/audit/", views.audit, name="audit"),
    path("<slug:slug>/audit/record.json", views.audit_record_json, name="audit_record"),
]
