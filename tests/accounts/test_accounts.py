"""Register, sign in and out, reset a password, edit the profile: through the test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import OutboxMessage, User

from ..conftest import csrf_token, login_as, post_form
from ..factories import PASSWORD, make_user

GOOD = {
    "name": "Ann Example",
    "email": "ann@example.org",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "organisation": "Carers Trust",
    "sector": "voluntary",
}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def signed_in_user_id(client) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("_user_id")


def test_registering_creates_learner_with_hashed_password_and_signs_in(client):
    response = post_form(client, "/auth/register", GOOD)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "ann@example.org"
    assert user.role == "learner"
    assert user.sector == "voluntary"
    assert user.organisation == "Carers Trust"
    assert user.password_hash.startswith("scrypt:")
    assert GOOD["password"] not in user.password_hash
    assert signed_in_user_id(client) == user.get_id()


def test_register_brings_visitor_back_to_the_booking_form(client):
    response = post_form(client, "/auth/register?next=/sessions/7/book", GOOD)
    assert response.headers["Location"] == "/sessions/7/book"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"name": ""}, "name", "Enter your full name."),
        ({"confirm": "another long password"}, "confirm", "The two passwords do not match."),
        ({"password": "short", "confirm": "short"}, "password", "10 to 200 characters"),
        ({"sector": "charity"}, "sector", "Choose the voluntary sector or the private sector."),
        ({"sector": ""}, "sector", "Choose the voluntary sector or the private sector."),
        ({"email": "not-an-address"}, "email", "Enter an email address like"),
        ({"name": "x" * 2_000_000}, "name", "120 characters or fewer"),
    ],
)
def test_bad_registration_is_refused_beside_the_field_and_saves_nothing(
    client, change, field, message
):
    response = post_form(client, "/auth/register", {**GOOD, **change})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert error and message in error.group(1)
    assert user_count() == 0
    assert signed_in_user_id(client) is None


def test_registration_without_csrf_token_is_refused(client):
    response = client.post("/auth/register", data=GOOD)
    assert response.status_code == 400
    assert user_count() == 0


def test_email_already_registered_in_any_case_is_refused_beside_email(client):
    make_user(email="Ann@Example.org")
    response = post_form(client, "/auth/register", {**GOOD, "email": "ANN@example.ORG"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="email-error">[^<]*already exists', html)
    assert user_count() == 1


def test_sign_in_with_right_password_and_remember_me(client):
    user = make_user(email="bob@example.org")
    response = post_form(
        client,
        "/auth/login",
        {"email": "BOB@example.org", "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    assert signed_in_user_id(client) == user.get_id()
    assert client.get_cookie("remember_token") is not None
    assert db.session.get(User, user.id).last_login_at is not None


def test_sign_in_without_remember_me_sets_no_lasting_cookie(client):
    make_user(email="bob@example.org")
    post_form(client, "/auth/login", {"email": "bob@example.org", "password": PASSWORD})
    assert client.get_cookie("remember_token") is None


@pytest.mark.parametrize("email", ["bob@example.org", "nobody@example.org"])
def test_wrong_password_or_unknown_email_get_the_same_message(client, email):
    make_user(email="bob@example.org")
    response = post_form(client, "/auth/login", {"email": email, "password": "wrong password"})
    assert response.status_code == 400
    assert "The email address or password is not right." in response.get_data(as_text=True)
    assert signed_in_user_id(client) is None


def test_inactive_user_cannot_sign_in(client):
    user = make_user(email="gone@example.org")
    user.active = False
    db.session.commit()
    response = post_form(client, "/auth/login", {"email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "This account is closed" in response.get_data(as_text=True)
    assert signed_in_user_id(client) is None


def test_deactivated_user_is_signed_out_at_next_request(client):
    user = make_user()
    login_as(client, user)
    assert client.get("/account").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_sign_in_goes_to_next_page_on_this_site(client):
    make_user(email="bob@example.org")
    response = post_form(
        client,
        "/auth/login?next=/account/bookings%3Fx%3D1",
        {"email": "bob@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/account/bookings?x=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "ftp://evil.example/",
        "http:evil.example",
        "/\t/evil.example",
        "evil.example",
    ],
)
def test_sign_in_never_redirects_off_site(client, target):
    make_user(email="bob@example.org")
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": "bob@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_visitor_asked_to_sign_in_is_brought_back_to_booking_form(client):
    make_user(email="bob@example.org")
    response = client.get("/sessions/3/book")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/auth/login?next=")
    response = post_form(client, login_url, {"email": "bob@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/sessions/3/book"


def test_sign_out_needs_post_with_csrf(client):
    user = make_user()
    login_as(client, user)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400
    assert signed_in_user_id(client) == user.get_id()
    response = post_form(client, "/auth/logout", {}, form_page="/account")
    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def _reset_link() -> str:
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
    match = re.search(r"http://localhost(/auth/reset/\S+)", message.body_text)
    assert match
    return match.group(1)


def test_password_reset_by_emailed_link_works_once(client):
    user = make_user(email="bob@example.org")
    response = post_form(client, "/auth/reset", {"email": "Bob@Example.org"})
    assert response.status_code == 200
    message = db.session.scalar(select(OutboxMessage))
    assert message.kind == "password_reset"
    assert message.recipient == "bob@example.org"
    assert message.user_id == user.id
    link = _reset_link()

    new = {"password": "a brand new password", "confirm": "a brand new password"}
    response = post_form(client, link, new)
    assert response.status_code == 302
    assert db.session.get(User, user.id).check_password("a brand new password")

    again = client.get(link)
    assert again.status_code == 400
    assert "no longer works" in again.get_data(as_text=True)
    response = post_form(
        client, "/auth/login", {"email": "bob@example.org", "password": "a brand new password"}
    )
    assert response.status_code == 302


def test_password_reset_answers_the_same_for_unknown_addresses(client):
    make_user(email="bob@example.org")
    known = post_form(client, "/auth/reset", {"email": "bob@example.org"})
    unknown = post_form(client, "/auth/reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).replace("bob@", "X@").replace("nobody@", "X@")  # noqa: E731
    assert strip(known) == strip(unknown)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_password_reset_link_expires(app, client):
    make_user(email="bob@example.org")
    post_form(client, "/auth/reset", {"email": "bob@example.org"})
    link = _reset_link()
    old = app.config["PASSWORD_RESET_MAX_AGE"]
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        assert client.get(link).status_code == 400
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = old
    assert client.get(link).status_code == 200


def test_tampered_reset_link_is_refused(client):
    make_user(email="bob@example.org")
    post_form(client, "/auth/reset", {"email": "bob@example.org"})
    link = _reset_link()
    assert client.get(link[:-3] + "abc").status_code == 400


def test_mismatched_new_passwords_change_nothing(client):
    user = make_user(email="bob@example.org")
    post_form(client, "/auth/reset", {"email": "bob@example.org"})
    link = _reset_link()
    response = post_form(client, link, {"password": "first long one", "confirm": "second long one"})
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_profile_edit_saves_name_organisation_and_sector(client):
    user = make_user(sector="voluntary")
    login_as(client, user)
    response = post_form(
        client,
        "/account",
        {"name": "New Name", "organisation": "Acme Ltd", "sector": "private"},
    )
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert (user.name, user.organisation, user.sector) == ("New Name", "Acme Ltd", "private")


def test_bad_profile_edit_is_refused_and_saves_nothing(client):
    user = make_user(name="Old Name", sector="voluntary")
    login_as(client, user)
    response = post_form(client, "/account", {"name": "", "organisation": "", "sector": "nope"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your full name." in html
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Old Name"


def test_account_page_shows_private_feed_and_replacing_it_changes_the_token(client):
    user = make_user()
    login_as(client, user)
    old = user.calendar_token
    html = client.get("/account").get_data(as_text=True)
    assert f"/account/calendar/{old}.ics" in html
    assert "Replace my calendar link" in html
    assert 'href="/account/bookings"' in html
    response = post_form(client, "/account/calendar-link", {}, form_page="/account")
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.get(User, user.id).calendar_token
    assert new and new != old
    assert f"/account/calendar/{new}.ics" in client.get("/account").get_data(as_text=True)


def test_account_page_needs_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_role_guards_give_friendly_403_and_let_staff_through():
    import config
    from bookings import create_app
    from bookings.auth import staff_required, trainer_required

    class GuardConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = db.engine.url.render_as_string(hide_password=False)

    app = create_app(GuardConfig)

    @app.get("/_test/staff")
    @staff_required
    def staff_only():
        return "staff page"

    @app.get("/_test/trainer")
    @trainer_required
    def trainer_only():
        return "trainer page"

    people = {role: make_user(role) for role in ("learner", "trainer", "staff")}
    expected = {
        ("learner", "/_test/staff"): 403,
        ("learner", "/_test/trainer"): 403,
        ("trainer", "/_test/staff"): 403,
        ("trainer", "/_test/trainer"): 200,
        ("staff", "/_test/staff"): 200,
        ("staff", "/_test/trainer"): 200,
    }
    for (role, path), status in expected.items():
        client = app.test_client()
        login_as(client, people[role])
        response = client.get(path)
        assert response.status_code == status, (role, path)
        if status == 403:
            assert "You cannot see this page" in response.get_data(as_text=True)
    assert app.test_client().get("/_test/staff").status_code == 302
    with app.app_context():
        db.engine.dispose()
