"""Conditional requests for pages that change only when the data does (the dashboard, the
summary API, an analyst's lists): an ETag from the data version and everything else the page
depends on, 304 when the browser's copy is still the page, and `Cache-Control: private,
no-cache`: a browser may keep such a page and must ask before reusing it; a shared proxy never
keeps it. A page showing identities is never kept at all (the security headers' no-store)."""

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from tracker import __version__
from tracker.accounts.permissions import can_view_identity
from tracker.caching.services import cached, current_version, key_of
from tracker.db import utcnow
from tracker.i18n import current_language
from tracker.requests import is_api_request
from tracker.resources import resource_dir

F = TypeVar("F", bound=Callable[..., Any])
REVALIDATE = "private, no-cache"


@functools.cache
def _build() -> str:
    """This installation's code and templates: a page kept before an upgrade is not reused
    after it (the same in every process of one installation)."""
    newest = max(
        (path.stat().st_mtime_ns for path in resource_dir("templates").rglob("*.html")), default=0
    )
    return f"{__version__}:{newest}"


def etag_for(*parts: object) -> str | None:
    """The page's entity tag: the data version, the address with its query, who is asking
    (their role, language and session: a kept page carries that session's CSRF token), the
    installation's build, the day (what is urgent, and how many days are left, change with
    it), and whatever else the caller names. None when the page may not be
    kept (no data version yet, or a message waiting to be shown once)."""
    version = current_version()
    if version is None or session.get("_flashes"):
        return None
    if not is_api_request():
        generate_csrf()  # the session's token, which the page's forms carry, exists from now on
    csrf = session.get("csrf_token") or ""
    viewer = (
        getattr(current_user, "id", None),
        hashlib.sha256(str(csrf).encode()).hexdigest()[:16],
    )
    return key_of(version, *shared_page_parts(), viewer, *parts)[:32]


def shared_page_parts() -> tuple[Any, ...]:
    """What a page shown alike to every viewer of one role depends on besides the data: the
    installation's build, the day, the address with its query, the role and the language."""
    query = sorted(request.args.items(multi=True))
    role = getattr(current_user, "role", None)
    return (_build(), utcnow().date(), request.path, query, role, current_language())


def rendered_once_per_version(render: Callable[[], str]) -> str:
    """A part of a page rendered once per data version and shared by every viewer of one role
    and language, in every process (tracker/caching): only for a part that shows no
    identity and carries nothing of one session (no CSRF token)."""
    return cached("page", shared_page_parts(), render)


def revalidated(response: Response, etag: str) -> Response:
    """Mark a page as kept by the browser only, revalidated by its entity tag."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = REVALIDATE
    return response


def _sees_no_identity() -> bool:
    return not can_view_identity(current_user)


def kept_until_the_data_changes(when: Callable[[], bool] = _sees_no_identity) -> Callable[[F], F]:
    """A view whose page changes only with the data: 304 when the browser's copy is still
    the page, else the page with its ETag. `when` says whether this viewer's page may be kept
    at all: by default only for those who may not see identities (a researcher's list shows
    names, their dashboard a confidential source's name: such a page is never kept)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            etag = etag_for() if request.method == "GET" and when() else None
            if etag is None:
                return view(*args, **kwargs)
            if request.if_none_match.contains(etag):
                return revalidated(Response(status=304), etag)
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200:
                revalidated(response, etag)
            return response

        return wrapped  # type: ignore[return-value]

    return decorator
