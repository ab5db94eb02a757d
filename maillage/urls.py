from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from maillage.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("maillage.web.urls")),
    path("<slug:territory>/open-data/", include("maillage.interop.urls")),
    path("<slug:territory>/observatory/", include("maillage.observatory.urls")),
    path("<slug:territory>/diagnostic/", include("maillage.diagnostic.urls")),
    path("<slug:territory>/roadmap/", include("maillage.roadmap.urls")),
    path("<slug:territory>/", include("maillage.directory.urls")),
    prefix_default_language=False,
)
