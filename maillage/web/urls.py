from django.urls import path

from maillage.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("<slug:territory>/members/", views.members, name="members"),
    path("<slug:territory>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
