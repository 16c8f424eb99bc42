"""Home, catalogue and course pages: filters, pagination, dates and money, hostile input."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings.extensions import db
from bookings.models import NewsPost
from tests.conftest import login_as
from tests.factories import make_booking, make_course, make_session, make_user
from tests.statements import counting_statements

SUMMER = datetime(2037, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
WINTER = datetime(2037, 1, 14, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)


def page_text(response) -> str:
    return response.get_data(as_text=True)


def titles(response) -> list[str]:
    return re.findall(r'<h2><a href="/courses/[^"]+">([^<]+)</a></h2>', page_text(response))


# Catalogue -----------------------------------------------------------------


def test_search_matches_title_summary_and_category_ignoring_case(client):
    make_course(title="Living with ADHD", category="Health and wellbeing")
    make_course(title="Bid Writing", summary="Win funding from TRUSTS")
    make_course(title="Trustee Duties", category="Governance")
    assert titles(client.get("/courses?q=adhd")) == ["Living with ADHD"]
    assert titles(client.get("/courses?q=trusts")) == ["Bid Writing"]
    assert titles(client.get("/courses?q=GOVERN")) == ["Trustee Duties"]
    assert titles(client.get("/courses?q=%25")) == []


def test_search_takes_punctuation_as_separators_and_numbers_whole(client):
    make_course(title="100% Volunteer Retention")
    make_course(title="1000 Volunteers")
    make_course(title="First_aid refresher")
    make_course(title="First aid at work")
    make_course(title="Events / fundraising")
    assert titles(client.get("/courses?q=100%25")) == ["100% Volunteer Retention"]
    assert sorted(titles(client.get("/courses?q=first_aid"))) == [
        "First aid at work",
        "First_aid refresher",
    ]
    assert titles(client.get("/courses?q=events+/+fundraising")) == ["Events / fundraising"]
    assert titles(client.get("/courses?q=/")) == []


def test_category_filter_offers_existing_categories(client):
    make_course(title="First Aid", category="First aid")
    make_course(title="Safeguarding Adults", category="Safeguarding")
    response = client.get("/courses?category=Safeguarding")
    assert titles(response) == ["Safeguarding Adults"]
    assert '<option value="First aid">First aid</option>' in page_text(response)


def test_month_filter_uses_london_time(client):
    # 23:30 UTC on 30 April is 00:30 on 1 May in London.
    may = make_course(title="Late Night Course")
    make_session(may, starts_at=datetime(2037, 4, 30, 23, 30, tzinfo=UTC))
    april = make_course(title="April Course")
    make_session(april, starts_at=datetime(2037, 4, 10, 9, tzinfo=UTC))
    make_course(title="No Dates")
    assert titles(client.get("/courses?month=2037-05")) == ["Late Night Course"]
    assert titles(client.get("/courses?month=2037-04")) == ["April Course"]


def test_available_shows_only_courses_with_upcoming_places(client):
    open_course = make_course(title="Has Places")
    make_session(open_course)
    full = make_course(title="Full Up")
    make_booking(make_session(full, capacity=1))
    past = make_course(title="Only Past")
    make_session(past, starts_at=datetime.now(UTC) - timedelta(days=2))
    cancelled = make_course(title="Cancelled Only")
    make_session(cancelled, status="cancelled")
    assert titles(client.get("/courses?available=1")) == ["Has Places"]
    assert len(titles(client.get("/courses"))) == 4


def test_cards_show_both_prices_and_next_dates_with_places(client):
    course = make_course(
        title="Living with ADHD", price_voluntary_pence=0, price_private_pence=4500
    )
    make_booking(make_session(course, starts_at=SUMMER, capacity=3))
    make_session(course, starts_at=WINTER, capacity=1, status="cancelled")
    text = page_text(client.get("/courses"))
    assert "Free" in text and "£45.00" in text
    assert "Wed 1 Jul 2037, 10:00 to 13:00" in text
    assert "2 places left" in text
    assert "Wed 14 Jan 2037" not in text  # cancelled dates are not offered


def test_sector_shows_that_sectors_price_first_and_prominently(client):
    make_course(price_voluntary_pence=2500, price_private_pence=6500)
    private = page_text(client.get("/courses?sector=private"))
    assert '<strong class="price-main">£65.00</strong>' in private
    voluntary = page_text(client.get("/courses?sector=voluntary"))
    assert '<strong class="price-main">£25.00</strong>' in voluntary
    both = page_text(client.get("/courses"))
    assert "price-main" not in both and "£25.00" in both and "£65.00" in both


def test_unpublished_courses_are_not_listed(client):
    make_course(title="Draft Course", published=False)
    make_course(title="Live Course")
    assert titles(client.get("/courses")) == ["Live Course"]


def test_pagination_keeps_filters_and_clamps_page(client):
    for n in range(25):
        make_course(title=f"Course {n:02d}", category="Governance", commit=False)
    db.session.commit()
    first = client.get("/courses?category=Governance")
    assert len(titles(first)) == 20
    assert 'href="/courses?page=2&amp;category=Governance"' in page_text(first)
    second = client.get("/courses?category=Governance&page=2")
    assert titles(second) == [f"Course {n}" for n in range(20, 25)]
    assert titles(client.get("/courses?page=99999")) == titles(second)
    assert titles(client.get("/courses?page=-1")) == titles(first)
    assert titles(client.get("/courses?page=abc")) == titles(first)
    # Only the filters go into the links, never arbitrary url_for arguments.
    odd = client.get("/courses?category=Governance&_external=1&_anchor=x&_scheme=ftp")
    assert odd.status_code == 200 and "ftp:" not in page_text(odd)


@pytest.mark.parametrize(
    "query, field_id",
    [
        ("month=2017-13", "month"),
        ("month=October", "month"),
        ("sector=xyz", "sector"),
        ("category=%3Cscript%3E", "category"),
        ("q=" + "a" * 10_000, "q"),
    ],
)
def test_hostile_filters_get_400_with_message_beside_field(client, query, field_id):
    make_course()
    response = client.get(f"/courses?{query}")
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert f'id="{field_id}-error"' in text
    assert "<script>" not in text


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=99999",
        "page=1e9",
        "available=maybe",
        "q=%00%ff",
        "month=",
        "x=1&&&",
        "_external=1&_scheme=javascript&_anchor=x&endpoint=y",
    ],
)
def test_odd_query_strings_never_cause_a_server_error(client, query):
    make_session()
    assert client.get(f"/courses?{query}").status_code in (200, 400)


def test_empty_catalogue_says_so(client):
    assert "No courses match your search" in page_text(client.get("/courses?q=nothing"))


def _catalogue_statements(client) -> int:
    with counting_statements() as statements:
        response = client.get("/courses?sector=voluntary")
    assert response.status_code == 200
    return len(statements)


def _add_courses(count: int, trainer) -> None:
    for n in range(count):
        course = make_course(commit=False)
        for day in (3, 10):
            make_session(
                course, starts_in=timedelta(days=day + n % 5), trainer=trainer, commit=False
            )
    db.session.commit()


def test_catalogue_statement_count_does_not_grow_with_courses(client):
    trainer = make_user("trainer")
    _add_courses(5, trainer)
    few = _catalogue_statements(client)
    _add_courses(195, trainer)
    many = _catalogue_statements(client)
    assert few == many


# Course page ----------------------------------------------------------------


def test_course_page_shows_sessions_places_and_both_prices(client):
    trainer = make_user("trainer", name="Sam Okafor")
    course = make_course(
        slug="living-with-adhd",
        title="Living with ADHD",
        price_voluntary_pence=0,
        price_private_pence=6500,
        description="Current information on **living with ADHD**.<script>alert(1)</script>",
        outcomes="Describe ADHD\n- Signpost support\n",
        audience="Carers and volunteers",
        duration="Half day",
    )
    summer = make_session(course, starts_at=SUMMER, capacity=3, trainer=trainer)
    make_booking(summer)
    winter = make_session(
        course, starts_at=WINTER, capacity=1, online_url="https://x.test/j", venue_name=""
    )
    make_booking(winter)
    response = client.get("/courses/living-with-adhd")
    assert response.status_code == 200
    text = page_text(response)
    assert "<h1>Living with ADHD</h1>" in text
    assert "Free" in text and "£65.00" in text
    assert "Wed 1 Jul 2037, 10:00 to 13:00" in text  # BST
    assert "Wed 14 Jan 2037, 09:00 to 12:00" in text  # GMT
    assert "2 places left" in text
    assert "Full – waiting list" in text
    assert f'href="/sessions/{summer.id}/book">Book a place' in text
    assert f'href="/sessions/{winter.id}/book">Join the waiting list' in text
    assert "Sam Okafor" in text and "Online" in text
    assert "<strong>living with ADHD</strong>" in text and "<script>" not in text
    assert "<li>Describe ADHD</li>" in text and "<li>Signpost support</li>" in text
    assert "Carers and volunteers" in text and "Half day" in text
    feed = "localhost/courses/living-with-adhd/calendar.ics"
    assert f'href="webcal://{feed}">Add these dates to your calendar' in text
    assert f'value="http://{feed}"' in text  # to copy into Google Calendar


def test_cancelled_and_past_sessions_are_not_offered_for_booking(client):
    course = make_course(slug="first-aid")
    cancelled = make_session(course, starts_at=SUMMER, status="cancelled")
    past = make_session(course, starts_at=datetime(2020, 3, 5, 10, tzinfo=UTC))
    text = page_text(client.get("/courses/first-aid"))
    assert "This session is cancelled" in text
    assert f"/sessions/{cancelled.id}/book" not in text
    assert f"/sessions/{past.id}/book" not in text
    assert "Past dates" in text and "Thu 5 Mar 2020" in text


def test_course_page_lists_every_upcoming_date_and_the_five_latest_past_ones(client):
    course = make_course(slug="long-running")
    for year in range(2012, 2020):
        make_session(course, starts_at=datetime(year, 3, 5, 10, tzinfo=UTC), commit=False)
    for week in range(8):
        make_session(course, starts_at=WINTER + timedelta(weeks=week), commit=False)
    db.session.commit()
    text = page_text(client.get("/courses/long-running"))
    past = text[text.index("Past dates") :]
    assert re.findall(r"5 Mar (20\d\d)", past) == ["2019", "2018", "2017", "2016", "2015"]
    assert text.count('/book"') == 8


def test_session_past_its_booking_deadline_is_closed(client):
    course = make_course(slug="late")
    session = make_session(course, booking_deadline=datetime.now(UTC) - timedelta(hours=1))
    text = page_text(client.get("/courses/late"))
    assert "Booking closed" in text and f"/sessions/{session.id}/book" not in text


def test_unknown_or_unpublished_course_is_404_except_for_staff(client):
    make_course(slug="draft", title="Draft Course", published=False)
    assert client.get("/courses/no-such-course").status_code == 404
    assert client.get("/courses/%00bad").status_code == 404
    assert client.get("/courses/draft").status_code == 404
    login_as(client, make_user("learner"))
    assert client.get("/courses/draft").status_code == 404
    login_as(client, make_user("staff"))
    response = client.get("/courses/draft")
    assert response.status_code == 200 and "Not published" in page_text(response)


# Home page -----------------------------------------------------------------


def test_home_shows_upcoming_sessions_with_places_brochures_and_news(client):
    course = make_course(title="Mental Health Awareness")
    make_session(course, starts_at=SUMMER)
    full = make_session(make_course(title="Full Course"), capacity=1)
    make_booking(full)
    for n in range(4):
        db.session.add(
            NewsPost(
                title=f"News {n}",
                body=f"Body **{n}**",
                published_at=datetime.now(UTC) - timedelta(days=n + 1),
            )
        )
    db.session.add(NewsPost(title="Draft news", body="x", published=False))
    db.session.commit()
    text = page_text(client.get("/"))
    assert "Mental Health Awareness" in text and "Wed 1 Jul 2037, 10:00 to 13:00" in text
    assert "Full Course" not in text
    assert 'href="/brochures/voluntary.pdf"' in text and 'href="/brochures/private.pdf"' in text
    assert "News 0" in text and "News 2" in text and "News 3" not in text
    assert "Draft news" not in text
    assert "Body <strong>0</strong>" in text
    # A machine-readable date: YYYY-MM-DD, not Python's str() of a datetime.
    assert re.findall(r'<time datetime="([^"]+)">', text)[0] == (
        (datetime.now(UTC) - timedelta(days=1))
        .astimezone(ZoneInfo("Europe/London"))
        .date()
        .isoformat()
    )


def test_home_has_friendly_empty_states(client):
    text = page_text(client.get("/"))
    assert "No dates with places left" in text and "No news just now" in text


def test_cards_show_the_next_three_dates_only(client):
    course = make_course()
    for week in range(5):
        make_session(course, starts_at=SUMMER + timedelta(weeks=week), commit=False)
    db.session.commit()
    text = page_text(client.get("/courses"))
    assert "Wed 1 Jul 2037" in text and "Wed 15 Jul 2037" in text
    assert "Wed 22 Jul 2037" not in text


def test_course_page_statement_count_does_not_grow_with_sessions(client):
    course = make_course(slug="busy")

    def add_sessions(count):
        for _ in range(count):
            trainer = make_user("trainer", commit=False)
            make_session(
                course,
                starts_in=timedelta(days=len(course.sessions) + 1),
                trainer=trainer,
                commit=False,
            )
        db.session.commit()

    def statements():
        with counting_statements() as sent:
            assert client.get("/courses/busy").status_code == 200
        return len(sent)

    add_sessions(2)
    few = statements()
    add_sessions(20)
    assert statements() == few


def test_course_dates_stack_on_phones_with_each_cell_labelled(client):
    course = make_course(slug="first-aid")
    session = make_session(course)
    html = page_text(client.get("/courses/first-aid"))
    assert '<table class="stack-on-phone">' in html
    row = re.search(rf'<tr id="session-{session.id}">(.*?)</tr>', html, re.DOTALL).group(1)
    labels = re.findall(r'<td data-label="([^"]+)">', row)
    assert labels == ["When", "Where", "Trainer", "Places"]
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert ".stack-on-phone td[data-label]::before" in css


def test_cards_show_fresh_places_titles_and_prices_on_every_visit(client):
    """Cards are rendered once and reused: any change on a card is a fresh card."""
    course = make_course(title="Minute taking", price_private_pence=4500)
    session = make_session(course, starts_at=SUMMER, capacity=3)
    assert "3 places left" in page_text(client.get("/courses"))
    make_booking(session)
    assert "2 places left" in page_text(client.get("/courses"))
    course.title = "Taking minutes"
    course.price_private_pence = 5000
    db.session.commit()
    text = page_text(client.get("/courses?sector=private"))
    assert "Taking minutes" in text and "£50.00" in text and "Minute taking" not in text
    form = page_text(client.get("/courses?q=minutes"))
    assert 'value="minutes"' in form
    assert 'value="other"' not in form and 'value="other"' in page_text(
        client.get("/courses?q=other")
    )
