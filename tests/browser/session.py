"""Logging in through the login page, as the workspace journeys do."""

from playwright.sync_api import Locator, Page, expect

from tests import factories


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def search_box(page: Page, label: str) -> Locator:
    """A search-as-you-type picker's box, once the page's script has built it.

    Until then the label names the plain select, which the script then hides: filling it
    straight after a navigation races the script (CI saw "element is not visible").
    """
    return page.locator(".picker").get_by_label(label, exact=True)
