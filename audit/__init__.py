"""Who did what and when: logins (also failed ones), one-time codes (accepted, wrong, set up, turned off),
downloads of справки, exports and pupil cards, password resets, API tokens issued and revoked.

    import audit
    audit.record(request, audit.DOWNLOAD_EXPORT, "tomsk-mkr/2019: bank.xlsx")

`record` is the one way to write an event (logins are written by audit.signals). Events are rows of
audit.AuditEvent; coordinators and superusers read them in the admin («Журнал входов и выгрузок»).
"""

LOGIN = "login"
LOGIN_FAILED = "login_failed"
DOWNLOAD_REPORT_PDF = "download_report_pdf"
DOWNLOAD_REPORT_XLSX = "download_report_xlsx"
DOWNLOAD_EXPORT = "download_export"
PASSWORD_RESET = "password_reset"
TOKEN_ISSUED = "token_issued"
TOKEN_REVOKED = "token_revoked"
OTP_VERIFIED = "otp_verified"
OTP_FAILED = "otp_failed"
OTP_ENROLLED = "otp_enrolled"
OTP_RECOVERY_CODES = "otp_recovery_codes"
OTP_DISABLED = "otp_disabled"
APPROVE_REPORT = "approve_report"
DOWNLOAD_CARD_PDF = "download_card_pdf"

ACTIONS = {
    LOGIN: "Вход",
    LOGIN_FAILED: "Неудачный вход",
    DOWNLOAD_REPORT_PDF: "Справка в PDF",
    DOWNLOAD_REPORT_XLSX: "Справка в Excel",
    DOWNLOAD_EXPORT: "Выгрузка банка",
    PASSWORD_RESET: "Новый пароль от координатора",
    TOKEN_ISSUED: "Выдан токен API",
    TOKEN_REVOKED: "Отозван токен API",
    OTP_VERIFIED: "Вход подтверждён кодом",
    OTP_FAILED: "Неверный одноразовый код",
    OTP_ENROLLED: "Подключён вход с кодом",
    OTP_RECOVERY_CODES: "Новые резервные коды",
    OTP_DISABLED: "Вход с кодом отключён",
    APPROVE_REPORT: "Справка утверждена",
    DOWNLOAD_CARD_PDF: "Карточка участника в PDF",
}


def record(request, action: str, what: str = "", *, user=None, username: str | None = None):
    """Writes one event and returns it.

    request: the HTTP request (Django's or DRF's) or None; gives the client's address and, when neither
    `user` nor `username` is given, the signed-in user. username defaults to the user's; for a failed
    login it is what was typed.
    """
    from audit.ip import client_ip
    from audit.models import AuditEvent

    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}; expected one of {sorted(ACTIONS)}")
    if user is None and username is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if username is None:
        username = user.get_username() if user is not None else ""
    return AuditEvent.objects.create(
        user=user,
        username=username[:150],
        action=action,
        what=what,
        ip=client_ip(request) if request is not None else None,
    )
