"""A new installation in a real browser: set up the first admin, log out, log back in."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EMAIL = "founder@example.org"
PASSWORD = "a long enough passphrase"


def test_first_visit_sets_up_the_admin_then_login_reaches_the_dashboard(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create the admin account").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("The admin account is ready.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto("/setup")
    expect(page.get_by_role("heading", name="There is nothing here.")).to_be_visible()

    page.goto("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("wrong password, try again")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Email or password is wrong.")).to_be_visible()

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="Accounts")).to_be_visible()


def test_setup_shows_field_errors_next_to_the_fields(page):
    page.goto("/setup")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create the admin account").click()
    expect(page.get_by_text("Use at least 12 and at most 128 characters.")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
