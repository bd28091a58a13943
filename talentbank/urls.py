from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Банк талантов"
admin.site.site_title = "Банк талантов"
admin.site.index_title = "Региональный банк одарённых и высокомотивированных детей и молодёжи"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]
