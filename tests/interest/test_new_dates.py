"""'Tell me about new dates': double opt-in, one email per person per batch of new
dates, one-click unsubscribe without signing in."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import CourseInterest, OutboxMessage

from ..catalogue.test_import import row, run_import
from ..conftest import login_as, post_form
from ..factories import PASSWORD, make_booking, make_course, make_session, make_user


def sign_up(client, course, email):
    return post_form(
        client, f"/courses/{course.slug}/interest", {"email": email}, f"/courses/{course.slug}"
    )


def mail_to(address: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    ).all()


def confirm_link(message: OutboxMessage) -> str:
    return re.search(r"http://localhost(/interest/confirm/\S+)", message.body_text).group(1)


def confirmed(course, email) -> CourseInterest:
    interest = CourseInterest(course=course, email=email, confirmed_at=datetime.now(UTC))
    db.session.add(interest)
    db.session.commit()
    return interest


def test_a_visitor_confirms_through_the_emailed_link(client):
    course = make_course(slug="living-with-adhd", title="Living with ADHD")
    response = sign_up(client, course, "Ann@Example.org")

    assert response.status_code == 303
    assert response.headers["Location"] == "/courses/living-with-adhd#new-dates"
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "we have sent a link to ann@example.org" in flashed
    interest = db.session.scalars(select(CourseInterest)).one()
    assert (interest.email, interest.confirmed_at) == ("ann@example.org", None)
    (message,) = mail_to("ann@example.org")
    assert message.subject == "Please confirm: new dates for Living with ADHD"

    page = client.get(confirm_link(message))
    assert page.status_code == 200
    assert "You are on the list" in page.get_data(as_text=True)
    db.session.expire_all()
    assert interest.is_confirmed
    assert client.get(confirm_link(message)).status_code == 200  # a second click is harmless
    assert client.get("/interest/confirm/not-a-token").status_code == 404

    # Asking again gives nothing away about who is on the list, and sends nothing more.
    again = sign_up(client, course, "ann@example.org")
    assert "we have sent a link to ann@example.org" in client.get(
        again.headers["Location"]
    ).get_data(as_text=True)
    assert len(mail_to("ann@example.org")) == 1


def test_a_signed_in_learner_signs_up_with_one_click(client):
    course = make_course()
    learner = make_user(email="Bea@Example.org")
    login_as(client, learner)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Email me about new dates" in page and 'name="email"' not in page

    response = post_form(client, f"/courses/{course.slug}/interest", {}, f"/courses/{course.slug}")

    assert response.status_code == 303
    interest = db.session.scalars(select(CourseInterest)).one()
    assert interest.is_confirmed and interest.user_id == learner.id
    assert interest.email == "bea@example.org"
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "We will email bea@example.org when there are new dates" in html.unescape(page)
    assert "Stop emails about new dates" in page


def test_the_offer_shows_only_when_nothing_is_bookable(client):
    empty = make_course()
    full = make_course()
    make_booking(make_session(full, capacity=1))
    closed = make_course()
    make_session(closed, booking_deadline=datetime.now(UTC) - timedelta(hours=1))
    open_ = make_course()
    make_session(open_)
    for course, offered in ((empty, True), (full, True), (closed, True), (open_, False)):
        page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
        assert ("Tell me about new dates" in page) is offered, course.slug


def test_a_course_with_dates_to_book_sets_no_cookie_and_the_offer_still_works(app):
    # No form on the page, so no CSRF token drawn and no session cookie written.
    open_ = make_course()
    make_session(open_)
    full = make_course()
    make_booking(make_session(full, capacity=1))
    visitor = app.test_client()
    answer = visitor.get(f"/courses/{open_.slug}")
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    # Where the offer shows, its form carries a token and the visitor can sign up.
    answer = visitor.get(f"/courses/{full.slug}")
    assert 'name="csrf_token"' in answer.get_data(as_text=True)
    assert "session=" in answer.headers.get("Set-Cookie", "")
    sign_up(visitor, full, "ada@example.org")
    assert len(mail_to("ada@example.org")) == 1


def test_a_bad_address_is_refused_beside_the_field(client):
    course = make_course()
    response = sign_up(client, course, "not an address")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and "not an address" in page
    assert db.session.scalar(select(func.count(CourseInterest.id))) == 0
    hidden = make_course(published=False)
    response = post_form(
        client, f"/courses/{hidden.slug}/interest", {"email": "a@example.org"}, "/contact"
    )
    assert response.status_code == 404


def test_an_import_of_five_dates_sends_each_confirmed_person_one_email(runner, tmp_path):
    adhd = make_course(slug="living-with-adhd", title="Living with ADHD")
    first_aid = make_course(slug="first-aid", title="First Aid")
    confirmed(adhd, "ann@example.org")
    confirmed(adhd, "bo@example.org")
    confirmed(first_aid, "bo@example.org")
    confirmed(make_course(), "cy@example.org")  # follows a course with no new dates
    db.session.add(CourseInterest(course=adhd, email="unconfirmed@example.org"))
    db.session.commit()
    days = [f"2037-07-0{day}" for day in range(1, 5)]
    rows = [row(starts_at=f"{day}T10:00", ends_at=f"{day}T13:00") for day in days]
    rows.append(
        row(
            course_slug="first-aid",
            course_title="First Aid",
            starts_at="2037-08-01T09:30",
            ends_at="2037-08-01T16:30",
        )
    )

    result = run_import(runner, tmp_path, rows)

    assert result.exit_code == 0, result.output
    assert "5 sessions created" in result.output
    assert "2 people told about the new dates" in result.output
    (ann,) = mail_to("ann@example.org")
    assert ann.subject == "New dates: Living with ADHD"
    assert ann.body_text.count("/book") == 4
    (bo,) = mail_to("bo@example.org")  # two courses, one email
    assert bo.body_text.count("/book") == 5
    assert "Living with ADHD" in bo.body_text and "First Aid" in bo.body_text
    assert mail_to("unconfirmed@example.org") == []
    assert mail_to("cy@example.org") == []
    assert bo.unsubscribe_url.startswith("http://localhost/interest/unsubscribe/")
    # Importing the same file again adds no dates, so it tells no one anything.
    run_import(runner, tmp_path, rows)
    assert len(mail_to("ann@example.org")) == 1


def test_a_session_added_by_staff_is_announced_once(client, smtp, runner):
    course = make_course(title="Living with ADHD")
    confirmed(course, "ann@example.org")
    db.session.add(CourseInterest(course=course, email="unconfirmed@example.org"))
    db.session.commit()
    login_as(client, make_user("staff"))
    new = {
        "course_id": str(course.id),
        "day": "2037-07-01",
        "starts": "10:00",
        "ends": "13:00",
        "venue_name": "Community Hub",
        "capacity": "12",
        "trainer_id": "0",
    }

    assert post_form(client, "/staff/sessions/new", new).status_code == 303
    runner.invoke(args=["outbox", "send"])

    (email,) = smtp.messages
    assert email["To"] == "ann@example.org"
    assert "Wed 1 Jul 2037, 10:00 to 13:00" in email.get_body(("plain",)).get_content()
    unsubscribe = email["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("http://localhost/interest/unsubscribe/")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribing_needs_no_sign_in_and_twice_is_the_same_as_once(client, app):
    course = make_course()
    ann = confirmed(course, "ann@example.org")
    kept = confirmed(make_course(), "ann@example.org")
    path = f"/interest/unsubscribe/{ann.token}"

    first = client.get(path)
    second = client.get(path)

    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert "You are unsubscribed" in first.get_data(as_text=True)
    assert db.session.scalars(select(CourseInterest.id)).all() == [kept.id]

    # A mail program's one-click POST (RFC 8058) carries no CSRF token.
    response = client.post(
        f"/interest/unsubscribe/{kept.token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(CourseInterest.id))) == 0


def test_one_link_stops_every_course_in_the_email(client):
    one, two = confirmed(make_course(), "a@example.org"), confirmed(make_course(), "a@example.org")
    assert client.get(f"/interest/unsubscribe/{one.token}.{two.token}").status_code == 200
    assert db.session.scalar(select(func.count(CourseInterest.id))) == 0


def test_staff_see_demand_per_course_and_export_the_list(client):
    adhd = make_course(title="Living with ADHD")
    for n in range(14):
        confirmed(adhd, f"person{n}@example.org")
    db.session.add(CourseInterest(course=adhd, email="later@example.org"))
    learner = make_user(name="Bea Kay", email="bea@example.org")
    first_aid = make_course(title="First Aid")
    db.session.add(
        CourseInterest(
            course=first_aid,
            email="bea@example.org",
            user_id=learner.id,
            confirmed_at=datetime(2037, 1, 5, 12, 0, tzinfo=UTC),
        )
    )
    db.session.commit()
    login_as(client, make_user("staff"))

    dashboard = client.get("/staff").get_data(as_text=True)
    assert "Living with ADHD</a>: 14 people want new dates" in dashboard
    assert "First Aid</a>: 1 person wants new dates" in dashboard
    page = client.get("/staff/interest").get_data(as_text=True)
    assert '<td class="num">14</td>' in page and '<td class="num">1</td>' in page

    export = client.get("/staff/interest.csv")
    assert export.mimetype == "text/csv"
    lines = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "Course,Email,Name,Signed up"
    assert len(lines) == 1 + 15  # confirmed only
    assert "First Aid,bea@example.org,Bea Kay,2037-01-05 12:00" in lines
    only_first_aid = client.get(f"/staff/interest.csv?course={first_aid.id}")
    assert len(only_first_aid.get_data(as_text=True).splitlines()) == 2


def test_a_learner_exports_and_erases_their_sign_ups(client):
    learner = make_user(email="Ann@Example.org")
    confirmed(make_course(title="First Aid"), "ann@example.org")
    kept = confirmed(make_course(), "someone.else@example.org")
    login_as(client, learner)

    (alert,) = client.get("/account/export").get_json()["new_date_alerts"]
    assert (alert["course"], alert["email"]) == ("First Aid", "ann@example.org")

    post_form(client, "/account/erase", {"password": PASSWORD, "understood": "y"})
    assert db.session.scalars(select(CourseInterest.id)).all() == [kept.id]
