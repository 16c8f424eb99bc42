"""The generated brochure: cover, contents and outline, each course's page, how to book."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import segno
from flask import current_app
from pypdf import PdfReader

from bookings import pdf as pdf_module
from bookings import timefmt
from bookings.brochures.service import generate_pdf
from bookings.extensions import db

from ..conftest import post_form
from ..factories import make_booking, make_course, make_session
from ..statements import counting_statements


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in reader(data).pages]


def flat(text: str) -> str:
    """text with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


@pytest.fixture
def programme(catalogue):
    """The small catalogue, with outcomes, audiences, an online date, a full date and a
    course with no dates yet."""
    adhd, first_aid = catalogue
    adhd.outcomes = "Describe how ADHD shows itself\nAdapt your service"
    adhd.audience = "Anyone who works with families."
    adhd.duration = "Half day (3 hours)"
    soon = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    make_session(
        adhd,
        starts_at=soon + timedelta(days=30),
        venue_name="",
        venue_address="",
        online_url="https://meet.example.org/secret-room",
        capacity=20,
    )
    full = make_session(first_aid, starts_at=soon + timedelta(days=45), capacity=1)
    make_booking(full)
    make_course(title="Trustee Basics", category="Governance", slug="trustee-basics")
    db.session.commit()
    return adhd, first_aid


def test_outline_has_an_entry_per_category_with_its_courses(client, programme):
    outline = reader(client.get("/brochures/voluntary.pdf").data).outline

    top = [item.title for item in outline if not isinstance(item, list)]
    assert top == ["Governance", "Health and safety", "Wellbeing", "How to book"]
    children = [[c.title for c in item] for item in outline if isinstance(item, list)]
    assert children == [["Trustee Basics"], ["Emergency First Aid"], ["Living with ADHD"]]


def test_contents_page_lists_categories_and_courses_with_their_page_numbers(client, programme):
    data = client.get("/brochures/voluntary.pdf").data
    texts = pages(data)
    document = reader(data)

    assert texts[1].startswith("Contents")
    listed = dict(
        (title.strip(" ."), int(number))
        for title, number in re.findall(r"^(.+?)[ .]*?(\d+)$", texts[1], re.M)
        if not title.startswith("Medway")
    )
    for item in document.outline:
        for entry in item if isinstance(item, list) else [item]:
            page = document.get_destination_page_number(entry) + 1
            assert listed[entry.title] == page, entry.title
            assert entry.title in texts[page - 1]


def test_cover_names_the_organisation_sector_period_and_introduction(client, programme):
    cover = flat(pages(client.get("/brochures/private.pdf").data)[0])
    starts = [
        timefmt.to_local(s.starts_at)
        for course in programme
        for s in course.sessions
        if s.starts_at > datetime.now(UTC)
    ]
    first, last = f"{min(starts):%B %Y}", f"{max(starts):%B %Y}"
    assert "Medway Volunteer Network" in cover
    assert "Training programme Private sector" in cover
    assert (first if first == last else f"{first} to {last}") in cover
    assert "priced for businesses and their staff" in cover
    assert "3 courses and 4 dates" in cover
    assert "Page" not in cover  # no running footer on the cover


def test_each_course_has_its_facts_price_and_dates_with_places_left(client, programme):
    text = flat(" ".join(pages(client.get("/brochures/voluntary.pdf").data)))

    assert "What you will learn" in text
    assert "Describe how ADHD shows itself" in text and "Adapt your service" in text
    assert "Who it is for Anyone who works with families." in text
    assert "Duration: Half day (3 hours)" in text
    assert "Price: £25.00" in text and "Price: Free" in text
    assert "Date Time Where Places left" in text
    assert "Chatham Hub, 1 High Street, Chatham ME4 4AA" in text
    assert re.search(r"\d\d:\d\d Online 20\b", text)  # an online date and its places left
    assert "secret-room" not in text  # never the joining link
    assert "Full: join the waiting list" in text
    assert "New dates to be announced" in text  # Trustee Basics has none yet
    assert "Dates and places left as at" in text


def course_addresses(programme) -> set[str]:
    return {f"http://localhost/courses/{c.slug}" for c in programme} | {
        "http://localhost/courses/trustee-basics"
    }


def test_each_course_qr_code_is_made_from_the_course_address(programme, monkeypatch):
    handed = []
    real_make = segno.make

    def recording_make(content, *args, **kwargs):
        handed.append(content)
        return real_make(content, *args, **kwargs)

    monkeypatch.setattr(segno, "make", recording_make)
    pdf_module._qr_image.cache_clear()  # every code drawn afresh, through the recorder

    generate_pdf("voluntary")

    assert sorted(handed) == sorted(course_addresses(programme) | {"http://localhost/courses"})


def test_each_qr_code_links_to_the_course_and_reads_back_as_its_code(client, programme):
    document = reader(client.get("/brochures/voluntary.pdf").data)
    found = {}
    for page in document.pages:
        links = [a.get_object().get("/A", {}).get("/URI") for a in page.get("/Annots", [])]
        # A QR code and the address printed beside it are each a link to the same page.
        addresses = [url for url in dict.fromkeys(links) if url]
        for image, url in zip(page.images, addresses, strict=True):
            found[url] = image.image
    assert set(found) == course_addresses(programme) | {"http://localhost/courses"}
    for url, image in found.items():
        rows = list(segno.make(url, error="m", micro=False).matrix_iter(scale=1, border=0))
        small = image.convert("1").resize((len(rows), len(rows)))
        dark = [[small.getpixel((x, y)) == 0 for x in range(len(rows))] for y in range(len(rows))]
        assert dark == [[bool(m) for m in row] for row in rows], url


