from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from maillage.api import api
from maillage.territories import views as territories_views
from maillage.web import operations

handler500 = operations.server_error

urlpatterns = [
    path("healthz", operations.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<str:token>/", territories_views.invitation, name="invitation"),
    path(
        "invitation/<str:token>/accept/",
        territories_views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "invitation/<str:token>/decline/",
        territories_views.invitation_decline,
        name="invitation_decline",
    ),
    path("my-roles/", territories_views.my_roles, name="my_roles"),
    path("my-roles/<int:pk>/leave/", territories_views.membership_leave, name="membership_leave"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="web/password_reset.html",
            email_template_name="web/password_reset_email.txt",
            subject_template_name="web/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="web/password_reset_done.html"),
        name="password_reset_complete",
    ),
    path("", include("maillage.web.urls")),
    path("<slug:territory>/members/", include("maillage.territories.urls")),
    path("<slug:territory>/open-data/", include("maillage.interop.urls")),
    path("<slug:territory>/observatory/", include("maillage.observatory.urls")),
    path("<slug:territory>/diagnostic/", include("maillage.diagnostic.urls")),
    path("<slug:territory>/roadmap/", include("maillage.roadmap.urls")),
    path("<slug:territory>/", include("maillage.directory.urls")),
    prefix_default_language=False,
)
