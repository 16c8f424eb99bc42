"""A new password, by reset or by change on /account, signs out every other session
of the account, remember-me cookies included; the browser that changed it stays in."""

from __future__ import annotations

import re

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import OutboxMessage, User

from ..conftest import post_form
from ..factories import PASSWORD, make_user

NEW = "a brand new password"


def sign_in(client, email: str, password: str = PASSWORD, remember: bool = False) -> None:
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    assert post_form(client, "/auth/login", data).status_code == 302


def signed_in(client) -> bool:
    """Whether the client's next request finds it signed in."""
    status = client.get("/account").status_code
    return status == 200


def forget_session(client) -> None:
    """Close the browser: the session cookie goes, a remember-me cookie stays."""
    client.delete_cookie("session")


def change_password(client, current=PASSWORD, new=NEW, confirm=NEW):
    response = post_form(
        client,
        "/account/password",
        {"current_password": current, "password": new, "confirm": confirm},
        form_page="/account",
    )
    return response


def test_changing_password_signs_out_other_browsers_but_not_this_one(app):
    user = make_user(email="bob@example.org")
    mine, other, remembered = app.test_client(), app.test_client(), app.test_client()
    sign_in(mine, "bob@example.org")
    sign_in(other, "bob@example.org")
    sign_in(remembered, "bob@example.org", remember=True)
    forget_session(remembered)
    assert signed_in(other) and signed_in(remembered)

    response = change_password(mine)
    assert response.status_code == 302
    assert "other browser signed in to your account is signed out" in mine.get("/account").get_data(
        as_text=True
    )
    assert db.session.get(User, user.id).check_password(NEW)

    assert signed_in(mine)
    assert not signed_in(other)
    forget_session(remembered)
    assert not signed_in(remembered)


def test_remember_me_survives_a_closed_browser_until_the_password_changes(app):
    make_user(email="bob@example.org")
    mine = app.test_client()
    sign_in(mine, "bob@example.org", remember=True)
    change_password(mine)
    forget_session(mine)
    # This browser's cookie was renewed with the new password, so it still works.
    assert signed_in(mine)


def test_password_reset_signs_out_every_session(app):
    make_user(email="bob@example.org")
    other, remembered, resetter = app.test_client(), app.test_client(), app.test_client()
    sign_in(other, "bob@example.org")
    sign_in(remembered, "bob@example.org", remember=True)
    post_form(resetter, "/auth/reset", {"email": "bob@example.org"})
    message = db.session.scalar(select(OutboxMessage))
    link = re.search(r"http://localhost(/auth/reset/\S+)", message.body_text).group(1)
    response = post_form(resetter, link, {"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert not signed_in(other)
    forget_session(remembered)
    assert not signed_in(remembered)
    sign_in(other, "bob@example.org", NEW)
    assert signed_in(other)


def test_wrong_current_password_changes_nothing(client):
    user = make_user(email="bob@example.org")
    sign_in(client, "bob@example.org")
    response = change_password(client, current="not my password")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="current_password-error">That is not your current password', html)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)
    assert signed_in(client)


def test_mismatched_or_short_new_password_is_refused_beside_the_field(client):
    make_user(email="bob@example.org")
    sign_in(client, "bob@example.org")
    response = change_password(client, confirm="something else entirely")
    assert response.status_code == 400
    assert 'id="confirm-error">The two passwords do not match.' in response.get_data(as_text=True)
    response = change_password(client, new="short", confirm="short")
    assert response.status_code == 400
    assert "10 to 200 characters" in response.get_data(as_text=True)


def test_account_page_offers_the_change_password_form(client):
    make_user(email="bob@example.org")
    sign_in(client, "bob@example.org")
    html = client.get("/account").get_data(as_text=True)
    assert '<h2 id="password-heading">Change my password</h2>' in html
    assert 'for="current_password"' in html and 'for="confirm"' in html
    assert "Change my password</button>" in html