def test_closing_page_covers_booking_cancellation_access_and_contact(client, programme, app):
    app.config.update(ORG_ADDRESS="1 High Street, Chatham ME4 4AA", CHARITY_NUMBER="1234567")
    try:
        closing = flat(pages(client.get("/brochures/voluntary.pdf").data)[-1])
    finally:
        app.config.update(ORG_ADDRESS="", CHARITY_NUMBER="")
    assert closing.startswith("How to book")
    assert "Book online at http://localhost/courses" in closing
    assert "Cancellations" in closing
    assert "7 days or more before the start costs nothing" in closing
    assert "charged 100% of the price" in closing
    assert "Access and accessibility" in closing and "access needs" in closing
    assert "Contact us" in closing
    assert "training@medwayvolunteers.org.uk" in closing
    assert "1 High Street, Chatham ME4 4AA" in closing
    assert "Registered charity number 1234567" in closing


def test_no_courses_still_makes_a_brochure_that_says_so(client):
    text = flat(" ".join(pages(client.get("/brochures/voluntary.pdf").data)))
    assert "New courses are being planned" in text
    assert "How to book" in text


def test_staff_write_the_introduction_each_brochure_opens_with(as_staff, catalogue):
    page = as_staff.get("/staff/brochures").get_data(as_text=True)
    assert "Introduction on the cover" in page
    assert 'name="voluntary"' in page and 'name="private"' in page
    before = flat(pages(as_staff.get("/brochures/voluntary.pdf").data)[0])
    assert "Welcome to the Medway Volunteer Network training programme" in before

    response = post_form(
        as_staff,
        "/staff/brochures/introductions",
        {"voluntary": "  Free and low-cost training for Medway’s charities.  ", "private": ""},
        form_page="/staff/brochures",
    )

    assert response.status_code == 303
    assert "Saved the brochure introductions" in as_staff.get("/staff/brochures").get_data(
        as_text=True
    )
    voluntary = flat(pages(as_staff.get("/brochures/voluntary.pdf").data)[0])
    assert "Free and low-cost training for Medway’s charities." in voluntary
    assert "Welcome to the" not in voluntary
    private = flat(pages(as_staff.get("/brochures/private.pdf").data)[0])
    assert "Welcome to the Medway Volunteer Network training programme" in private
    form = as_staff.get("/staff/brochures").get_data(as_text=True)
    assert "Free and low-cost training for Medway’s charities.</textarea>" in form


def test_too_long_an_introduction_is_refused_beside_its_field(as_staff, catalogue):
    response = post_form(
        as_staff,
        "/staff/brochures/introductions",
        {"voluntary": "Long. " * 300, "private": "Kept?"},
        form_page="/staff/brochures",
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = html.split('id="voluntary-error">', 1)[1].split("</p>", 1)[0]
    assert "Keep it to 1200 characters." in error
    assert "Long. Long." in html  # what was typed is kept to edit
    assert "Kept?" not in flat(pages(as_staff.get("/brochures/private.pdf").data)[0])


def test_cached_brochure_is_replaced_when_the_introduction_changes(as_staff, catalogue):
    cache = Path(current_app.instance_path) / "brochures-cache"
    as_staff.get("/brochures/voluntary.pdf")
    cached = {p.name for p in cache.glob("voluntary-*.pdf")}

    post_form(
        as_staff,
        "/staff/brochures/introductions",
        {"voluntary": "A new season of courses.", "private": ""},
        form_page="/staff/brochures",
    )

    assert "A new season of courses." in pages(as_staff.get("/brochures/voluntary.pdf").data)[0]
    assert {p.name for p in cache.glob("voluntary-*.pdf")}.isdisjoint(cached)


def test_brochure_of_200_courses_is_built_with_its_outline(monkeypatch):
    """The budget the issue sets; bench/brochure.py measures it in full."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for n in range(200):
        course = make_course(
            category=f"Category {n % 5}",
            outcomes="First outcome\nSecond outcome\nThird outcome",
            audience="Staff and volunteers.",
            duration="Half day",
            commit=False,
        )
        for k in range(5):
            make_session(course, starts_at=first + timedelta(days=3 + 9 * k + n), commit=False)
    db.session.commit()
    pdf_module._qr_image.cache_clear()  # the worst case: every QR code drawn afresh

    # How long this takes is measured by bench/brochure.py, not here.
    with counting_statements() as statements:
        data = generate_pdf("voluntary")

    assert len(reader(data).outline) == 5 * 2 + 1
    assert len(statements) < 20, "the brochure reads its courses in a few statements"


def test_courses_without_a_category_come_last_under_other_courses(client, programme):
    make_course(title="Open Morning", category="", slug="open-morning")

    outline = reader(client.get("/brochures/voluntary.pdf").data).outline

    top = [item.title for item in outline if not isinstance(item, list)]
    assert top[-2:] == ["Other courses", "How to book"]
    assert [c.title for c in outline[-2]] == ["Open Morning"]
