"""Certificates of attendance: what they say, the public check, withdrawal, the codes."""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bookings.models import REFERENCE_ALPHABET, Certificate

from ..conftest import login_as, post_form
from ..factories import make_booking, make_user

LONDON = ZoneInfo("Europe/London")
CODE = re.compile(r"Verification code\s+([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


def download(client, booking):
    login_as(client, booking.learner)
    return client.get(f"/bookings/{booking.reference}/certificate.pdf")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def code_on(data: bytes) -> str:
    match = CODE.search(pdf_text(data))
    assert match, "no verification code on the certificate"
    return match.group(1)


def test_certificate_is_landscape_with_name_course_date_duration_trainer_outcomes_and_code(
    client, attended_booking
):
    response = download(client, attended_booking)

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    text = pdf_text(response.data)
    day = attended_booking.session.starts_at.astimezone(LONDON)
    for expected in (
        "Certificate of attendance",
        "Lena Learner",
        "Living with ADHD",
        f"on {day:%A} {day.day} {day:%B %Y}",
        "Duration: Half day (3 hours)",
        "Trainer: Tess Trainer",
        "Describe how ADHD shows itself",
        "Adapt your service for people with ADHD",
    ):
        assert expected in text
    code = code_on(response.data)
    assert f"Check this certificate at http://localhost/certificates/{code}" in text


def test_certificate_links_its_qr_code_to_the_public_check(client, attended_booking):
    data = download(client, attended_booking).data
    code = code_on(data)
    page = PdfReader(io.BytesIO(data)).pages[0]
    uris = {a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])}
    assert uris == {f"http://localhost/certificates/{code}"}
    assert len(page.images) == 1  # the QR code


def test_every_download_carries_the_same_code(client, attended_booking):
    first = code_on(download(client, attended_booking).data)
    again = code_on(download(client, attended_booking).data)
    assert first == again


def test_public_check_shows_only_name_course_and_date(app, client, attended_booking):
    code = code_on(download(client, attended_booking).data)
    employer = app.test_client()  # not signed in

    response = employer.get(f"/certificates/{code}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    booking = attended_booking
    day = booking.session.starts_at.astimezone(LONDON)
    assert "Lena Learner" in main
    assert "Living with ADHD" in main
    assert f"{day:%A} {day.day} {day:%B %Y}" in main
    assert "genuine" in main
    for private in (
        booking.learner.email,
        booking.reference,
        "Age UK Medway",  # organisation
        "Hearing loop",  # access needs
        "Tess Trainer",
        "Voluntary",
        "£",
        "Half day",
        "Describe how ADHD",
    ):
        assert private not in main, private
    labels = re.findall(r"<dt>([^<]+)</dt>", main)
    assert labels == ["Name", "Course", "Date", "Verification code"]
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response.headers["Cache-Control"]


def test_code_is_found_however_it_is_typed(client, attended_booking):
    code = code_on(download(client, attended_booking).data)
    for typed in (code.lower(), code.replace("-", ""), code.replace("-", " ")):
        assert client.get(f"/certificates/{typed}").status_code == 200, typed


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "X", "MVN-FHXKVH", "%3Cscript%3E"])
def test_unknown_code_answers_404(client, attended_booking, code):
    download(client, attended_booking)  # one real certificate exists
    assert client.get(f"/certificates/{code}").status_code == 404


def test_booking_reference_is_not_a_certificate_code(client, attended_booking):
    download(client, attended_booking)
    assert client.get(f"/certificates/{attended_booking.reference}").status_code == 404


def mark(client, staff, booking, value: str):
    login_as(client, staff)
    session = booking.session
    return post_form(
        client,
        f"/trainer/sessions/{session.id}/attendance",
        {f"booking_{booking.id}": value},
        form_page=f"/trainer/sessions/{session.id}",
    )


def test_staff_changing_attendance_back_withdraws_the_certificate(client, attended_booking, staff):
    code = code_on(download(client, attended_booking).data)

    assert mark(client, staff, attended_booking, "absent").status_code == 303

    html = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "This certificate has been withdrawn" in html
    today = datetime.now(LONDON)
    assert f"withdrawn ({today:%a} {today.day} {today:%b %Y})" in html
    assert "genuine" not in html
    assert download(client, attended_booking).status_code == 404  # no new copy either


def test_marking_attended_again_restores_the_same_certificate(client, attended_booking, staff):
    code = code_on(download(client, attended_booking).data)
    mark(client, staff, attended_booking, "absent")

    assert mark(client, staff, attended_booking, "attended").status_code == 303

    html = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "withdrawn" not in html and "genuine" in html
    assert code_on(download(client, attended_booking).data) == code


def test_cancelling_the_booking_withdraws_the_certificate(client, attended_booking, staff):
    code = code_on(download(client, attended_booking).data)
    login_as(client, staff)
    response = post_form(
        client,
        f"/staff/bookings/{attended_booking.id}/cancel",
        {"confirm": "y", "notify": ""},
    )
    assert response.status_code == 303

    assert "This certificate has been withdrawn" in client.get(f"/certificates/{code}").get_data(
        as_text=True
    )


def test_codes_carry_at_least_40_bits_of_randomness(session_of, trainer):
    codes = [Certificate.new_code() for _ in range(3000)]

    symbols = [c.replace("-", "") for c in codes]
    alphabet = set("".join(symbols))
    assert alphabet <= set(REFERENCE_ALPHABET)
    length = {len(s) for s in symbols}
    assert len(length) == 1
    assert length.pop() * math.log2(len(REFERENCE_ALPHABET)) >= 40
    assert len(set(codes)) == len(codes)
    # Every position takes (nearly) every symbol, evenly: none is fixed or counted up.
    for position in range(len(symbols[0])):
        seen = Counter(s[position] for s in symbols)
        assert len(seen) == len(REFERENCE_ALPHABET), position
        assert max(seen.values()) < 3 * min(seen.values()), position


def test_two_certificates_issued_together_share_no_pattern(client, attended_booking):
    other = make_booking(attended_booking.session, make_user(name="Omar"), attended=True)
    first = code_on(download(client, attended_booking).data)
    second = code_on(download(client, other).data)
    different = sum(a != b for a, b in zip(first, second, strict=True))
    assert different >= 6
