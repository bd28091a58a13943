from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import user_has_device

import audit
from accounts import second_factor as otp
from accounts.forms import AppCodeForm, CodeForm, OwnPasswordForm
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


# Two-factor login (accounts.second_factor) ---------------------------------------------------------


def _next(request) -> str:
    """Where to go once the code is accepted: the page asked for, if it is ours, else the start page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
def verify(request):
    """After the password: the six-digit code from the app, or a recovery code."""
    if otp.is_verified(request) or not otp.second_factor(request.user):
        return redirect(_next(request))
    if not user_has_device(request.user):
        return redirect(f"{reverse('otp_setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp.check_code(request, form.cleaned_data["code"])
        except otp.Refused as refused:
            form.add_error("code", str(refused))
        else:
            otp.log_in(request, device)
            left = otp.recovery_codes_left(request.user)
            if left < 3:
                messages.warning(
                    request,
                    f"Осталось резервных кодов: {left}. Создайте новые на странице «Вход с кодом».",
                )
            return redirect(_next(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def setup(request):
    """Setting up the app: a QR code (or the key typed by hand), then its first code; ten recovery codes
    are shown once. A user who has a device already confirms with it first (the middleware sends them to
    the code page), so a password alone never replaces a device."""
    user = request.user
    rule = otp.second_factor(user)
    if rule is None and not otp.may_choose(user):
        raise PermissionDenied("Вход с одноразовым кодом для вашей учётной записи не предусмотрен.")
    if user_has_device(user) and not otp.is_verified(request):
        return redirect(f"{reverse('otp_verify')}?{request.GET.urlencode()}")
    device = otp.pending_device(user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp.confirm(request, device, form.cleaned_data["code"])
        except otp.Refused as refused:
            form.add_error("code", str(refused))
        else:
            return _show_recovery_codes(request, codes, enrolled=True)
    context = {
        "form": form,
        "required": rule == otp.REQUIRED,
        "qr": otp.qr_data_uri(device),
        "secret": otp.secret_of(device),
        "uri": device.config_url,
        "next": _next(request),
    }
    return render(request, "accounts/otp_setup.html", context)


def _show_recovery_codes(request, codes: list[str], *, enrolled: bool, replaced: int = 0):
    context = {"codes": codes, "enrolled": enrolled, "replaced": replaced, "next": _next(request)}
    response = render(request, "accounts/otp_recovery_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def settings_page(request):
    """«Вход с кодом»: whether the login is confirmed by a code, recovery codes, on and off for school staff."""
    user = request.user
    context = {
        "rule": otp.second_factor(user),
        "may_choose": otp.may_choose(user),
        "codes_left": otp.recovery_codes_left(user),
        "app": otp.app_device(user),
        "form": CodeForm(),
    }
    return render(request, "accounts/otp_settings.html", context)


@login_required
@require_POST
def recovery_codes(request):
    """Ten new recovery codes, shown once; the earlier ones stop working."""
    if not otp.second_factor(request.user) or not otp.is_verified(request):
        raise PermissionDenied("Резервные коды выдаются только после входа с одноразовым кодом.")
    replaced = otp.recovery_codes_left(request.user)
    codes = otp.new_recovery_codes(request.user)
    audit.record(request, audit.OTP_RECOVERY_CODES)
    return _show_recovery_codes(request, codes, enrolled=False, replaced=replaced)


@login_required
@require_POST
def turn_off(request):
    """School staff turn the second factor off, confirming with a current code."""
    if otp.second_factor(request.user) != otp.CHOSEN:
        raise PermissionDenied("Отключить вход с кодом нельзя: для вашей учётной записи он обязателен или не включён.")
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            otp.check_code(request, form.cleaned_data["code"])
        except otp.Refused as refused:
            form.add_error("code", str(refused))
        else:
            otp.turn_off(request)
            messages.success(request, "Вход с одноразовым кодом отключён.")
            return redirect("otp_settings")
    context = {
        "rule": otp.CHOSEN,
        "may_choose": True,
        "codes_left": otp.recovery_codes_left(request.user),
        "app": otp.app_device(request.user),
        "form": form,
    }
    return render(request, "accounts/otp_settings.html", context, status=400)
