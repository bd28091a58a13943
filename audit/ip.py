"""The client's address: the one rule used by the audit log and by login throttling (AXES_CLIENT_IP_CALLABLE)."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind PROXY_COUNT proxies, the address the outermost of them saw.

    Each proxy appends the address it was connected from to X-Forwarded-For, so with N trusted proxies
    the client is the N-th entry from the right; entries further left come from the client and can be
    forged. An unparseable address gives None.
    """
    meta = getattr(request, "META", None) or {}
    address = meta.get("REMOTE_ADDR", "")
    count = getattr(settings, "PROXY_COUNT", 0)
    if count > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            address = forwarded[-count]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
