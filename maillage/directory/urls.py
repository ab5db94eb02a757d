from django.urls import path

from maillage.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.territory_home, name="home"),
    path("places/", views.place_search, name="search"),
    path("places/<int:pk>/", views.place_detail, name="place"),
    path("places/<int:pk>/print/", views.place_print, name="place_print"),
    path("manage/", views.manage, name="manage"),
    path(
        "manage/organisations/<int:organisation_id>/places/new/", views.place_new, name="place_new"
    ),
    path("manage/organisations/", views.organisation_list, name="organisations"),
    path("manage/organisations/new/", views.organisation_new, name="organisation_new"),
    path("manage/organisations/<int:pk>/", views.organisation_edit, name="organisation_edit"),
    path(
        "manage/organisations/<int:pk>/members/remove/<int:user_id>/",
        views.organisation_member_remove,
        name="organisation_member_remove",
    ),
    path("manage/places/<int:pk>/edit/", views.place_edit, name="place_edit"),
    path("manage/places/<int:pk>/confirm/", views.place_confirm, name="place_confirm"),
    path("manage/places/<int:pk>/status/", views.place_status, name="place_status"),
    path("manage/places/<int:pk>/history/", views.place_history, name="place_history"),
    path(
        "manage/places/<int:pk>/revert/<int:history_id>/", views.place_revert, name="place_revert"
    ),
]
