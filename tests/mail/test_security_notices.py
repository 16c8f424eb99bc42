"""People are told by email when their password or two-factor sign-in changes."""

from __future__ import annotations

import re

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import OutboxMessage

from ..conftest import login_as, post_form
from ..factories import PASSWORD, make_user
from ..two_factor_helpers import code

NEW = "quiet violet ladder"


def plain_text(email) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


def test_a_password_change_notice_arrives_at_the_mail_server(client, runner, smtp):
    user = make_user(name="Bob Baker", email="bob@example.org")
    login_as(client, user)

    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW, "confirm": NEW},
        form_page="/account",
    )
    assert response.status_code == 302
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0

    (email,) = smtp.messages
    assert email["To"] == "bob@example.org"
    assert email["Subject"] == "Your password has been changed"
    text = plain_text(email)
    assert "Dear Bob Baker" in text
    assert "If this wasn't you" in text
    assert "http://localhost/auth/reset" in text
    assert NEW not in text and NEW not in email.get_body(preferencelist=("html",)).get_content()


def test_a_password_reset_sends_the_notice_too(client, runner, smtp):
    make_user(email="bob@example.org")
    post_form(client, "/auth/reset", {"email": "bob@example.org"})
    link = re.search(
        r"http://localhost(/auth/reset/\S+)", db.session.scalar(select(OutboxMessage)).body_text
    ).group(1)

    assert post_form(client, link, {"password": NEW, "confirm": NEW}).status_code == 302
    runner.invoke(args=["outbox", "send"])

    subjects = [m["Subject"] for m in smtp.messages]
    assert subjects == ["Reset your password", "Your password has been changed"]


def test_turning_two_factor_on_and_off_sends_notices(client, runner, smtp):
    user = make_user(email="ann@example.org")
    login_as(client, user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'class="secret-key"><code>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert post_form(client, "/account/two-factor", {"code": code(secret)}).status_code == 200
    response = post_form(
        client,
        "/account/two-factor/off",
        {"off-password": PASSWORD, "off-code": code(secret, 1)},
        form_page="/account/two-factor",
    )
    assert response.status_code == 303

    runner.invoke(args=["outbox", "send"])

    texts = [plain_text(m) for m in smtp.messages]
    assert [m["Subject"] for m in smtp.messages] == ["Your two-factor sign-in has changed"] * 2
    assert "was turned on" in texts[0] and "was turned off" in texts[1]
    assert all("If this wasn't you" in t for t in texts)
    assert secret not in "".join(texts)
