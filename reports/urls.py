from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("<slug:slug>/<int:year>/", views.report_detail, name="detail"),
    path("<slug:slug>/<int:year>/pdf/", views.report_pdf, name="pdf"),
    path("<slug:slug>/<int:year>/xlsx/", views.report_xlsx, name="xlsx"),
]
