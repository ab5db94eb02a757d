from django.urls import path

from maillage.territories import views

app_name = "territories"
urlpatterns = [
    path("", views.members, name="members"),
    path("<int:pk>/remove/", views.member_remove, name="member_remove"),
]
