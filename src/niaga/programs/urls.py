from django.urls import path

from niaga.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path("applications/<int:application_id>/move/", views.transition, name="transition"),
    path(
        "applications/<int:application_id>/request-approval/",
        views.request_approval,
        name="request_approval",
    ),
    path("applications/<int:application_id>/approve/", views.approve, name="approve"),
    path("applications/<int:application_id>/onboard/", views.onboard, name="onboard"),
    path(
        "applications/<int:application_id>/readiness/",
        views.questionnaire,
        name="questionnaire",
    ),
    path(
        "applications/<int:application_id>/credentials/<uuid:public_id>/revoke/",
        views.revoke,
        name="revoke",
    ),
    path("mentoring/", views.mentoring, name="mentoring"),
    path("mentoring/<int:session_id>/", views.session_detail, name="session"),
    path("commissions/", views.commissions, name="commissions"),
    path("<slug:slug>/", views.programme_detail, name="detail"),
    path("<slug:slug>/apply/", views.apply, name="apply"),
    path("<slug:slug>/rules/", views.edit_rules, name="rules"),
    path("<slug:slug>/rules/history/", views.rule_versions, name="rule_versions"),
    path("<slug:slug>/queue/", views.queue, name="queue"),
    path("<slug:slug>/queue/bulk/", views.bulk_action, name="bulk"),
    path("<slug:slug>/nominate/", views.nominate, name="nominate"),
    path("<slug:slug>/shortlist/", views.shortlist, name="shortlist"),
    path("<slug:slug>/shortlist.csv", views.shortlist_csv, name="shortlist_csv"),
    path("<slug:slug>/suppliers/", views.suppliers, name="suppliers"),
]
