"""/api/v1/: the routes of every app, the report endpoint, the OpenAPI schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from events.api.views import ROUTES as EVENT_ROUTES
from participants.api.views import ROUTES as PARTICIPANT_ROUTES
from reports.api.views import ReportView

router = DefaultRouter()
for prefix, viewset in PARTICIPANT_ROUTES + EVENT_ROUTES:
    router.register(prefix, viewset, basename=prefix)

urlpatterns = [
    path("reports/<slug:slug>/<int:year>/", ReportView.as_view(), name="api-report"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
