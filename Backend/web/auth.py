"""Bearer-token protection of the admin routes."""

from __future__ import annotations

import hashlib
import hmac
from functools import wraps

from flask import current_app, request

from domain.fields import FieldError
from web.http import ApiError


def _digest(value: str) -> bytes:
    # Comparing fixed-length digests keeps the comparison time independent of how much of the token matched.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def require_admin(view):
    """503 when no ADMIN_API_TOKEN is configured, 401 without the right `Authorization: Bearer` token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = current_app.config["FRAUD_CONFIG"].ADMIN_API_TOKEN
        if not token:
            raise ApiError(503, "Admin API disabled: set ADMIN_API_TOKEN in the environment to enable it")
        scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(_digest(supplied.strip()), _digest(token)):
            raise ApiError(
                401, "Missing or wrong admin token", [FieldError("Authorization", "expected: Bearer <ADMIN_API_TOKEN>")]
            )
        return view(*args, **kwargs)

    return wrapper
