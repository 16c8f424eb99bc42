"""Staff manage users and roles, news posts, and watch the email outbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import NewsPost, OutboxMessage, User

from ..conftest import post_form
from ..factories import make_user
from .conftest import field_error


def test_users_search_by_name_or_email_and_filter_by_role(as_staff):
    make_user(name="Zara Zed", email="zara@example.org")
    make_user("trainer", name="Yusuf Young", email="yusuf@charity.org.uk")

    by_name = as_staff.get("/staff/users?q=zara").get_data(as_text=True)
    by_email = as_staff.get("/staff/users?q=CHARITY.ORG").get_data(as_text=True)
    trainers = as_staff.get("/staff/users?role=trainer").get_data(as_text=True)

    assert "Zara Zed" in by_name and "Yusuf Young" not in by_name
    assert "Yusuf Young" in by_email and "Zara Zed" not in by_email
    assert "Yusuf Young" in trainers and "Zara Zed" not in trainers


def test_staff_change_a_users_role(as_staff, learner):
    response = post_form(
        as_staff,
        f"/staff/users/{learner.id}/role",
        {"role": "trainer"},
        form_page=f"/staff/users/{learner.id}",
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, learner.id).role == "trainer"


def test_unknown_role_is_refused_beside_the_field(as_staff, learner):
    response = post_form(
        as_staff,
        f"/staff/users/{learner.id}/role",
        {"role": "admin"},
        form_page=f"/staff/users/{learner.id}",
    )
    assert response.status_code == 400
    assert "Not a valid choice" in field_error(response.get_data(as_text=True), "role")
    db.session.expire_all()
    assert db.session.get(User, learner.id).role == "learner"


def test_staff_cannot_remove_their_own_staff_role(as_staff, staff):
    response = post_form(
        as_staff,
        f"/staff/users/{staff.id}/role",
        {"role": "learner"},
        form_page=f"/staff/users/{staff.id}",
    )
    assert response.status_code == 400
    assert "your own staff role" in field_error(response.get_data(as_text=True), "role")
    db.session.expire_all()
    assert db.session.get(User, staff.id).role == "staff"


def test_staff_deactivate_and_activate_an_account(as_staff, learner):
    path = f"/staff/users/{learner.id}/active"
    page = f"/staff/users/{learner.id}"
    assert post_form(as_staff, path, {"active": "0"}, form_page=page).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, learner.id).active is False
    assert post_form(as_staff, path, {"active": "1"}, form_page=page).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, learner.id).active is True


def test_staff_cannot_deactivate_themselves(as_staff, staff):
    response = post_form(
        as_staff,
        f"/staff/users/{staff.id}/active",
        {"active": "0"},
        form_page=f"/staff/users/{staff.id}",
    )
    assert response.status_code == 400
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, staff.id).active is True


NEWS = {
    "title": "Spring programme",
    "published_on": "2030-03-01",
    "body": "New **dates**.",
    "published": "y",
}


def test_staff_write_edit_and_delete_news(as_staff):
    assert post_form(as_staff, "/staff/news/new", NEWS).status_code == 303
    post = db.session.scalars(select(NewsPost)).one()
    assert post.published_at == datetime(2030, 3, 1, 9, 0, tzinfo=UTC)

    response = post_form(
        as_staff, f"/staff/news/{post.id}/edit", {**NEWS, "title": "Summer programme"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(NewsPost, post.id).title == "Summer programme"
    assert "Summer programme" in as_staff.get("/staff/news").get_data(as_text=True)

    assert post_form(as_staff, f"/staff/news/{post.id}/delete", {}).status_code == 303
    assert db.session.scalar(select(func.count(NewsPost.id))) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title"),
        ({"body": ""}, "body", "Write the news"),
        ({"published_on": "yesterday"}, "published_on", "date"),
        ({"published_on": "0001-01-01"}, "published_on", "between 2000"),
        ({"title": "x" * 201}, "title", "200"),
    ],
)
def test_bad_news_input_is_refused_beside_the_field(as_staff, changes, field, message):
    response = post_form(as_staff, "/staff/news/new", {**NEWS, **changes})
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert db.session.scalar(select(func.count(NewsPost.id))) == 0


def outbox_message(n: int, status: str, error: str | None = None) -> OutboxMessage:
    message = OutboxMessage(
        kind="booking_confirmed",
        message_id=f"<m{n}@example.org>",
        recipient=f"person{n}@example.org",
        subject=f"Booking confirmed {n}",
        body_text="Hello",
        status=status,
        attempts=3 if error else 0,
        last_error=error,
    )
    db.session.add(message)
    db.session.commit()
    return message


def test_outbox_lists_failed_pending_and_sent_each_on_its_own_tab(as_staff):
    outbox_message(1, "pending")
    outbox_message(2, "failed", "550 5.1.1 mailbox unavailable")
    outbox_message(3, "sent")

    failed = as_staff.get("/staff/outbox").get_data(as_text=True)
    assert "<h2>Failed (1)</h2>" in failed
    assert "person2@example.org" in failed and "550 5.1.1 mailbox unavailable" in failed
    assert "Retry all failed emails" in failed
    assert "person1@example.org" not in failed and "person3@example.org" not in failed
    assert "Waiting to be sent (1)" in failed and "Sent (1)" in failed

    pending = as_staff.get("/staff/outbox?show=pending").get_data(as_text=True)
    assert "<h2>Waiting to be sent (1)</h2>" in pending and "person1@example.org" in pending
    assert "person2@example.org" not in pending and "Retry all" not in pending

    sent = as_staff.get("/staff/outbox?show=sent").get_data(as_text=True)
    assert "<h2>Sent (1)</h2>" in sent and "person3@example.org" in sent
    assert "person1@example.org" not in sent


def test_outbox_opens_on_the_queue_when_nothing_failed(as_staff):
    outbox_message(1, "pending")
    html = as_staff.get("/staff/outbox").get_data(as_text=True)
    assert "<h2>Waiting to be sent (1)</h2>" in html and "person1@example.org" in html


def test_outbox_counts_every_message_and_pages_through_them(as_staff):
    db.session.add_all(
        OutboxMessage(
            kind="booking_confirmed",
            message_id=f"<bulk{n}@example.org>",
            recipient=f"bulk{n:03}@example.org",
            subject="Booking confirmed",
            body_text="Hello",
            status="pending",
        )
        for n in range(120)
    )
    db.session.commit()
    first = as_staff.get("/staff/outbox?show=pending").get_data(as_text=True)
    assert "<h2>Waiting to be sent (120)</h2>" in first
    assert first.count("@example.org</td>") == 50
    assert "Page 1 of 3" in first
    # The links carry a cursor, and keep the tab.
    second = as_staff.get(next_link(first)).get_data(as_text=True)
    assert "Page 2 of 3" in second and second.count("@example.org</td>") == 50
    last = as_staff.get(next_link(second)).get_data(as_text=True)
    assert last.count("@example.org</td>") == 20 and "Page 3 of 3" in last
    # An address with a page number, from before the cursors, still works.
    old = as_staff.get("/staff/outbox?show=pending&page=3").get_data(as_text=True)
    assert old.count("@example.org</td>") == 20 and "Page 3 of 3" in old


def next_link(html: str) -> str:
    href = re.search(r'<a rel="next" href="([^"]+)"', html).group(1)
    assert "show=pending" in href and "after=" in href
    return href.replace("&amp;", "&")


def test_outbox_finds_sent_emails_by_recipient(as_staff):
    for n in (1, 2, 3):
        outbox_message(n, "sent")
    outbox_message(4, "failed", "Connection refused")
    html = as_staff.get("/staff/outbox?show=sent&q=PERSON2@").get_data(as_text=True)
    assert "<h2>Sent (1)</h2>" in html and "person2@example.org" in html
    assert "person1@example.org" not in html and "person3@example.org" not in html
    assert "Failed (0)" in html
    nothing = as_staff.get("/staff/outbox?show=sent&q=100%25_").get_data(as_text=True)
    assert "No sent emails to addresses containing" in nothing


def test_outbox_search_that_is_too_long_is_refused_beside_the_field(as_staff):
    outbox_message(1, "sent")
    response = as_staff.get("/staff/outbox?show=sent&q=" + "x" * 300)
    assert response.status_code == 400
    assert "254 characters or fewer" in field_error(response.get_data(as_text=True), "q")
    assert "person1@example.org" in response.get_data(as_text=True)


def test_dashboard_counts_failed_emails(as_staff):
    outbox_message(1, "failed", "Connection refused")
    outbox_message(2, "failed", "Connection refused")
    html = as_staff.get("/staff").get_data(as_text=True)
    assert '<strong class="failed-count">2</strong> failed emails' in html
    assert "Connection refused" in html


def test_retry_one_failed_email_puts_it_back_in_the_queue(as_staff):
    message = outbox_message(1, "failed", "Connection refused")
    other = outbox_message(2, "failed", "Connection refused")
    response = post_form(
        as_staff, f"/staff/outbox/{message.id}/retry", {}, form_page="/staff/outbox"
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "pending"
    assert db.session.get(OutboxMessage, other.id).status == "failed"


def test_retry_all_failed_emails(as_staff):
    ids = [outbox_message(n, "failed", "Connection refused").id for n in range(3)]
    response = post_form(as_staff, "/staff/outbox/retry-all", {}, form_page="/staff/outbox")
    assert response.status_code == 303
    db.session.expire_all()
    assert {db.session.get(OutboxMessage, i).status for i in ids} == {"pending"}


def test_retrying_a_message_that_has_not_failed_says_so_and_leaves_it(as_staff):
    sent = outbox_message(1, "sent")
    response = post_form(
        as_staff, f"/staff/outbox/{sent.id}/retry", {}, form_page="/staff/news/new"
    )
    assert response.status_code == 303
    html = as_staff.get("/staff/outbox").get_data(as_text=True)
    assert "nothing to retry" in html and "will be sent again" not in html
    db.session.expire_all()
    assert db.session.get(OutboxMessage, sent.id).status == "sent"


def test_retry_all_with_none_failed_says_there_are_none(as_staff):
    post_form(as_staff, "/staff/outbox/retry-all", {}, form_page="/staff/news/new")
    html = as_staff.get("/staff/outbox").get_data(as_text=True)
    assert "There are no failed messages to retry." in html
