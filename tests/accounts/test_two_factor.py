"""Two-factor sign-in: set-up with a QR code, the second step, recovery codes, devices, off."""

from __future__ import annotations

from html import unescape

import pyotp
import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import RecoveryCode, TwoFactor, User

from ..conftest import csrf_token, login_as, post_form
from ..factories import PASSWORD, make_user
from ..two_factor_helpers import (
    KEY_RE,
    RECOVERY_RE,
    STEP,
    code,
    password_step,
    second_step,
    set_up,
    signed_in,
    turn_on,
)


def error_beside(html: str, field_id: str = "code") -> str:
    marker = f'<p class="error-message" id="{field_id}-error">'
    return unescape(html.split(marker, 1)[1].split("</p>", 1)[0]) if marker in html else ""


def test_set_up_shows_a_qr_code_as_inline_svg_and_the_key_as_text(client):
    user = make_user(email="ann@example.org")
    login_as(client, user)

    response = client.get("/account/two-factor")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "aria-label=" in svg
    # The policy allows no inline style: the drawing uses presentation attributes only.
    assert "style" not in svg and "<script" not in html
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    secret = KEY_RE.search(html).group(1).replace(" ", "")
    assert len(secret) == 32
    # The same key while the page is reloaded, so a slow scan still matches.
    assert KEY_RE.search(client.get("/account/two-factor").get_data(as_text=True)).group(1)


def test_a_code_from_the_app_turns_it_on_and_ten_recovery_codes_are_shown_once(client):
    user = make_user(email="ann@example.org")
    login_as(client, user)

    secret, codes, html = set_up(client)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert "only time they are shown" in html
    assert db.session.get(TwoFactor, user.id).secret == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored)  # hashes, not the codes
    # Back on the page: settings, and no codes again.
    again = client.get("/account/two-factor").get_data(as_text=True)
    assert "10</strong> unused recovery codes" in again
    assert not RECOVERY_RE.findall(again)


def test_a_wrong_set_up_code_is_refused_beside_the_field(client):
    user = make_user()
    login_as(client, user)
    client.get("/account/two-factor")

    response = post_form(client, "/account/two-factor", {"code": "123456"})

    assert response.status_code == 400
    assert "That code is not right" in error_beside(response.get_data(as_text=True))
    assert db.session.get(TwoFactor, user.id) is None


def test_the_right_password_alone_does_not_sign_in(client):
    user = make_user()
    turn_on(user)

    response = password_step(client, user)

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/two-factor"
    assert not signed_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_a_code_computed_from_the_secret_signs_in_within_one_step_either_way(client, steps):
    user = make_user()
    secret = turn_on(user)
    password_step(client, user)

    response = second_step(client, code(secret, steps))

    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("steps", [-2, 2])
def test_a_code_two_steps_away_is_refused(client, steps):
    user = make_user()
    secret = turn_on(user)
    password_step(client, user)

    response = second_step(client, code(secret, steps))

    assert response.status_code == 400
    assert "That code is not right" in error_beside(response.get_data(as_text=True))
    assert not signed_in(client)


def test_the_same_code_used_twice_is_refused(app):
    user = make_user()
    secret = turn_on(user)
    entered = code(secret)
    first, second = app.test_client(), app.test_client()
    password_step(first, user)
    password_step(second, user)

    assert second_step(first, entered).status_code == 302
    response = second_step(second, entered)

    assert response.status_code == 400
    assert "already been used" in error_beside(response.get_data(as_text=True))
    assert not signed_in(second)


def test_an_earlier_code_after_a_later_one_is_refused(client):
    user = make_user()
    secret = turn_on(user)
    password_step(client, user)
    assert second_step(client, code(secret, 1)).status_code == 302
    client.post("/auth/logout", data={"csrf_token": _token(client)})

    password_step(client, user)
    response = second_step(client, code(secret, 0))

    assert response.status_code == 400


def _token(client) -> str:
    return csrf_token(client, "/account")


def _token_from(client, path: str) -> str:
    return csrf_token(client, path)


def test_a_recovery_code_works_once(app):
    user = make_user()
    login_as(browser := app.test_client(), user)
    _, codes, _ = set_up(browser)
    first, second = app.test_client(), app.test_client()

    password_step(first, user)
    response = second_step(first, codes[3].upper())  # any case, as typed from paper
    assert response.status_code == 302
    page = first.get("/account")
    assert page.status_code == 200
    assert "9 left" in page.get_data(as_text=True)

    password_step(second, user)
    again = second_step(second, codes[3])
    assert again.status_code == 400
    assert not signed_in(second)
    assert second_step(second, codes[4]).status_code == 302


def test_sign_in_goes_on_to_the_page_asked_for(client):
    user = make_user()
    secret = turn_on(user)
    post_form(
        client, "/auth/login?next=/account/bookings", {"email": user.email, "password": PASSWORD}
    )

    response = second_step(client, code(secret))

    assert response.headers["Location"] == "/account/bookings"


