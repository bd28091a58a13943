from django import forms
from django.contrib.auth.forms import PasswordChangeForm


class OwnPasswordForm(PasswordChangeForm):
    """Django's password change (old password, new one twice, the password validators), and the new
    password may not be the old one: a password given by a coordinator has to be replaced."""

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password2")
        if new and new == cleaned.get("old_password"):
            self.add_error("new_password2", "Новый пароль должен отличаться от прежнего.")
        return cleaned


class CodeForm(forms.Form):
    """A one-time code: six digits from the app, or a recovery code."""

    code = forms.CharField(
        label="Код",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "size": 12}
        ),
        error_messages={"required": "Введите код."},
    )


class AppCodeForm(CodeForm):
    """The six digits the app shows (setting the app up)."""

    code = forms.CharField(
        label="Код из приложения",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
        error_messages={"required": "Введите шесть цифр из приложения."},
    )
