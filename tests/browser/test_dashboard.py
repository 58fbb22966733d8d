"""An analyst filters the dashboard in a real browser and every figure, chart and table follows."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tracker.extensions import db
from tracker.sample.services import load_october_2023

pytestmark = pytest.mark.browser


def test_a_filter_changes_every_chart_and_table(page, app):
    load_october_2023()
    analyst = factories.make_user("analyst")
    db.session.commit()
    page.goto("/login")
    page.get_by_label("Email").fill(analyst.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()

    reported = page.locator('[data-figure="reported"]')
    expect(reported).to_have_text("~480–?")
    crossing_chart = page.locator("#chart-crossing-desc")
    expect(crossing_chart).to_contain_text("Dandong")
    expect(page.locator("#table-month")).to_contain_text("480–?")

    page.get_by_label("Crossing point", exact=True).select_option(label="Onsong")
    page.get_by_role("button", name="Apply filters").click()

    expect(reported).to_have_text("300–?")
    expect(page.locator('[data-figure="events"]')).to_have_text("1")
    expect(crossing_chart).not_to_contain_text("Dandong")
    expect(crossing_chart).to_contain_text("Onsong: reported 300–?")
    expect(page.locator("#table-month")).to_contain_text("300–?")
    expect(page.locator("#table-month")).not_to_contain_text("480")
    expect(page.locator("#map-desc")).not_to_contain_text("Dandong")
    # the filter stays chosen, and lives in the URL so the view can be shared and reloaded
    selected = page.get_by_label("Crossing point", exact=True).locator("option:checked")
    expect(selected).to_have_text("Onsong")
    assert "crossing_id=" in page.url