def test_the_second_step_without_a_right_password_first_goes_back_to_sign_in(client):
    response = client.get("/auth/two-factor")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


def test_a_remembered_device_skips_the_code_until_the_password_changes(client):
    user = make_user()
    secret = turn_on(user)
    password_step(client, user)
    response = second_step(client, code(secret), remember_device=True)
    cookie = response.headers.getlist("Set-Cookie")
    device = next(c for c in cookie if c.startswith("two_factor_device="))
    assert "HttpOnly" in device and "Max-Age=2592000" in device and "Path=/auth" in device
    client.post("/auth/logout", data={"csrf_token": _token(client)})

    again = password_step(client, user)
    assert again.headers["Location"] == "/"
    assert signed_in(client)

    user.set_password("a completely different one")
    db.session.commit()
    client.delete_cookie("session")
    later = password_step(client, user, password="a completely different one")
    assert later.headers["Location"] == "/auth/two-factor"


def test_a_remembered_device_is_for_its_own_account_only(app):
    ann, bob = make_user(), make_user()
    ann_secret = turn_on(ann)
    turn_on(bob)
    client = app.test_client()
    password_step(client, ann)
    second_step(client, code(ann_secret), remember_device=True)
    client.delete_cookie("session")

    assert password_step(client, bob).headers["Location"] == "/auth/two-factor"


def test_turning_it_off_needs_the_password_and_a_code(client):
    user = make_user()
    login_as(client, user)
    secret, _, _ = set_up(client)

    wrong_password = post_form(
        client,
        "/account/two-factor/off",
        {"off-password": "not my password", "off-code": code(secret, 1)},
        form_page="/account/two-factor",
    )
    assert wrong_password.status_code == 400
    assert "not your password" in error_beside(
        wrong_password.get_data(as_text=True), "off-password"
    )
    no_code = post_form(
        client,
        "/account/two-factor/off",
        {"off-password": PASSWORD, "off-code": "000000"},
        form_page="/account/two-factor",
    )
    assert no_code.status_code == 400
    assert db.session.get(TwoFactor, user.id) is not None

    response = post_form(
        client,
        "/account/two-factor/off",
        {"off-password": PASSWORD, "off-code": code(secret, 1)},
        form_page="/account/two-factor",
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(TwoFactor, user.id) is None
    assert db.session.scalars(select(RecoveryCode)).all() == []


def test_new_recovery_codes_replace_the_old_ones(app):
    user = make_user()
    browser = app.test_client()
    login_as(browser, user)
    secret, old, _ = set_up(browser)

    response = post_form(
        browser,
        "/account/two-factor/recovery-codes",
        {"recovery-code": code(secret, 1)},
        form_page="/account/two-factor",
    )

    new = RECOVERY_RE.findall(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    password_step(other, user)
    assert second_step(other, old[0]).status_code == 400
    assert second_step(other, new[0]).status_code == 302


def test_a_closed_account_cannot_finish_the_second_step(client):
    user = make_user()
    secret = turn_on(user)
    password_step(client, user)
    token = _token_from(client, "/auth/two-factor")
    user.active = False
    db.session.commit()

    response = client.post("/auth/two-factor", data={"csrf_token": token, "code": code(secret)})

    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert not signed_in(client)


def test_the_step_is_thirty_seconds_as_apps_expect():
    assert STEP == 30
    assert pyotp.TOTP(pyotp.random_base32()).interval == 30


def test_staff_can_reset_two_factor_from_the_command_line(runner):
    user = make_user("staff", email="sam@example.org")
    turn_on(user)

    result = runner.invoke(args=["users", "reset-two-factor", "SAM@example.org"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).two_factor is None
    again = runner.invoke(args=["users", "reset-two-factor", "sam@example.org"])
    assert again.exit_code != 0 and "does not use two-factor" in again.output


def test_a_signed_in_user_opening_the_second_step_stays_signed_in(client):
    user = make_user()
    login_as(client, user)
    assert client.get("/auth/two-factor").headers["Location"] == "/"
    assert signed_in(client)


def test_a_set_up_code_sent_after_the_key_was_forgotten_asks_to_scan_again(app):
    user = make_user()
    browser = app.test_client()
    login_as(browser, user)
    token = csrf_token(browser, "/account/two-factor")
    with browser.session_transaction() as session:
        session.pop("two_factor_setup_secret")

    response = browser.post("/account/two-factor", data={"csrf_token": token, "code": "123456"})

    assert response.status_code == 400
    assert "scan this code again" in response.get_data(as_text=True)
    assert db.session.get(TwoFactor, user.id) is None


def test_staff_see_whether_someone_uses_two_factor(client, app):
    staff = make_user("staff")
    trainer = make_user("trainer", name="Tess Trainer")
    turn_on(trainer)
    login_as(client, staff)
    html = client.get(f"/staff/users/{trainer.id}").get_data(as_text=True)
    assert "Two-factor sign-in: <strong>on</strong>" in html
    assert f"/staff/audit?who={trainer.email}" in html
