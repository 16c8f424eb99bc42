"""Sign-in sessions: fresh at sign-in, gone at sign-out, ended when an account closes."""

from __future__ import annotations

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
    from bookings.extensions import db

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
    from bookings.extensions import db

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
