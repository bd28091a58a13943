from django.shortcuts import redirect
from django.urls import reverse

from accounts.passwords import SESSION_KEY


class PasswordChangeRequiredMiddleware:
    """A user signed in with a password somebody else gave them sees only the password change page
    (and may sign out) until they choose their own."""

    ALLOWED = ("password_change", "logout", "admin:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(SESSION_KEY) and request.user.is_authenticated:
            if request.path_info not in {reverse(name) for name in self.ALLOWED}:
                return redirect("password_change")
        return self.get_response(request)
