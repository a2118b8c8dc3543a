from django.urls import path

from niaga.insights.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.lab, name="lab"),
]
