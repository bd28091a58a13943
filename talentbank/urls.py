from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from reports import views as report_views

admin.site.site_header = "Банк талантов"
admin.site.site_title = "Банк талантов"
admin.site.index_title = "Региональный банк одарённых и высокомотивированных детей и молодёжи"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("api/v1/reports/<slug:slug>/<int:year>/", report_views.report_json, name="api-report"),
]
