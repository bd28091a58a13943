from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("<uuid:job_id>/", views.job_page, name="job"),
    path("<uuid:job_id>/state/", views.job_state, name="state"),
    path("<uuid:job_id>/file/", views.job_file, name="file"),
    path("<uuid:job_id>/open/", views.job_open, name="open"),
]
