from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from talentbank.views import home

# Any error, wherever raised; a 503 page while the database is unreachable (talentbank/errors.py).
handler500 = "talentbank.errors.server_error"

admin.site.site_header = "Банк талантов"
admin.site.site_title = "Банк талантов"
admin.site.index_title = "Региональный банк одарённых и высокомотивированных детей и молодёжи"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("jobs/", include("jobs.urls")),
    path("api/v1/", include("talentbank.api")),
]
