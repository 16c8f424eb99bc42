"""New passwords are scored offline (zxcvbn): a guessable one is refused with advice."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from bookings.accounts.passwords import weakness
from bookings.extensions import db
from bookings.models import OutboxMessage, User

from ..conftest import login_as, post_form
from ..factories import PASSWORD, make_user

WEAK = "password1234"  # long enough, and one of the most common passwords there are
STRONG = "quiet violet ladder"


def error_beside(html: str, field_id: str) -> str:
    marker = f'<p class="error-message" id="{field_id}-error">'
    return unescape(html.split(marker, 1)[1].split("</p>", 1)[0]) if marker in html else ""


def register(client, password: str, **fields):
    data = {
        "name": "Ann Example",
        "email": "ann@example.org",
        "password": password,
        "confirm": password,
        "organisation": "",
        "sector": "voluntary",
        **fields,
    }
    return post_form(client, "/auth/register", data)


def test_a_weak_password_is_refused_at_registration_with_advice_beside_it(client):
    response = register(client, WEAK)

    assert response.status_code == 400
    message = error_beside(response.get_data(as_text=True), "password")
    assert message.startswith("This password is too easy to guess.")
    assert "very common password" in message  # zxcvbn's own advice
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_password_made_of_the_persons_own_name_is_refused(client):
    response = register(client, "annexample2024", name="Ann Example")
    assert response.status_code == 400
    assert "too easy to guess" in error_beside(response.get_data(as_text=True), "password")


def test_a_strong_password_is_accepted(client):
    assert register(client, STRONG).status_code == 302


def test_a_weak_new_password_is_refused_when_changing_it(client):
    user = make_user()
    login_as(client, user)
    before = user.password_hash

    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": WEAK, "confirm": WEAK},
        form_page="/account",
    )

    assert response.status_code == 400
    assert "too easy to guess" in error_beside(response.get_data(as_text=True), "password")
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


def test_a_weak_password_is_refused_when_resetting_it(client):
    user = make_user(email="bob@example.org")
    post_form(client, "/auth/reset", {"email": "bob@example.org"})
    message = db.session.scalar(select(OutboxMessage))
    link = re.search(r"http://localhost(/auth/reset/\S+)", message.body_text).group(1)

    response = post_form(client, link, {"password": WEAK, "confirm": WEAK})

    assert response.status_code == 400
    assert "too easy to guess" in error_beside(response.get_data(as_text=True), "password")
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_the_command_line_refuses_a_weak_password_too(runner):
    result = runner.invoke(
        args=["users", "create", "sam@example.org", "--name", "Sam", "--password", WEAK]
    )
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", ["x" * 72 + "unusual words", "a" * 200])
def test_long_passwords_are_scored_on_their_start(password):
    # zxcvbn takes at most 72 characters; a guesser starts at the start too.
    assert weakness(password) is not None


def test_advice_never_repeats_the_password():
    advice = weakness("qwertyuiop12", "Ann", "ann@example.org")
    assert advice and "qwertyuiop12" not in advice
