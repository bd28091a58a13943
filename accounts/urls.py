from django.urls import path

from accounts import views

urlpatterns = [
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("otp/", views.settings_page, name="otp_settings"),
    path("otp/verify/", views.verify, name="otp_verify"),
    path("otp/setup/", views.setup, name="otp_setup"),
    path("otp/recovery-codes/", views.recovery_codes, name="otp_recovery_codes"),
    path("otp/off/", views.turn_off, name="otp_turn_off"),
]
