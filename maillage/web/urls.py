from django.urls import path

from maillage.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
]
