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
