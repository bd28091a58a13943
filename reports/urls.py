from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("<slug:slug>/trends/", views.programme_trends, name="trends"),
    path("<slug:slug>/<int:year>/", views.report_detail, name="detail"),
    path("<slug:slug>/<int:year>/pdf/", views.report_pdf, name="pdf"),
    path("<slug:slug>/<int:year>/xlsx/", views.report_xlsx, name="xlsx"),
    path("<slug:slug>/<int:year>/approve/", views.approve, name="approve"),
    path("<slug:slug>/<int:year>/compare/", views.compare, name="compare"),
    path("<slug:slug>/<int:year>/v<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/<int:year>/v<int:number>/pdf/", views.version_pdf, name="version_pdf"),
    path("<slug:slug>/<int:year>/v<int:number>/xlsx/", views.version_xlsx, name="version_xlsx"),
]
