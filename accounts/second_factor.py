"""Two-factor login: who confirms their login with a one-time code, and the devices behind it (django-otp).

- superusers and regional coordinators (those who run the bank) must: a code from an authenticator app
  (TOTP, otp_totp), or one of ten single-use recovery codes (otp_static);
- school staff may: once they have a confirmed device they are asked at every login, until they turn it off;
- anyone else (officials) is not asked.

`second_factor(user)` is that rule, and the only place it is written. After the password step
accounts.middleware.SecondFactorMiddleware lets a user it names reach nothing but the code pages and logout
until a code is accepted in this session (django_otp.login puts the device in the session).
"""

from base64 import b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from participants.access import access_for

REQUIRED = "required"  # superusers and coordinators: cannot be turned off
CHOSEN = "chosen"  # school staff who turned it on

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Приложение"
RECOVERY_DEVICE_NAME = "Резервные коды"


def second_factor(user) -> str | None:
    """Whether `user` confirms their login with a one-time code: REQUIRED (superusers and regional
    coordinators), CHOSEN (school staff with a confirmed device), or None (not asked)."""
    if not user.is_authenticated:
        return None
    access = access_for(user)
    if access.runs_the_bank:
        return REQUIRED
    if access.is_school_staff and user_has_device(user):
        return CHOSEN
    return None


def may_choose(user) -> bool:
    """School staff may turn the second factor on and off; it is not theirs to choose otherwise."""
    access = access_for(user)
    return user.is_authenticated and access.is_school_staff and not access.runs_the_bank


def is_verified(request) -> bool:
    """A code was accepted in this session (django_otp's OTPMiddleware reads the session)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def app_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).order_by("pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


class Refused(Exception):
    """The code was not accepted; the message says why, in Russian."""


WRONG_CODE = (
    "Неверный код. Введите новый код из приложения (проверьте, что время на телефоне точное) или резервный код."
)


# Enrolment ---------------------------------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The not yet confirmed app device being set up; the same key across reloads of the page."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI of the device as an SVG QR code, for an <img> (the CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def confirm(request, device: TOTPDevice, code: str) -> list[str]:
    """The first code from the app: the device becomes the user's only app device, the session counts as
    verified, and ten new recovery codes are returned (to be shown once). Refused if the code is wrong."""
    code = normalise(code)
    _refuse_if_throttled(request, device, "подключение приложения")
    if not (code.isdigit() and device.verify_token(code)):
        audit.record(request, audit.OTP_FAILED, "подключение приложения")
        raise Refused(WRONG_CODE)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        codes = new_recovery_codes(device.user)
    otp_login(request, device)
    audit.record(request, audit.OTP_ENROLLED)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Ten fresh single-use recovery codes; the earlier ones stop working."""
    with transaction.atomic():
        device = recovery_device(user)
        if device is None:
            device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        device.token_set.all().delete()
        codes = set()
        while len(codes) < RECOVERY_CODES:
            codes.add(StaticToken.random_token())
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in sorted(codes)])
    return sorted(codes)


def log_in(request, device) -> None:
    """The code was right: this session counts as verified (a new session key, as at a password login)."""
    otp_login(request, device)
    request.session.cycle_key()
    kind = "резервный код" if isinstance(device, StaticDevice) else "код из приложения"
    if isinstance(device, StaticDevice):
        kind += f", осталось {recovery_codes_left(request.user)}"
    audit.record(request, audit.OTP_VERIFIED, kind)


def turn_off(request) -> None:
    """School staff turn the second factor off: every device of theirs goes."""
    for device in list(devices_for_user(request.user, confirmed=None)):
        device.delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    audit.record(request, audit.OTP_DISABLED)


# Verification ------------------------------------------------------------------------------------


def normalise(code: str) -> str:
    """What was typed, without spaces and dashes, in lower case (recovery codes are base32)."""
    return "".join(code.split()).replace("-", "").lower()


def check_code(request, code: str) -> TOTPDevice | StaticDevice:
    """The device of request.user that accepts `code` (a six-digit app code or a recovery code, which is
    then used up), or Refused. Failed attempts are throttled per device by django-otp (1, 2, 4, 8 … s after
    successive failures) and written to the audit log."""
    user = request.user
    code = normalise(code)
    is_app_code = code.isdigit() and len(code) == 6
    kind = "код из приложения" if is_app_code else "резервный код"
    devices = (
        list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
        if is_app_code
        else list(StaticDevice.objects.devices_for_user(user, confirmed=True))
    )
    for device in devices:
        _refuse_if_throttled(request, device, kind)
    with transaction.atomic():
        for device in devices:
            # Locked for update: two requests cannot both spend one recovery code or one app code.
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(code):
                return locked
    audit.record(request, audit.OTP_FAILED, kind)
    raise Refused(WRONG_CODE)


def _refuse_if_throttled(request, device, kind: str) -> None:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)
        audit.record(request, audit.OTP_FAILED, f"{kind}: повтор до конца паузы после неверных кодов")
        raise Refused(f"Слишком много неверных кодов подряд. Повторите через {wait} с.")


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now for `device` (demo_code, browser tests)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"
