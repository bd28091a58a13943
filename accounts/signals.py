from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.passwords import SESSION_KEY, must_change_password


@receiver(user_logged_in, dispatch_uid="accounts-must-change-password")
def remember_required_change(sender, request, user, **kwargs):
    if must_change_password(user):
        request.session[SESSION_KEY] = True
