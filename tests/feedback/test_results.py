"""Feedback results per session and per course; staff pick quotes for the course page."""

from __future__ import annotations

import re
from datetime import timedelta

from bookings.extensions import db
from bookings.models import FeedbackResponse

from ..conftest import csrf_token, login_as
from ..factories import make_booking, make_session, make_user
from .conftest import answer, link, with_outcome
from .test_links import send


def figure(page: str, label: str) -> str:
    """The value shown for a figure (<dt>label</dt><dd>value</dd>), tags removed."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", page, re.S)
    assert match, f"no figure {label}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def spread_row(page: str, score: int) -> tuple[str, str]:
    """(responses, share) in the spread table's row for a score."""
    match = re.search(
        rf'<th scope="row">{score} out of 5</th><td class="num">(\d+)</td>.*?</div> (\d+%)</td>',
        page,
        re.S,
    )
    assert match, f"no row for {score}"
    return match.group(1), match.group(2)


def test_trainer_sees_their_sessions_results(client, trainer, ended, attended):
    answer(attended, rating=5, confidence_before=2, confidence_after=4, do_differently="Pause.")
    second = with_outcome(ended, make_user())
    answer(second, rating=4, confidence_before=3, confidence_after=4, do_differently="Ask.")
    with_outcome(ended, make_user())  # attended, no answer yet
    absent = with_outcome(ended, make_user(), "absent")
    # Answers from a learner later corrected to absent are not counted.
    answer(absent, rating=1, do_differently="Should not count.")
    login_as(client, trainer)

    page = client.get(f"/trainer/sessions/{ended.id}/feedback").get_data(as_text=True)

    assert figure(page, "Attended") == "3"
    assert figure(page, "Responses") == "2"
    assert figure(page, "Response rate") == "67%"
    assert figure(page, "Average rating") == "4.5 out of 5"
    assert figure(page, "Average change in confidence").startswith("+1.5")
    assert figure(page, "Would recommend") == "100%"
    assert spread_row(page, 5) == ("1", "50%")
    assert spread_row(page, 4) == ("1", "50%")
    assert spread_row(page, 1) == ("0", "0%")
    assert "Pause." in page and "Ask." in page
    assert "Should not count." not in page
    assert attended.learner.name not in page  # comments are anonymous


def test_another_trainer_cannot_see_the_results(client, other_trainer, ended, attended):
    answer(attended)
    login_as(client, other_trainer)
    assert client.get(f"/trainer/sessions/{ended.id}/feedback").status_code == 403


def test_staff_see_each_course_and_its_sessions(client, staff, course, ended, attended):
    answer(attended, rating=3, confidence_before=1, confidence_after=4)
    earlier = make_session(course, starts_in=timedelta(days=-20))
    answer(with_outcome(earlier, make_user()), rating=5, confidence_before=3, confidence_after=3)
    make_booking(earlier, make_user())  # attendance not recorded: not in the rate
    login_as(client, staff)

    listing = client.get("/staff/feedback").get_data(as_text=True)
    page = client.get(f"/staff/feedback/courses/{course.id}").get_data(as_text=True)

    row = re.search(r"Living with ADHD</a></td>(.*?)</tr>", listing, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["2", "2", "100%", "4.0", "+1.5"]
    assert figure(page, "Average rating") == "4.0 out of 5"
    assert page.count(f"/trainer/sessions/{ended.id}/feedback") == 1
    assert page.count(f"/trainer/sessions/{earlier.id}/feedback") == 1


def quote_button(client, response: FeedbackResponse, show: str):
    return client.post(
        f"/staff/feedback/responses/{response.id}/quote",
        data={"csrf_token": csrf_token(client, "/account"), "show": show},
    )


def test_staff_show_a_permitted_comment_on_the_course_page(client, staff, course, ended, attended):
    permitted = answer(attended, do_differently="Listen first, then plan.", quote_permitted=True)
    private = answer(
        with_outcome(ended, make_user()), do_differently="Keep this to us.", quote_permitted=False
    )
    login_as(client, staff)

    staff_page = client.get(f"/staff/feedback/courses/{course.id}").get_data(as_text=True)
    shown = quote_button(client, permitted, "yes")
    refused = quote_button(client, private, "yes")
    flashed = client.get(refused.headers["Location"]).get_data(as_text=True)
    course_page = client.get("/courses/living-with-adhd").get_data(as_text=True)

    assert staff_page.count("Show on the course page</button>") == 1
    assert shown.status_code == refused.status_code == 303
    assert "Listen first, then plan." in course_page
    assert "A learner on this course" in course_page
    assert attended.learner.name not in course_page
    assert "Keep this to us." not in course_page
    db.session.expire_all()
    assert db.session.get(FeedbackResponse, private.id).quote_shown is False
    assert "did not give permission to quote" in flashed

    quote_button(client, permitted, "no")
    assert "Listen first" not in client.get("/courses/living-with-adhd").get_data(as_text=True)


def test_a_learner_who_withdraws_permission_takes_the_quote_down(client, attended):
    response = answer(attended, do_differently="Plan breaks.", quote_permitted=True)
    response.quote_shown = True
    db.session.commit()
    assert "Plan breaks." in client.get("/courses/living-with-adhd").get_data(as_text=True)

    assert (
        send(client, link(attended), do_differently="Plan breaks.", quote_permitted="").status_code
        == 303
    )

    assert "Plan breaks." not in client.get("/courses/living-with-adhd").get_data(as_text=True)


def test_the_demo_has_feedback_to_show(runner, client):
    from bookings.demo.loader import DEMO_QUOTE

    runner.invoke(args=["demo"])

    page = client.get("/courses/living-with-adhd").get_data(as_text=True)
    assert DEMO_QUOTE in page
