from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Учётные записи"

    def ready(self):
        from accounts import signals  # noqa: F401  (connects the login receiver)
