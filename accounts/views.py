from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.forms import OwnPasswordForm
from accounts.passwords import SESSION_KEY, password_changed


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = OwnPasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        return super().get_context_data(required=bool(self.request.session.get(SESSION_KEY)), **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(self.request)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
