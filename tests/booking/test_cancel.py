"""Cancelling, promotion from the waiting list, moving, and the My bookings page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bookings.booking import queries, service
from bookings.booking.service import Needs
from bookings.errors import AlreadyBooked, BookingClosed, CancellationRefused
from bookings.extensions import db
from bookings.models import Booking, OutboxMessage, Session

from ..conftest import login_as, post_form
from ..factories import make_booking, make_course, make_session, make_user
from .conftest import outbox_kinds


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def full_session_with_waiters(capacity=2, waiters=3):
    session = make_session(capacity=capacity)
    confirmed = [make_booking(session) for _ in range(capacity)]
    waiting = [make_booking(session, status="waitlisted") for _ in range(waiters)]
    return session, confirmed, waiting


def test_cancel_asks_for_confirmation_first(client):
    booking = make_booking(make_session())
    login_as(client, booking.learner)
    page = client.get(f"/bookings/{booking.reference}/cancel")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Cancel booking?" in html and "Cancel booking</button>" in html
    assert fresh(booking).status == "confirmed"


def test_cancelling_confirmed_place_promotes_first_waiting_learner(client):
    session, confirmed, waiting = full_session_with_waiters()
    login_as(client, confirmed[0].learner)
    response = post_form(client, f"/bookings/{confirmed[0].reference}/cancel", {})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/bookings"

    cancelled, first, second = fresh(confirmed[0]), fresh(waiting[0]), fresh(waiting[1])
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert first.status == "confirmed" and first.waiting_position is None
    assert first.confirmed_at is not None
    assert second.status == "waitlisted" and second.waiting_position == 2
    assert fresh(session).seats_taken == 2
    assert outbox_kinds(cancelled.id) == ["booking_cancelled"]
    assert outbox_kinds(first.id) == ["promoted"]
    promoted_mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.booking_id == first.id)
    )
    assert promoted_mail.recipient == first.learner.email


def test_cancelling_confirmed_place_with_no_waiters_frees_the_place():
    session = make_session(capacity=2)
    booking = make_booking(session)
    service.cancel(booking.id, booking.learner)
    db.session.commit()
    assert fresh(session).seats_taken == 0
    assert fresh(booking).status == "cancelled"


def test_leaving_the_waiting_list_keeps_places_and_others_positions(client):
    session, confirmed, waiting = full_session_with_waiters()
    login_as(client, waiting[0].learner)
    post_form(client, f"/bookings/{waiting[0].reference}/cancel", {})
    left = fresh(waiting[0])
    assert left.status == "cancelled" and left.waiting_position is None
    assert [fresh(w).waiting_position for w in waiting[1:]] == [2, 3]
    assert fresh(session).seats_taken == 2
    assert outbox_kinds(left.id) == ["booking_cancelled"]
    # The queue moved up: the next waiter is now first in line.
    assert queries.queue_place(fresh(waiting[1])) == 1


def test_learner_cannot_cancel_once_the_session_has_started(client):
    start = datetime.now(UTC) - timedelta(minutes=10)
    booking = make_booking(make_session(starts_at=start))
    login_as(client, booking.learner)
    response = post_form(client, f"/bookings/{booking.reference}/cancel", {}, form_page="/account")
    assert response.status_code == 302
    assert fresh(booking).status == "confirmed"
    with pytest.raises(CancellationRefused):
        service.cancel(booking.id, booking.learner)


def test_staff_may_cancel_anyones_booking_other_learners_may_not(client):
    booking = make_booking(make_session())
    login_as(client, make_user())
    assert client.get(f"/bookings/{booking.reference}/cancel").status_code == 404
    with pytest.raises(CancellationRefused):
        service.cancel(booking.id, make_user())
    login_as(client, make_user("staff"))
    post_form(client, f"/bookings/{booking.reference}/cancel", {})
    assert fresh(booking).status == "cancelled"


def test_cancel_without_csrf_token_is_refused(client):
    booking = make_booking(make_session())
    login_as(client, booking.learner)
    assert client.post(f"/bookings/{booking.reference}/cancel").status_code == 400
    assert fresh(booking).status == "confirmed"


def test_cancelling_twice_changes_nothing_more():
    session, confirmed, waiting = full_session_with_waiters(capacity=1, waiters=2)
    service.cancel(confirmed[0].id, None)
    db.session.commit()
    with pytest.raises(CancellationRefused):
        service.cancel(confirmed[0].id, None)
    db.session.rollback()
    assert fresh(session).seats_taken == 1
    assert [fresh(w).status for w in waiting] == ["confirmed", "waitlisted"]


def test_extra_places_go_to_waiting_learners_in_order():
    session, confirmed, waiting = full_session_with_waiters(capacity=1, waiters=3)
    session.capacity = 3
    db.session.commit()
    promoted = service.fill_from_waiting_list(session.id)
    db.session.commit()
    assert [b.id for b in promoted] == [waiting[0].id, waiting[1].id]
    assert fresh(session).seats_taken == 3
    assert fresh(waiting[2]).status == "waitlisted"


def test_extra_places_after_the_start_promote_nobody():
    session, confirmed, waiting = full_session_with_waiters(capacity=1, waiters=1)
    session.starts_at = datetime.now(UTC) - timedelta(minutes=5)
    session.capacity = 2
    db.session.commit()
    assert service.fill_from_waiting_list(session.id) == []
    db.session.commit()
    assert fresh(waiting[0]).status == "waitlisted"
    assert fresh(session).seats_taken == 1


def test_staff_move_a_booking_to_another_date_of_the_same_course():
    course = make_course()
    old, _, waiting = full_session_with_waiters(capacity=1, waiters=1)
    old.course = course
    db.session.commit()
    new = make_session(course, starts_in=timedelta(days=30), capacity=5)
    booking = db.session.scalars(
        select(Booking).where(Booking.session_id == old.id, Booking.status == "confirmed")
    ).one()
    moved = service.move(booking.id, new.id, make_user("staff"))
    db.session.commit()
    assert moved.session_id == new.id and moved.status == "confirmed"
    assert moved.learner_id == booking.learner_id
    assert fresh(booking).status == "cancelled"
    assert fresh(waiting[0]).status == "confirmed"
    assert fresh(old).seats_taken == 1 and fresh(new).seats_taken == 1
    assert outbox_kinds(booking.id) == ["booking_cancelled"]
    assert outbox_kinds(moved.id) == ["booking_confirmed"]
    assert outbox_kinds(waiting[0].id) == ["promoted"]


def test_move_to_a_full_session_joins_its_waiting_list():
    course = make_course()
    old = make_session(course)
    new = make_session(course, starts_in=timedelta(days=30), capacity=1)
    make_booking(new)
    booking = make_booking(old)
    moved = service.move(booking.id, new.id, make_user("staff"))
    db.session.commit()
    assert moved.status == "waitlisted" and moved.waiting_position == 1
    assert outbox_kinds(moved.id) == ["waitlisted"]


def test_move_refuses_another_course_or_a_session_already_booked():
    booking = make_booking(make_session())
    staff = make_user("staff")
    with pytest.raises(BookingClosed):
        service.move(booking.id, make_session().id, staff)
    other = make_session(booking.session.course, starts_in=timedelta(days=40))
    make_booking(other, booking.learner)
    with pytest.raises(AlreadyBooked):
        service.move(booking.id, other.id, staff)
    db.session.rollback()
    assert fresh(booking).status == "confirmed"


def test_my_bookings_sorts_upcoming_waiting_past_and_cancelled(client):
    learner = make_user()
    upcoming = make_booking(make_session(make_course(title="Upcoming Course")), learner)
    full = make_session(make_course(title="Waiting Course"), capacity=1)
    make_booking(full)
    make_booking(full, status="waitlisted")
    waiting = make_booking(full, learner, status="waitlisted")
    past = make_booking(
        make_session(
            make_course(title="Past Course"),
            starts_at=datetime.now(UTC) - timedelta(days=3),
        ),
        learner,
    )
    cancelled = make_booking(make_session(make_course(title="Cancelled Course")), learner)
    service.cancel(cancelled.id, learner)
    db.session.commit()
    login_as(client, learner)
    html = client.get("/account/bookings").get_data(as_text=True)

    def section(name: str) -> str:
        start = html.index(f'id="{name}"')
        end = html.find("<section", start)
        return html[start : end if end != -1 else None]

    assert "Upcoming Course" in section("upcoming") and upcoming.reference in section("upcoming")
    assert f"Cancel booking {upcoming.reference}" in section("upcoming")
    assert "Waiting Course" in section("waiting") and "Number 2 on the waiting list" in section(
        "waiting"
    )
    assert "Past Course" in section("past") and past.reference in section("past")
    assert "Cancelled Course" in section("cancelled")
    assert fresh(cancelled).reference in section("cancelled")
    assert waiting.reference in section("waiting")


def test_my_bookings_has_friendly_empty_states(client):
    login_as(client, make_user())
    html = client.get("/account/bookings").get_data(as_text=True)
    for text in (
        "No upcoming bookings.",
        "You are not waiting for any places.",
        "No past bookings.",
        "No cancelled bookings.",
    ):
        assert text in html


def test_my_bookings_needs_sign_in(client):
    response = client.get("/account/bookings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_promotion_skips_cancelled_sessions():
    session, confirmed, waiting = full_session_with_waiters(capacity=1, waiters=1)
    db.session.get(Session, session.id).status = "cancelled"
    db.session.commit()
    service.cancel(confirmed[0].id, make_user("staff"))
    db.session.commit()
    assert fresh(waiting[0]).status == "waitlisted"
    assert service.book(make_session().id, make_user(), Needs()).status == "confirmed"


def test_confirmation_page_offers_cancelling_only_until_the_start(client):
    upcoming = make_booking(make_session())
    started = make_booking(make_session(starts_in=timedelta(minutes=-30)), upcoming.learner)
    login_as(client, upcoming.learner)
    page = client.get(f"/bookings/{upcoming.reference}").get_data(as_text=True)
    assert "Cancel this booking" in page
    page = client.get(f"/bookings/{started.reference}").get_data(as_text=True)
    assert "Cancel this booking" not in page


def test_waiting_list_email_gives_the_place_in_the_queue_as_it_stands_now():
    session, confirmed, waiting = full_session_with_waiters(capacity=1, waiters=3)
    service.cancel(waiting[0].id, waiting[0].learner)  # leaves the list
    service.cancel(confirmed[0].id, confirmed[0].learner)  # waiting[1] gets the place
    db.session.commit()

    late = service.book(session.id, make_user(), Needs(consent=True))
    db.session.commit()

    assert late.waiting_position == 4 and queries.queue_place(late) == 2
    body = db.session.scalars(
        select(OutboxMessage.body_text).where(OutboxMessage.booking_id == late.id)
    ).one()
    assert "number 2 in line" in body


def _flash_after(client, response) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_cancel_message_names_the_session_and_says_the_place_went_to_the_next_learner(
    client,
):
    session, confirmed, waiting = full_session_with_waiters(capacity=1, waiters=1)
    login_as(client, confirmed[0].learner)
    response = post_form(client, f"/bookings/{confirmed[0].reference}/cancel", {})
    html = _flash_after(client, response)
    assert f"Your booking {confirmed[0].reference} for {session.course.title} on " in html
    assert "is cancelled. The place has gone to the next person on the waiting list." in html


def test_cancel_message_says_nothing_of_the_waiting_list_when_no_one_was_waiting(client):
    booking = make_booking(make_session(capacity=2))
    login_as(client, booking.learner)
    response = post_form(client, f"/bookings/{booking.reference}/cancel", {})
    html = _flash_after(client, response)
    assert f"Your booking {booking.reference} for {booking.session.course.title}" in html
    assert "is cancelled." in html and "next person on the waiting list" not in html


def test_leaving_the_waiting_list_says_so(client):
    session, confirmed, waiting = full_session_with_waiters(capacity=1, waiters=2)
    login_as(client, waiting[0].learner)
    response = post_form(client, f"/bookings/{waiting[0].reference}/cancel", {})
    html = _flash_after(client, response)
    assert f"You have left the waiting list for {session.course.title}" in html
    assert "next person on the waiting list" not in html
