"""flask demo: a realistic programme, loaded once however often the command runs."""

from sqlalchemy import func, select

from bookings.accounts.queries import find_by_email
from bookings.extensions import db
from bookings.models import Booking, Course, NewsPost, Session, User, utcnow

MODELS = (User, Course, Session, Booking, NewsPost)


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_demo_twice_loads_once_and_adhd_is_findable(runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    after_first = counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts() == after_first
    assert after_first["Course"] >= 9 and after_first["NewsPost"] >= 2

    response = client.get("/courses?q=adhd")
    assert response.status_code == 200
    assert "Living with ADHD" in response.get_data(as_text=True)
    page = client.get("/courses/living-with-adhd").get_data(as_text=True)
    assert "current information on living with adhd" in page.lower()
    assert "places left" in page and "Free" in page and "£65.00" in page


def test_demo_prints_a_staff_sign_in_that_works(runner):
    output = runner.invoke(args=["demo"]).output
    line = next(out for out in output.splitlines() if out.startswith("Staff sign-in:"))
    email, password = line.removeprefix("Staff sign-in: ").split(" / ")
    staff = find_by_email(email)
    assert staff.role == "staff" and staff.check_password(password)


def test_demo_has_trainers_past_and_future_dates_and_a_full_session_with_waiting_list(runner):
    runner.invoke(args=["demo"])
    now = utcnow()
    trainers = db.session.scalar(select(func.count()).where(User.role == "trainer"))
    assert trainers >= 2
    sessions = list(db.session.scalars(select(Session)))
    assert any(s.starts_at < now for s in sessions) and any(s.starts_at > now for s in sessions)
    assert any(s.online_url and not s.venue_name for s in sessions)
    full = [s for s in sessions if s.starts_at > now and s.seats_taken == s.capacity]
    assert full
    session = full[0]
    confirmed = [b for b in session.bookings if b.status == "confirmed"]
    waiting = sorted(b.waiting_position for b in session.bookings if b.status == "waitlisted")
    assert len(confirmed) == session.capacity
    assert waiting and waiting == list(range(1, len(waiting) + 1))
    assert session.waitlist_last == len(waiting)
    assert all(b.reference.startswith("MVN-") for b in session.bookings)
    # Every session's counter matches its confirmed bookings.
    for s in sessions:
        assert s.seats_taken == sum(b.status == "confirmed" for b in s.bookings)
    prices = {
        (c.price_voluntary_pence, c.price_private_pence) for c in db.session.scalars(select(Course))
    }
    assert any(v == 0 for v, _ in prices) and all(p > 0 for _, p in prices)
    assert db.session.scalar(select(func.count()).where(Booking.status == "waitlisted")) >= 1


def test_demo_learner_sees_every_kind_of_booking_and_can_still_book(runner, client):
    from tests.conftest import login_as

    runner.invoke(args=["demo"])
    learner = find_by_email("learner@example.org")
    login_as(client, learner)
    page = client.get("/account/bookings").get_data(as_text=True)
    assert "Cancel booking MVN-" in page  # an upcoming confirmed place
    assert "Number 1 on the waiting list" in page  # first on the full session's waiting list
    assert "Download certificate of attendance" in page  # a past session attended
    assert "No cancelled bookings." not in page

    mine = set(
        db.session.scalars(
            select(Booking.session_id).where(
                Booking.learner_id == learner.id, Booking.status != "cancelled"
            )
        )
    )
    now = utcnow()
    free = [
        s for s in db.session.scalars(select(Session)) if s.starts_at > now and s.id not in mine
    ]
    assert len(free) >= 10, "the demo learner has most upcoming dates left to book"
    response = client.get(f"/sessions/{free[0].id}/book")
    assert response.status_code == 200 and "Book a place" in response.get_data(as_text=True)
