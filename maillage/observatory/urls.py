from django.urls import path

from maillage.observatory import views

app_name = "observatory"
urlpatterns = [
    path("", views.panorama, name="panorama"),
    path("communes/<str:code>/", views.commune, name="commune"),
    path("methodology/", views.methodology, name="methodology"),
    path("estimates.csv", views.estimates_csv, name="estimates_csv"),
    path("compare/", views.compare, name="compare"),
    path("grid/", views.grid_page, name="grid"),
    path("manage/", views.manage, name="manage"),
    path("manage/waves/new/", views.wave_new, name="wave_new"),
    path("manage/waves/<int:pk>/import/", views.wave_import, name="wave_import"),
    path("manage/reports/<int:pk>/", views.report, name="report"),
    path("manage/reports/<int:pk>/report.csv", views.report_csv, name="report_csv"),
    path("manage/margins/new/", views.margins_new, name="margins_new"),
    path("manage/runs/new/", views.run_new, name="run_new"),
    path("manage/runs/<int:pk>/", views.run_progress, name="run_progress"),
    path("manage/runs/<int:pk>/status/", views.run_status, name="run_status"),
]
