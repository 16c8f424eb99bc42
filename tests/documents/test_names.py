"""Every PDF prints names as they were written, and says what it is and its language."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from bookings.pdf import Document

from ..conftest import login_as
from ..factories import make_booking, make_user

NAMES = {
    "Polish": "Zoë O'Brien-Łukasz",
    "Polish, more letters": "Małgorzata Żółkiewska-Dąb",
    "Vietnamese": "Nguyễn Thị Ánh Tuyết",
    "Greek": "Αικατερίνη Παπαδοπούλου",
    "Turkish": "Şükrü Işıklı İğdeli",
    "Russian": "Пётр Ёлкин-Щукин",
}


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(data).pages)


def fonts_of(data: bytes) -> list:
    """Every font the pages use, as PDF dictionaries."""
    found = []
    for page in reader(data).pages:
        fonts = page["/Resources"].get("/Font", {})
        found += [fonts[name].get_object() for name in fonts]
    return found


def assert_embedded_unicode_fonts_only(data: bytes) -> None:
    """No core font (Latin-1 only): each is an embedded TrueType with a ToUnicode map."""
    fonts = fonts_of(data)
    assert fonts
    for font in fonts:
        assert font["/Subtype"] == "/Type0", font
        assert "/ToUnicode" in font
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


@pytest.fixture
def attended(session_of, trainer):
    """A session that is over, attended by one learner of each language."""
    session = session_of(trainer, starts_in=timedelta(days=-2))
    bookings = {
        language: make_booking(
            session,
            make_user(name=name, organisation="Stowarzyszenie Łódź"),
            attended=True,
            access_needs="Żółć",
        )
        for language, name in NAMES.items()
    }
    return session, bookings


def test_register_prints_every_name_exactly(client, trainer, attended):
    session, _ = attended
    login_as(client, trainer)

    data = client.get(f"/trainer/sessions/{session.id}/register.pdf").data

    text = text_of(data)
    for language, name in NAMES.items():
        assert name in text, language
    assert "Stowarzyszenie Łódź" in text and "Żółć" in text
    assert_embedded_unicode_fonts_only(data)


@pytest.mark.parametrize("language", NAMES)
def test_certificate_prints_the_learners_name_exactly(client, attended, language):
    _, bookings = attended
    booking = bookings[language]
    login_as(client, booking.learner)

    data = client.get(f"/bookings/{booking.reference}/certificate.pdf").data

    lines = text_of(data).splitlines()
    assert NAMES[language] in lines  # whole, on a line of its own
    assert_embedded_unicode_fonts_only(data)


def test_any_document_prints_names_exactly_even_when_asking_for_a_core_font(app):
    """What an invoice, a report or any new document built on Document gets for free."""
    pdf = Document("Invoice INV-2027-0001", "Medway Volunteer Network")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=12)
    for name in NAMES.values():
        pdf.cell(0, 8, f"Bill to: {name}", new_x="LMARGIN", new_y="NEXT")
    pdf.paragraph("Total £45.00 – paid “in full”")

    data = pdf.to_bytes()

    text = text_of(data)
    for name in NAMES.values():
        assert f"Bill to: {name}" in text
    assert "Total £45.00 – paid “in full”" in text
    assert_embedded_unicode_fonts_only(data)


def test_accents_typed_as_separate_marks_print_as_one_letter(app):
    pdf = Document("Register", "Medway Volunteer Network")
    pdf.add_page()
    pdf.paragraph("Nguye\u0302\u0303n Zoe\u0308")  # decomposed, as some keyboards send them
    assert "Nguyễn Zoë" in text_of(pdf.to_bytes())


def assert_title_and_language(data: bytes, title: str) -> None:
    document = reader(data)
    assert document.metadata.title == title
    assert document.trailer["/Root"]["/Lang"] == "en-GB"
    # Viewers show the title rather than the file name.
    assert bool(document.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"])


def test_each_document_has_its_title_and_language(client, trainer, attended, staff):
    session, bookings = attended
    booking = bookings["Polish"]
    login_as(client, trainer)
    assert_title_and_language(
        client.get(f"/trainer/sessions/{session.id}/register.pdf").data,
        "Register: Living with ADHD",
    )
    login_as(client, booking.learner)
    assert_title_and_language(
        client.get(f"/bookings/{booking.reference}/certificate.pdf").data,
        "Certificate of attendance: Living with ADHD",
    )
    for sector, label in (("voluntary", "voluntary sector"), ("private", "private sector")):
        assert_title_and_language(
            client.get(f"/brochures/{sector}.pdf").data, f"Training programme: {label}"
        )
