from django.urls import path

from niaga.insights import charts

app_name = "insights"

urlpatterns = [
    path("plotly.js", charts.plotly_js, name="plotly_js"),
]
