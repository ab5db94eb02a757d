from django.urls import path

from maillage.interop import views

app_name = "interop"
urlpatterns = [
    path("", views.open_data, name="open_data"),
    path("files/<slug:key>/", views.download, name="download"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_run, name="import_run"),
    path("imports/<int:pk>/report.csv", views.import_report, name="import_report"),
    path("imports/<int:pk>/notes.csv", views.import_notes, name="import_notes"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("conflicts/<int:pk>/", views.conflict_decide, name="conflict_decide"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/", views.duplicate, name="duplicate"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("freshness/<str:token>/", views.answer, name="answer"),
]
