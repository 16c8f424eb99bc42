"""Staff create, edit, preview and (un)publish courses; bad input is refused beside its field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Course

from ..conftest import post_form
from ..factories import make_course
from .conftest import field_error

GOOD = {
    "title": "First Aid at Work",
    "slug": "first-aid-at-work",
    "summary": "Three days.",
    "description": "Learn **first aid**.",
    "outcomes": "Recovery position",
    "audience": "Everyone",
    "category": "Health and safety",
    "duration": "3 days",
    "price_voluntary": "45",
    "price_private": "£120.50",
    "published": "y",
    "save": "Save course",
}


def course_count() -> int:
    return db.session.scalar(select(func.count(Course.id)))


def test_staff_add_a_course_with_prices_in_pounds(as_staff):
    response = post_form(as_staff, "/staff/courses/new", GOOD)

    assert response.status_code == 303
    course = db.session.scalar(select(Course).where(Course.slug == "first-aid-at-work"))
    assert course.title == "First Aid at Work"
    assert course.price_voluntary_pence == 4500
    assert course.price_private_pence == 12050
    assert course.published is True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price_voluntary", "abc", "Enter a price in pounds"),
        ("price_private", "-5", "cannot be negative"),
        ("price_voluntary", "", "Enter a price"),
        ("price_private", "12.345", "Enter a price in pounds"),
        ("slug", "First Aid!", "lower-case letters"),
        ("slug", "", "Enter the web address name"),
        ("title", "", "Enter the course title"),
        ("summary", "x" * 501, "500 characters"),
    ],
)
def test_bad_course_input_is_refused_beside_the_field(as_staff, field, value, message):
    response = post_form(as_staff, "/staff/courses/new", {**GOOD, field: value})

    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert course_count() == 0


def test_duplicate_slug_is_refused_beside_the_field(as_staff):
    make_course(slug="first-aid-at-work", title="Existing")
    response = post_form(as_staff, "/staff/courses/new", GOOD)

    assert response.status_code == 400
    assert "already uses" in field_error(response.get_data(as_text=True), "slug")
    assert course_count() == 1


def test_editing_keeps_the_slug_free_for_itself_but_not_for_another(as_staff):
    course = make_course(slug="safeguarding", title="Safeguarding")
    make_course(slug="first-aid-at-work")
    path = f"/staff/courses/{course.id}/edit"

    ok = post_form(as_staff, path, {**GOOD, "slug": "safeguarding", "title": "Safeguarding Adults"})
    clash = post_form(as_staff, path, {**GOOD, "slug": "first-aid-at-work"})

    assert ok.status_code == 303
    assert clash.status_code == 400
    db.session.expire_all()
    assert db.session.get(Course, course.id).title == "Safeguarding Adults"
    assert db.session.get(Course, course.id).slug == "safeguarding"


def test_edit_form_shows_prices_in_pounds(as_staff):
    course = make_course(price_voluntary_pence=2500, price_private_pence=0)
    html = as_staff.get(f"/staff/courses/{course.id}/edit").get_data(as_text=True)
    assert 'value="25.00"' in html
    assert 'value="0.00"' in html


def test_preview_renders_sanitised_markdown_and_saves_nothing(as_staff):
    data = {
        **GOOD,
        "description": "Hello **world** <script>alert(1)</script> [x](javascript:alert(2))",
        "preview": "Preview",
    }
    data.pop("save")
    response = post_form(as_staff, "/staff/courses/new", data)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = html.split('<div class="preview">', 1)[1].split("</div>", 1)[0]
    assert "<strong>world</strong>" in preview
    assert "<script>" not in preview and "javascript:" not in preview
    assert "&lt;script&gt;" in html  # the text stays in the form to edit
    assert course_count() == 0


def test_unpublish_and_publish_a_course(as_staff):
    course = make_course(published=True)
    path = f"/staff/courses/{course.id}/publish"

    post_form(as_staff, path, {"published": "0"}, form_page="/staff/courses")
    db.session.expire_all()
    assert db.session.get(Course, course.id).published is False

    post_form(as_staff, path, {"published": "1"}, form_page="/staff/courses")
    db.session.expire_all()
    assert db.session.get(Course, course.id).published is True
