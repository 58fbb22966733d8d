"""Security headers on every response, error pages included."""

from flask import Flask, request
from werkzeug.wrappers import Response

from tracker.security.https import served_over_https

# No inline script or style anywhere: the only scripts and styles are our own files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

HSTS = "max-age=31536000; includeSubDomains"


def set_security_headers(response: Response) -> Response:
    """Add the header set; no caching of anything but static files; no server banner."""
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if served_over_https():
        response.headers["Strict-Transport-Security"] = HSTS
    # A page that changes only with the data may be kept by the browser and revalidated
    # (tracker/caching/conditional.py: private, never a shared proxy); nothing else is kept.
    if request.endpoint != "static" and not response.cache_control.private:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    response.headers.pop("Server", None)
    return response


def init_app(app: Flask) -> None:
    """Run after every request, including those answered by an error handler."""
    app.after_request(set_security_headers)
