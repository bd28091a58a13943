"""Accounts: passwords a coordinator gives, which must be changed at the next login, and the lockout page
of login throttling (django-axes, configured in settings)."""
