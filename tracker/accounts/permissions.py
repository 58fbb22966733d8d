"""Who may do what: role rules as a decorator, record rules as plain functions."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

# Roles that may see names, Hangul names, aliases, detailed origin, contacts,
# confidential sources' identity and free-text notes on persons.
IDENTITY_ROLES = frozenset({"admin", "researcher"})
EDITOR_ROLES = frozenset({"admin", "researcher"})


def can_view_identity(user: Any) -> bool:
    """Whether this user may see identifying fields (analysts never do)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in IDENTITY_ROLES


def can_edit_records(user: Any) -> bool:
    """Whether this user may create, edit and soft-delete records."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in EDITOR_ROLES


def is_admin(user: Any) -> bool:
    """Whether this user administers the installation (accounts, vocabularies, the audit log)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == "admin"


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow the view only to logged-in users with one of `roles` (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
