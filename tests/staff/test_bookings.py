"""Staff find bookings, book on a learner's behalf, cancel and move bookings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Booking, Course, OutboxMessage
from bookings.paging import COUNT_LIMIT

from ..conftest import post_form
from ..factories import make_booking, make_course, make_session, make_user
from ..statements import counting_statements
from .conftest import field_error


@pytest.fixture
def bookings(course, session_of, trainer):
    """Three bookings on two courses, one of them cancelled."""
    first = session_of(trainer)
    other = make_session(make_course(title="Safeguarding Adults"))
    ann = make_booking(first, make_user(name="Ann Archer", email="ann@example.org"))
    bob = make_booking(other, make_user(name="Bob Baker", email="bob@example.org"))
    cat = make_booking(
        first, make_user(name="Cat Cole", email="cat@example.org"), status="cancelled"
    )
    return ann, bob, cat


def listed(html: str) -> set[str]:
    return {name for name in ("Ann Archer", "Bob Baker", "Cat Cole") if name in html}


def test_bookings_filter_by_course_session_status_and_search(as_staff, bookings, course):
    ann, bob, cat = bookings
    get = lambda query: as_staff.get(f"/staff/bookings?{query}").get_data(as_text=True)  # noqa: E731

    assert listed(get("")) == {"Ann Archer", "Bob Baker", "Cat Cole"}
    assert listed(get(f"course={course.id}")) == {"Ann Archer", "Cat Cole"}
    assert listed(get(f"session={bob.session_id}")) == {"Bob Baker"}
    assert listed(get("status=cancelled")) == {"Cat Cole"}
    assert listed(get("q=BOB@EXAMPLE")) == {"Bob Baker"}
    assert listed(get("q=archer")) == {"Ann Archer"}
    assert listed(get(f"q={ann.reference.lower()}")) == {"Ann Archer"}


def test_bad_booking_filter_is_refused_beside_the_field(as_staff, bookings):
    response = as_staff.get("/staff/bookings?status=lost")
    assert response.status_code == 400
    assert "Not a valid choice" in field_error(response.get_data(as_text=True), "status")


def course_links(html: str, path: str = "/staff/bookings") -> list[str]:
    """The ids of the courses the page offers as links that choose one."""
    return re.findall(rf'<li><a href="{path}\?course=(\d+)', html)


def test_words_of_one_course_title_filter_by_that_course(as_staff, bookings, course):
    response = as_staff.get("/staff/bookings?course_q=++adhd+LIVING+")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert listed(html) == {"Ann Archer", "Cat Cole"}
    assert 'value="Living with ADHD"' in html
    assert f'<input type="hidden" name="course" value="{course.id}">' in html
    assert 'href="/staff/bookings">Any course</a>' in html


def test_course_link_filters_and_shows_the_title(as_staff, bookings, course):
    ann, bob, cat = bookings
    # As the sessions pages link to a session's bookings.
    html = as_staff.get(
        f"/staff/bookings?session={ann.session_id}&course={course.id}&status=cancelled"
    ).get_data(as_text=True)

    assert listed(html) == {"Cat Cole"}
    assert 'value="Living with ADHD"' in html
    assert f'<option selected value="{ann.session_id}">' in html
    # Choosing any course keeps the other filters but not the course's session.
    assert 'href="/staff/bookings?status=cancelled">Any course</a>' in html


def test_several_matching_courses_are_listed_to_choose_from(as_staff, bookings):
    for n in range(23):
        make_course(title=f"Safeguarding level {n:02d}", commit=False)
    db.session.commit()

    response = as_staff.get("/staff/bookings?course_q=safeguarding&status=confirmed")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert listed(html) == {"Ann Archer", "Bob Baker"}  # not filtered by course yet
    assert "24 courses match" in html
    titles = re.findall(r'<li><a href="/staff/bookings\?[^"]*">([^<]+)</a></li>', html)
    assert titles == ["Safeguarding Adults"] + [f"Safeguarding level {n:02d}" for n in range(19)]
    assert "and 4 more: type more of the title." in html
    assert 'href="/staff/bookings?course=' in html and "status=confirmed" in html
    # A link chooses the course, keeping the other filters.
    adults = course_links(html)[0]
    chosen = as_staff.get(f"/staff/bookings?course={adults}&status=confirmed")
    assert listed(chosen.get_data(as_text=True)) == {"Bob Baker"}


def test_matching_courses_are_counted_no_further_than_lists_are(as_staff, staff):
    db.session.add_all(
        Course(slug=f"many-{n}", title=f"Many {n:04d}") for n in range(COUNT_LIMIT + 5)
    )
    db.session.commit()
    html = as_staff.get("/staff/bookings?course_q=many").get_data(as_text=True)
    assert f"More than {COUNT_LIMIT:,} courses match" in html
    assert f"and over {COUNT_LIMIT - 20:,} more: type more of the title." in html
    assert len(course_links(html)) == 20


def test_a_few_matching_courses_are_all_listed(as_staff, bookings):
    make_course(title="Safeguarding Children")
    html = as_staff.get("/staff/bookings?course_q=Safeguard").get_data(as_text=True)
    assert len(course_links(html)) == 2
    assert "more: type more of the title" not in html


def test_the_course_titled_exactly_as_typed_is_chosen_among_several(as_staff, bookings):
    make_course(title="Safeguarding Adults Refresher")
    html = as_staff.get("/staff/bookings?course_q=safeguarding+ADULTS").get_data(as_text=True)
    assert listed(html) == {"Bob Baker"}
    assert course_links(html) == []


def test_words_matching_no_course_are_refused_beside_the_field(as_staff, bookings):
    response = as_staff.get("/staff/bookings?course_q=xyz")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "course_q") == (
        "No course matches &#39;xyz&#39;."
    )


@pytest.mark.parametrize(
    "course_id", ["abc", "-1", "424242", "99999999999999999999", "1e3", "²", "9" * 5000]
)
def test_unknown_course_id_is_refused_beside_the_field(as_staff, bookings, course_id):
    response = as_staff.get(f"/staff/bookings?course={course_id}")
    assert response.status_code == 400
    assert "That course was not found" in field_error(response.get_data(as_text=True), "course_q")


def test_unpublished_courses_can_be_found(as_staff, bookings):
    hidden = make_session(make_course(title="Managing Volunteers", published=False))
    make_booking(hidden, make_user(name="Dee Draft"))
    html = as_staff.get("/staff/bookings?course_q=volunteers").get_data(as_text=True)
    assert "Dee Draft" in html and listed(html) == set()


def test_new_words_replace_the_course_chosen_before(as_staff, bookings, course):
    ann, bob, cat = bookings
    chosen = f"course={course.id}&session={ann.session_id}"
    # The form sends the chosen course's id with the words: new words win, and the
    # old course's session is dropped.
    html = as_staff.get(f"/staff/bookings?{chosen}&course_q=adults").get_data(as_text=True)
    assert listed(html) == {"Bob Baker"}
    # Its title as it was keeps it; the field emptied means any course.
    html = as_staff.get(f"/staff/bookings?{chosen}&course_q=living+with+adhd").get_data(
        as_text=True
    )
    assert listed(html) == {"Ann Archer", "Cat Cole"}
    html = as_staff.get(f"/staff/bookings?{chosen}&course_q=").get_data(as_text=True)
    assert listed(html) == {"Ann Archer", "Bob Baker", "Cat Cole"}


def test_sessions_are_offered_once_a_course_is_chosen(as_staff, bookings, course):
    ann, bob, cat = bookings
    html = as_staff.get("/staff/bookings").get_data(as_text=True)
    assert f'value="{ann.session_id}"' not in html and "Choose a course first" in html
    html = as_staff.get(f"/staff/bookings?course={course.id}").get_data(as_text=True)
    assert f'value="{ann.session_id}"' in html and f'value="{bob.session_id}"' not in html


@pytest.mark.parametrize(
    "query",
    ["", "course={course}", "course_q=living+adhd", "course_q=first", "course_q=nothing"],
)
@pytest.mark.parametrize("path", ["/staff/bookings", "/staff/sessions"])
def test_course_filter_costs_the_same_however_many_courses(
    as_staff, course, session_of, trainer, path, query
):
    make_booking(session_of(trainer))
    for n in range(25):
        make_course(title=f"First aid {n:02d}", commit=False)
    db.session.commit()
    url = f"{path}?{query.format(course=course.id)}"

    def measured() -> tuple[int, int]:
        as_staff.get(url)  # warm up
        with counting_statements() as statements:
            html = as_staff.get(url).get_data(as_text=True)
        return len(statements), len(html)

    few = measured()
    for n in range(200):
        make_course(title=f"Other course {n:03d}", commit=False)
    db.session.commit()
    many = measured()

    assert many[0] == few[0]
    assert abs(many[1] - few[1]) < 100


@pytest.mark.parametrize("path", ["/staff/bookings", "/staff/users", "/staff/sessions"])
def test_page_number_beyond_any_list_shows_an_empty_page(as_staff, bookings, path):
    for page in ("99999999999999999999", "-3", "two"):
        assert as_staff.get(f"{path}?page={page}").status_code == 200, page


def test_booking_for_an_unknown_learner_email_is_refused(as_staff, course, session_of, trainer):
    session = session_of(trainer)
    data = {"session_id": str(session.id), "learner_email": "nobody@example.org"}

    response = post_form(as_staff, "/staff/bookings/new", data)

    assert response.status_code == 400
    assert "No account uses that email" in field_error(
        response.get_data(as_text=True), "learner_email"
    )
    assert db.session.scalar(select(func.count(Booking.id))) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"learner_email": "not-an-email"}, "learner_email", "Enter an email address"),
        ({"learner_email": ""}, "learner_email", "Enter the learner"),
        ({"session_id": "9999"}, "session_id", "Not a valid choice"),
    ],
)
def test_bad_book_on_behalf_input_is_refused(
    as_staff, learner, session_of, trainer, changes, field, message
):
    session = session_of(trainer)
    data = {"session_id": str(session.id), "learner_email": learner.email, **changes}
    response = post_form(as_staff, "/staff/bookings/new", data)
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_past_sessions_cannot_be_booked_on_behalf(as_staff, learner, session_of, trainer):
    past = session_of(trainer, starts_in=timedelta(days=-1))
    data = {"session_id": str(past.id), "learner_email": learner.email}
    response = post_form(as_staff, "/staff/bookings/new", data)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_move_offers_only_other_upcoming_dates_of_the_same_course(
    as_staff, course, session_of, trainer
):
    booking = make_booking(session_of(trainer, starts_in=timedelta(days=5)))
    later = session_of(trainer, starts_in=timedelta(days=30))
    past = session_of(trainer, starts_in=timedelta(days=-30))
    elsewhere = make_session(make_course(title="Other course"))

    html = as_staff.get(f"/staff/bookings/{booking.id}/move").get_data(as_text=True)

    assert f'value="{later.id}"' in html
    for excluded in (booking.session_id, past.id, elsewhere.id):
        assert f'value="{excluded}"' not in html


def test_move_to_another_courses_session_is_refused(as_staff, course, session_of, trainer):
    booking = make_booking(session_of(trainer))
    session_of(trainer, starts_in=timedelta(days=40))
    elsewhere = make_session(make_course(title="Other course"))
    response = post_form(
        as_staff, f"/staff/bookings/{booking.id}/move", {"session_id": str(elsewhere.id)}
    )
    assert response.status_code == 400
    assert "Not a valid choice" in field_error(response.get_data(as_text=True), "session_id")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).session_id == booking.session_id


def test_staff_book_a_place_on_behalf_of_a_learner(as_staff, staff, learner, session_of, trainer):
    session = session_of(trainer)
    response = post_form(
        as_staff,
        "/staff/bookings/new",
        {
            "session_id": str(session.id),
            "learner_email": learner.email.upper(),
            "access_needs": "Hearing loop",
            "consent": "y",
        },
    )
    assert response.status_code == 303
    booking = db.session.scalars(select(Booking)).one()
    assert booking.learner_id == learner.id
    assert booking.booked_by_id == staff.id
    assert booking.status == "confirmed"
    assert booking.access_needs == "Hearing loop"
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "booking_confirmed")
    ).one()
    assert message.recipient == learner.email
    assert "METHOD:REQUEST" in (message.ics or "")


def test_staff_cancel_a_booking_and_the_learner_is_told(as_staff, learner, session_of, trainer):
    booking = make_booking(session_of(trainer), learner)
    response = post_form(as_staff, f"/staff/bookings/{booking.id}/cancel", {})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "cancelled"
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == learner.email)
    ).one()
    assert message.ics_method == "CANCEL"
    assert "Our training team has cancelled your booking" in message.body_text


def test_staff_can_cancel_a_booking_from_the_list_after_the_session_has_started(
    as_staff, learner, session_of, trainer
):
    started = session_of(trainer, starts_in=timedelta(hours=-1))
    booking = make_booking(started, learner)
    cancel_path = f"/staff/bookings/{booking.id}/cancel"

    listing = as_staff.get(f"/staff/bookings?q={booking.reference}").get_data(as_text=True)
    assert f'href="{cancel_path}"' in listing

    response = post_form(as_staff, cancel_path, {})

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "cancelled"


def test_staff_move_a_booking_to_another_date_of_the_same_course(
    as_staff, learner, session_of, trainer
):
    booking = make_booking(session_of(trainer, starts_in=timedelta(days=5)), learner)
    later = session_of(trainer, starts_in=timedelta(days=30))
    response = post_form(
        as_staff, f"/staff/bookings/{booking.id}/move", {"session_id": str(later.id)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    active = db.session.scalars(
        select(Booking).where(Booking.learner_id == learner.id, Booking.status != "cancelled")
    ).one()
    assert active.session_id == later.id
    assert db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == learner.email)
    ).all()


def test_moving_to_a_full_session_says_the_learner_is_now_waiting(
    as_staff, learner, session_of, trainer
):
    booking = make_booking(session_of(trainer, starts_in=timedelta(days=5)), learner)
    full = session_of(trainer, starts_in=timedelta(days=30), capacity=1)
    make_booking(full)
    gave_up = make_booking(full, status="waitlisted")
    make_booking(full, status="waitlisted")
    gave_up.status, gave_up.waiting_position = "cancelled", None
    db.session.commit()

    response = post_form(
        as_staff, f"/staff/bookings/{booking.id}/move", {"session_id": str(full.id)}
    )

    assert response.status_code == 303
    html = as_staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lena Learner is number 2 on its waiting list" in html


def test_staff_cancel_says_who_was_given_the_place(as_staff, session_of, trainer):
    session = session_of(trainer, capacity=1)
    held = make_booking(session)
    waiting = make_booking(session, status="waitlisted")
    response = post_form(as_staff, f"/staff/bookings/{held.id}/cancel", {})
    html = as_staff.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Booking {held.reference} cancelled." in html
    assert f"The place has gone to {waiting.learner.name} ({waiting.reference})" in html


def test_bookings_list_shows_the_live_place_in_each_queue_in_one_query(
    as_staff, course, session_of, trainer
):
    sessions = [session_of(trainer, starts_in=timedelta(days=10 + n), capacity=1) for n in (0, 1)]
    waiting = {}
    for session in sessions:
        make_booking(session)
        left = make_booking(session, status="waitlisted")
        waiting[session.id] = [make_booking(session, status="waitlisted") for _ in range(3)]
        left.status, left.waiting_position = "cancelled", None
    db.session.commit()
    as_staff.get("/staff/bookings")  # warm up
    with counting_statements() as statements:
        html = as_staff.get("/staff/bookings?status=waitlisted").get_data(as_text=True)
    for queue in waiting.values():
        for place, booking in enumerate(queue, start=1):
            row = html.split(booking.reference, 1)[1].split("</tr>", 1)[0]
            assert f"Waiting list: number {place}<" in row
    assert sum("row_number" in s.lower() for s in statements) == 1
    assert not any("count(" in s.lower() and "waiting_position <" in s for s in statements)
