"""Whether this request came over HTTPS, by the TRACKER_HTTPS setting (auto, on, off)."""

from flask import current_app, has_request_context, request


def served_over_https() -> bool:
    """True when cookies must be Secure and HSTS sent.

    "auto" (the default) trusts the request's scheme: TLS in front of `tracker serve`
    (gunicorn believes X-Forwarded-Proto from the local proxy) makes it HTTPS.
    "on" is for a proxy that does not say so; "off" for plain-HTTP development only.
    """
    mode = current_app.config.get("HTTPS_MODE", "auto")
    if mode == "on":
        return True
    if mode == "off":
        return False
    return has_request_context() and request.is_secure
