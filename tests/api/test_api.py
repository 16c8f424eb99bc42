"""The read-only JSON API: answer shape, fields, filters, pagination, OpenAPI conformance."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings.extensions import db
from tests.factories import make_booking, make_course, make_session, make_user
from tests.statements import counting_statements

from .schema_check import check_response, errors

SUMMER_START = datetime(2037, 7, 1, 9, 0, tzinfo=UTC)
WINTER_START = datetime(2037, 1, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").json


def _programme():
    """A course with an in-person, an online-only, a cancelled and a full session."""
    course = make_course(
        slug="living-with-adhd",
        title="Living with ADHD",
        price_voluntary_pence=0,
        price_private_pence=6500,
    )
    in_person = make_session(course, starts_at=SUMMER_START, capacity=2)
    online = make_session(
        course,
        starts_at=WINTER_START,
        venue_name="",
        venue_address="",
        online_url="https://meet.example.org/adhd",
    )
    make_session(course, starts_at=SUMMER_START + timedelta(days=7), status="cancelled")
    make_booking(in_person)
    make_booking(in_person)
    make_booking(in_person, status="waitlisted")
    return course, in_person, online


def test_openapi_document_is_3_1_and_describes_both_endpoints(document):
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/v1/courses", "/v1/sessions"}
    assert {"Session", "Course", "Prices"} <= set(document["components"]["schemas"])


def test_session_and_course_answers_match_the_openapi_schemas(client, document):
    _programme()
    make_course(title="No dates yet")
    sessions = client.get("/api/v1/sessions")
    courses = client.get("/api/v1/courses")
    assert sessions.status_code == courses.status_code == 200
    assert len(sessions.json["items"]) == 3
    assert check_response(document, "/v1/sessions", "200", sessions.json) == []
    assert check_response(document, "/v1/courses", "200", courses.json) == []


def test_schema_check_notices_a_missing_or_undocumented_field(client, document):
    _programme()
    body = client.get("/api/v1/sessions").json
    del body["items"][0]["places_left"]
    body["items"][1]["surprise"] = 1
    problems = check_response(document, "/v1/sessions", "200", body)
    assert any("places_left" in p for p in problems)
    assert any("surprise" in p for p in problems)


def test_bad_parameter_answers_400_with_the_documented_error(client, document):
    response = client.get("/api/v1/sessions?from=next-tuesday")
    assert response.status_code == 400
    assert response.json["parameter"] == "from"
    schema = document["paths"]["/v1/sessions"]["get"]["responses"]["400"]["content"]
    assert errors(response.json, schema["application/json"]["schema"], document) == []


def test_session_item_gives_local_times_places_and_waiting_list(client):
    course, in_person, online = _programme()
    items = {item["id"]: item for item in client.get("/api/v1/sessions").json["items"]}
    summer = items[in_person.id]
    assert summer["starts_at"] == "2037-07-01T10:00:00+01:00"
    assert summer["ends_at"] == "2037-07-01T13:00:00+01:00"
    assert summer["course"] == "living-with-adhd"
    assert summer["title"] == "Living with ADHD"
    assert summer["capacity"] == 2
    assert summer["places_left"] == 0
    assert summer["waiting_list"] == 1
    assert summer["prices"] == {"voluntary": 0, "private": 6500}
    assert summer["venue"]["name"] == "Community Hub"
    assert summer["online"] is False
    assert summer["url"] == f"http://localhost/courses/living-with-adhd#session-{in_person.id}"
    winter = items[online.id]
    assert winter["starts_at"] == "2037-01-14T09:00:00+00:00"
    assert winter["venue"] is None and winter["online"] is True
    assert winter["places_left"] == 10 and winter["waiting_list"] == 0
    assert sorted(i["status"] for i in items.values()) == ["cancelled", "scheduled", "scheduled"]


def test_course_item_lists_upcoming_scheduled_session_ids(client):
    course, in_person, online = _programme()
    make_session(course, starts_at=datetime.now(UTC) - timedelta(days=3))
    make_course(title="Hidden", published=False)
    items = client.get("/api/v1/courses").json["items"]
    assert [i["slug"] for i in items] == ["living-with-adhd"]
    assert items[0]["sessions"] == [online.id, in_person.id]
    assert items[0]["url"] == "http://localhost/courses/living-with-adhd"
    assert items[0]["prices"] == {"voluntary": 0, "private": 6500}


def test_sessions_filter_by_course_and_dates(client):
    course, in_person, online = _programme()
    other = make_session(make_course(slug="first-aid"), starts_at=SUMMER_START)

    def ids(query):
        response = client.get(f"/api/v1/sessions?{query}")
        assert response.status_code == 200, response.json
        return {item["id"] for item in response.json["items"]}

    assert other.id not in ids("course=living-with-adhd")
    assert ids("course=first-aid") == {other.id}
    assert ids("course=no-such-course") == set()
    assert ids("from=2037-07-01&to=2037-07-01") == {in_person.id, other.id}
    assert ids("from=2037-01-01&to=2037-01-31") == {online.id}
    # 10:00 London time in summer is 09:00 UTC: a date-time with an offset is honoured.
    assert ids("from=2037-07-01T09:30:00%2B00:00&to=2037-07-02") == set()


def test_past_sessions_only_when_asked_for(client):
    course = make_course()
    past = make_session(course, starts_at=datetime(2020, 3, 2, 10, tzinfo=UTC))
    upcoming = make_session(course)
    assert [i["id"] for i in client.get("/api/v1/sessions").json["items"]] == [upcoming.id]
    listed = client.get("/api/v1/sessions?from=2020-01-01").json["items"]
    assert [i["id"] for i in listed] == [past.id, upcoming.id]


def test_unpublished_courses_sessions_are_not_listed(client):
    make_session(make_course(published=False))
    assert client.get("/api/v1/sessions").json == {"items": [], "next": None}


def test_pagination_follows_next_links_to_every_session(client):
    course = make_course()
    made = {make_session(course, starts_in=timedelta(days=n + 1)).id for n in range(25)}
    seen, url, pages = [], "/api/v1/sessions?per_page=10", 0
    while url:
        body = client.get(url).json
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
        pages += 1
        if url:
            assert url.startswith("http://localhost/api/v1/sessions?")
    assert pages == 3
    assert len(seen) == 25 and set(seen) == made


def test_next_link_keeps_filters(client):
    course = make_course(slug="bid-writing")
    for n in range(3):
        make_session(course, starts_in=timedelta(days=n + 1))
    body = client.get("/api/v1/sessions?course=bid-writing&per_page=2&_external=0&x=1").json
    assert "course=bid-writing" in body["next"]
    assert len(client.get(body["next"]).json["items"]) == 1


def test_per_page_is_capped(client):
    course = make_course()
    for n in range(105):
        make_session(course, starts_in=timedelta(hours=n + 1), commit=False)
    db.session.commit()
    body = client.get("/api/v1/sessions?per_page=5000").json
    assert len(body["items"]) == 100
    assert body["next"] is not None


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "per_page=0",
        "per_page=x",
        "from=2037-13-01",
        "to=yesterday",
        "from=2037-07-02&to=2037-07-01",
        "from=2037-07-01T25:00",
        "course=%00",
    ],
)
def test_bad_query_values_get_json_400(client, query):
    response = client.get(f"/api/v1/sessions?{query}")
    assert response.status_code == 400
    assert response.is_json and response.json["message"]


def test_page_past_the_end_is_empty(client):
    make_session()
    assert client.get("/api/v1/courses?page=99999").json == {"items": [], "next": None}


def _statements_for(client, url):
    with counting_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_api_issues_the_same_statements_for_few_and_many_items(client):
    trainer = make_user("trainer")
    for _ in range(3):
        session = make_session(make_course(), trainer=trainer)
        make_booking(session, status="waitlisted")
    few = (_statements_for(client, "/api/v1/sessions"), _statements_for(client, "/api/v1/courses"))
    for _ in range(40):
        make_session(make_course(commit=False), trainer=trainer, commit=False)
    db.session.commit()
    many = (_statements_for(client, "/api/v1/sessions"), _statements_for(client, "/api/v1/courses"))
    assert few == many


def test_next_link_uses_the_site_address_like_every_other_url(app, client):
    course = make_course(slug="bid-writing")
    for n in range(2):
        make_session(course, starts_in=timedelta(days=n + 1))
    site_url = app.config["SITE_URL"]
    app.config["SITE_URL"] = "https://training.example.org"
    try:
        body = client.get("/api/v1/sessions?per_page=1", base_url="http://10.0.0.5:8000").json
    finally:
        app.config["SITE_URL"] = site_url
    assert body["items"][0]["url"].startswith("https://training.example.org/courses/")
    assert body["next"].startswith("https://training.example.org/api/v1/sessions?")
