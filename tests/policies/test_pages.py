"""The privacy notice and accessibility statement: the organisation's own settings,
the keeping times retention applies, and a link from every page's footer."""

from __future__ import annotations

import html

import pytest

from ..conftest import login_as
from ..factories import make_course, make_user

SETTINGS = {
    "ORG_NAME": "Kent Volunteer Hub",
    "ORG_EMAIL": "hello@kentvolunteers.example",
    "ORG_ADDRESS": "1 High Street, Maidstone ME14 1AA",
    "CHARITY_NUMBER": "1234567",
    "RETENTION_NEEDS_DAYS": 45,
    "RETENTION_MAIL_DAYS": 120,
}


@pytest.fixture
def organisation(app):
    saved = {name: app.config[name] for name in SETTINGS}
    app.config.update(SETTINGS)
    yield
    app.config.update(saved)


def test_privacy_notice_uses_the_settings_and_the_keeping_times(client, organisation):
    page = html.unescape(client.get("/privacy").get_data(as_text=True))
    assert "<h1>Privacy notice</h1>" in page
    for text in (
        "Kent Volunteer Hub",
        "registered charity number 1234567",
        "Maidstone ME14 1AA",
        "hello@kentvolunteers.example",
        "Erased 45 days after the session ends.",
        "deleted 120 days after it was sent",
        "deleted after 30 days",
        "within 7 days, we delete it",
    ):
        assert text in page, text


def test_accessibility_statement_uses_the_settings(client, organisation):
    page = html.unescape(client.get("/accessibility").get_data(as_text=True))
    assert "<h1>Accessibility statement</h1>" in page
    assert "Kent Volunteer Hub wants as many people" in page
    assert "hello@kentvolunteers.example" in page
    assert "never use a captcha" in page and "WCAG" in page


def test_every_page_links_to_privacy_and_accessibility_in_its_footer(client):
    course = make_course(slug="first-aid")
    pages = ["/", "/courses", "/courses/first-aid", "/news", "/contact", "/no-such-page"]
    for path in pages:
        footer = client.get(path).get_data(as_text=True).split('<footer class="site-footer">')[1]
        assert 'href="/privacy"' in footer and 'href="/accessibility"' in footer, path
    login_as(client, make_user("staff"))
    footer = client.get("/staff").get_data(as_text=True).split("<footer")[1]
    assert 'href="/privacy"' in footer
    assert course.slug == "first-aid"
