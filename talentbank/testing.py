"""Helpers shared by the tests and the benchmarks (never imported by the running site)."""


def pass_second_factor(client, user):
    """Marks the client's session as verified by a one-time code, when `user` is asked for one."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.second_factor import second_factor

    # A fresh copy: the rule caches the user's roles on the object (participants.access), and the test's own
    # object may yet change.
    fresh = type(user)._default_manager.get(pk=user.pk)
    if not second_factor(fresh):
        return
    device = TOTPDevice.objects.filter(user=fresh, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=fresh, name="Тесты", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def at_once(work, times: int = 2) -> tuple[list, list]:
    """Run `work()` in `times` threads released together, each on its own database connection (closed
    after); (results, exceptions). For tests of concurrent writers (transactional database)."""
    import threading

    from django.db import connection

    results, errors = [], []
    start = threading.Barrier(times)

    def run():
        try:
            start.wait()
            results.append(work())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
