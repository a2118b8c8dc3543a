from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from niaga.accounts import views as account_views
from niaga.api import api

admin.site.site_header = "Niaga"
admin.site.site_title = "Niaga"

urlpatterns = [
    path("", account_views.landing, name="landing"),
    path("accounts/", include("niaga.accounts.urls")),
    path("registry/", include("niaga.registry.urls")),
    path("programmes/", include("niaga.programs.urls")),
    path("credentials/", include("niaga.programs.credential_urls")),
    path("orders/", include("niaga.assurance.urls")),
    path("insights/", include("niaga.insights.urls")),
    path("policy/", include("niaga.insights.policy.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
]
