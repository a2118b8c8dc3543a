from django.urls import path

from niaga.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.registry_home, name="home"),
    path("rosters/", views.rosters, name="rosters"),
    path("rosters/<int:upload_id>/", views.roster_detail, name="roster"),
    path("rosters/<int:upload_id>/problems.csv", views.roster_problems_csv, name="problems_csv"),
    path("rows/<int:row_id>/correct/", views.correct_row, name="correct_row"),
    path("businesses/<int:business_id>/", views.business_detail, name="business"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pair_id>/merge/", views.decide_pair, {"decision": "merge"}, name="merge"),
    path(
        "review/<int:pair_id>/separate/",
        views.decide_pair,
        {"decision": "separate"},
        name="separate",
    ),
    path("merges/<int:merge_id>/undo/", views.undo_merge, name="undo_merge"),
]
