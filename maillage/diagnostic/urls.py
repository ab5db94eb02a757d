from django.urls import path

from maillage.diagnostic import views

app_name = "diagnostic"
urlpatterns = [
    path("", views.home, name="home"),
    path("runs/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/areas.csv", views.run_csv, name="run_csv"),
    path("runs/<int:pk>/squares.csv", views.run_squares_csv, name="run_squares_csv"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/<int:pk>/values/", views.indicator_values, name="indicator_values"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("candidates/", views.candidates, name="candidates"),
    path("matrix/", views.travel_matrix, name="travel_matrix"),
    path("matrix/clear/", views.travel_matrix_clear, name="travel_matrix_clear"),
    path("matrix/template.csv", views.travel_matrix_template, name="travel_matrix_template"),
    path("squares/", views.population_squares, name="population_squares"),
    path("squares/clear/", views.population_squares_clear, name="population_squares_clear"),
]
