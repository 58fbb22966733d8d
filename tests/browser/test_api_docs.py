"""The API documentation in a real browser: the vendored Swagger UI renders the document under
the Content-Security-Policy, with no request leaving for another origin."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.session import log_in
from tracker.extensions import db

pytestmark = pytest.mark.browser


def test_the_docs_render_from_our_own_files_under_the_csp(page, live_server):
    factories.make_user("analyst", "reader@example.org")
    db.session.commit()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text or "Refused" in message.text
            else None
        ),
    )
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))

    log_in(page, "reader@example.org")
    page.goto("/account")
    page.get_by_role("link", name="API documentation").click()
    expect(page.get_by_role("heading", name="Repatriation Tracker API")).to_be_visible()
    expect(page.get_by_text("/api/v1/persons/{record_id}/statuses").first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()

    assert problems == []
    origins.discard("")
    assert origins == {urlsplit(live_server).netloc}
