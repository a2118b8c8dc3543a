from django.urls import path

from niaga.insights import charts, views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("national-figures/", views.national_figure, name="national_figure"),
    path("data/<slug:slug>.csv", views.figure_data, {"suffix": "csv"}, name="data_csv"),
    path(
        "data/<slug:slug>.parquet",
        views.figure_data,
        {"suffix": "parquet"},
        name="data_parquet",
    ),
    path("plotly.js", charts.plotly_js, name="plotly_js"),
]
