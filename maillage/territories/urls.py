from django.urls import path

from maillage.territories import views

app_name = "territories"
urlpatterns = [
    path("", views.members, name="members"),
    path("<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("lockouts/<int:user_id>/lift/", views.lockout_lift, name="lockout_lift"),
]
