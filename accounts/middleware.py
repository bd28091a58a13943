from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from accounts.passwords import SESSION_KEY
from accounts.second_factor import is_verified, second_factor

# The pages a signed-in user whose second factor is not yet confirmed may open (besides signing out).
SECOND_FACTOR_PAGES = ("otp_verify", "otp_setup")
LOGOUT_PAGES = ("logout", "admin:logout")
API_PREFIX = "/api/"
API_REFUSED = (
    "Вход не подтверждён одноразовым кодом. Введите код на странице /accounts/otp/verify/ "
    "или обращайтесь к API с токеном (Authorization: Token …)."
)


class SecondFactorMiddleware:
    """A user who must confirm their login with a one-time code (accounts.second_factor.second_factor) and
    has not done so in this session reaches only the code page (or, without a confirmed app, the page
    that sets one up) and logout: other pages redirect there, the API via the session answers 403 JSON.
    The API with a token (Authorization: Token …) is not affected: DRF authenticates it without the session.

    Placed after AuthenticationMiddleware and django_otp's OTPMiddleware (which marks request.user as
    verified from the session), and before PasswordChangeRequiredMiddleware: a password someone else gave
    a user is changed only once the second factor has confirmed who they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not is_verified(request) and not self._exempt(request):
            if second_factor(request.user):
                return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        path = request.path_info
        if path.startswith(API_PREFIX):
            return request.headers.get("Authorization", "").split(" ")[0].lower() == "token"
        return path in {reverse(name) for name in SECOND_FACTOR_PAGES + LOGOUT_PAGES}

    @staticmethod
    def _refuse(request):
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": API_REFUSED}, status=403, json_dumps_params={"ensure_ascii": False})
        page = "otp_verify" if user_has_device(request.user) else "otp_setup"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")


class PasswordChangeRequiredMiddleware:
    """A user signed in with a password somebody else gave them sees only the password change page
    (and may sign out) until they choose their own. The second factor's pages stay open: the second
    factor comes first (SecondFactorMiddleware)."""

    ALLOWED = ("password_change", *LOGOUT_PAGES, *SECOND_FACTOR_PAGES)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(SESSION_KEY) and request.user.is_authenticated:
            if request.path_info not in {reverse(name) for name in self.ALLOWED}:
                return redirect("password_change")
        return self.get_response(request)
