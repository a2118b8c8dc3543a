"""Public pages where anyone checks a curation credential; no sign-in needed."""

from django.urls import path

from niaga.programs import views

app_name = "credentials"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("<uuid:public_id>/", views.credential_page, name="detail"),
    path("<uuid:public_id>/credential.json", views.credential_download, name="download"),
]
