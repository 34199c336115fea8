"""Security headers on every response (DESIGN.md section 6).

The policy allows no inline script or style at all: templates carry behaviour in
static files driven by data-* attributes, and no template uses ``style=``.
"""

from __future__ import annotations

from flask import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def add_security_headers(response: Response) -> Response:
    """Set on every response, error pages and static files included."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
