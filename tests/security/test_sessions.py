"""Sign-in sessions: fresh at sign-in, gone at sign-out, ended when an account closes."""

from __future__ import annotations

from flask import g

from bookings.extensions import db

from ..conftest import csrf_token, login_as, post_form
from ..factories import PASSWORD, make_user


def plant(client) -> None:
    """Something set in the session before sign-in (a fixed or shared session)."""
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"


def session_keys(client) -> set[str]:
    with client.session_transaction() as sess:
        return set(sess.keys())


def test_signing_in_starts_a_fresh_session(client, owner):
    client.get("/auth/login")
    plant(client)
    response = post_form(client, "/auth/login", {"email": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    keys = session_keys(client)
    assert "planted" not in keys
    assert "_user_id" in keys


def test_registering_starts_a_fresh_session(client):
    client.get("/auth/register")
    plant(client)
    response = post_form(
        client,
        "/auth/register",
        {
            "name": "New Person",
            "email": "new@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "sector": "voluntary",
        },
    )
    assert response.status_code == 302
    keys = session_keys(client)
    assert "planted" not in keys and "_user_id" in keys


def test_signing_out_forgets_the_whole_session(client, owner):
    login_as(client, owner)
    plant(client)
    token = csrf_token(client, "/account")
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    keys = session_keys(client)
    assert "planted" not in keys and "_user_id" not in keys and "csrf_token" not in keys
    assert client.get("/account").status_code == 302


def test_signing_out_forgets_a_remembered_device(client, owner):
    response = post_form(
        client, "/auth/login", {"email": owner.email, "password": PASSWORD, "remember": "y"}
    )
    assert client.get_cookie("remember_token") is not None
    token = csrf_token(client, "/account")
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302


def test_deactivated_account_is_signed_out_at_once(client, owner, staff):
    login_as(client, owner)
    assert client.get("/account").status_code == 200
    owner.active = False

    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_deactivated_staff_lose_the_staff_area_on_a_remembered_device(client, staff):
    post_form(client, "/auth/login", {"email": staff.email, "password": PASSWORD, "remember": "y"})
    assert client.get("/staff").status_code == 200
    # A new browser session on the same device: only the remember-me cookie is left.
    client.delete_cookie("session")
    assert client.get("/staff").status_code == 200
    client.delete_cookie("session")
    staff.active = False

    db.session.commit()
    assert client.get("/staff").status_code == 302


def test_staff_cannot_lock_themselves_out(client, staff):
    login_as(client, staff)
    other = make_user("staff")
    page = f"/staff/users/{staff.id}"
    response = post_form(client, f"/staff/users/{staff.id}/role", {"role": "learner"}, page)
    assert response.status_code == 400 and staff.role == "staff"
    response = post_form(client, f"/staff/users/{staff.id}/active", {"active": "0"}, page)
    assert response.status_code == 400 and staff.active
    # Another member of staff can still be changed.
    response = post_form(
        client, f"/staff/users/{other.id}/role", {"role": "trainer"}, f"/staff/users/{other.id}"
    )
    assert response.status_code == 303 and other.role == "trainer"


def reset_link(email: str) -> str:
    from sqlalchemy import select

    from bookings.models import OutboxMessage

    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email)
    ).one()
    return "/auth/reset/" + message.body_text.split("/auth/reset/", 1)[1].split()[0]


def post_as_browser(client, path: str, data: dict):
    """post_form from one of several browsers: tests share one app context, so the CSRF
    token another browser's request cached there is dropped first."""
    g.pop("csrf_token", None)
    return post_form(client, path, data)


def test_a_new_password_signs_out_every_other_browser_and_remembered_device(app, owner):
    thief = app.test_client()
    sign_in = {"email": owner.email, "password": PASSWORD, "remember": "y"}
    post_as_browser(thief, "/auth/login", sign_in)
    assert thief.get("/account").status_code == 200
    remembered = app.test_client()
    post_as_browser(remembered, "/auth/login", sign_in)
    remembered.delete_cookie("session")  # browser closed: only remember-me is left
    assert remembered.get("/account").status_code == 200
    remembered.delete_cookie("session")

    owner_browser = app.test_client()
    post_as_browser(owner_browser, "/auth/reset", {"email": owner.email})
    link = reset_link(owner.email)
    new = "a brand new passphrase"
    response = post_as_browser(owner_browser, link, {"password": new, "confirm": new})
    assert response.status_code == 302

    for client in (thief, remembered):
        response = client.get("/account")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    # The new password works as usual.
    response = post_as_browser(
        owner_browser, "/auth/login", {"email": owner.email, "password": new}
    )
    assert response.status_code == 302
    assert owner_browser.get("/account").status_code == 200


def test_a_forged_or_stale_session_id_is_not_signed_in(client, owner):
    for forged in (str(owner.id), f"{owner.id}:", f"{owner.id}:{'0' * 24}", "x:y", ""):
        with client.session_transaction() as sess:
            sess["_user_id"] = forged
        assert client.get("/account").status_code == 302, forged
