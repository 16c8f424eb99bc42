"""Headers every answer carries, and pages that fit the Content-Security-Policy."""

from __future__ import annotations

import re

from ..conftest import CSRF_RE, login_as
from ..factories import make_booking, make_session


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    parts = [p.strip().split(None, 1) for p in header.split(";") if p.strip()]
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def assert_hardened(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    # same-origin, not no-referrer: over HTTPS Flask-WTF needs the Referer of form posts.
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_errors_and_files_carry_the_security_headers(client):
    session = make_session()
    for path in (
        "/",
        "/courses",
        "/auth/login",
        "/no-such-page",
        f"/courses/{session.course.slug}",
        "/calendar.ics",
        "/api/v1/courses",
        "/brochures/voluntary.pdf",
        "/static/css/site.css",
    ):
        assert_hardened(client.get(path))


def test_pages_forbid_scripts_inline_styles_and_framing(client):
    rules = policy(client.get("/"))
    assert rules["default-src"] == "'self'"
    assert rules["script-src"] == "'none'"
    assert rules["style-src"] == "'self'"  # no 'unsafe-inline'
    assert rules["frame-ancestors"] == "'none'"
    assert rules["object-src"] == "'none'"
    assert rules["form-action"] == "'self'"
    assert policy(client.get("/no-such-page")) == rules


def test_password_reset_page_keeps_its_token_off_other_sites(client):
    response = client.get("/auth/reset/some-token")
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_forms_post_over_https_with_the_referer_the_policy_keeps(client, owner):
    from ..factories import PASSWORD

    base = "https://training.example.org"
    page = client.get("/auth/login", base_url=base).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.post(
        "/auth/login",
        base_url=base,
        data={"csrf_token": token, "email": owner.email, "password": PASSWORD},
        headers={"Referer": f"{base}/auth/login"},
    )
    assert response.status_code == 302


def test_pages_have_no_inline_styles_or_scripts(client, trainer, staff):
    """What the policy forbids would break silently, so no page may use it."""
    session = make_session(trainer=trainer, capacity=5)
    make_booking(session)
    pages = []
    login_as(client, trainer)
    pages += [client.get("/trainer/sessions"), client.get(f"/trainer/sessions/{session.id}")]
    login_as(client, staff)
    for path in ("/", "/courses", "/staff", "/staff/sessions", "/staff/bookings", "/account"):
        pages.append(client.get(path))
    for response in pages:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert not re.search(r"\sstyle=", html), response.request.path
        assert "<script" not in html and "<style" not in html, response.request.path
        assert not re.search(r"\son[a-z]+=", html), response.request.path


def test_fill_bars_are_drawn_by_stylesheet_classes(client, trainer):
    session = make_session(trainer=trainer, capacity=5)
    for _ in range(3):
        make_booking(session)
    login_as(client, trainer)
    html = client.get("/trainer/sessions").get_data(as_text=True)
    assert 'class="fill-60"' in html
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert ".bar > .fill-60 { width: 60%; }" in css


def test_session_cookie_is_httponly_and_same_site(client, owner):
    from ..conftest import post_form
    from ..factories import PASSWORD

    response = post_form(client, "/auth/login", {"email": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_debug_is_off():
    import config

    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True
    assert config.ProductionConfig.REMEMBER_COOKIE_SECURE is True
    for cls in (config.Config, config.DevelopmentConfig, config.ProductionConfig):
        assert not getattr(cls, "DEBUG", False)


def test_make_run_never_turns_on_the_debugger():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "--debug" not in run and "FLASK_DEBUG" not in run
