"""Sector brochures: made from the catalogue with that sector's prices, or uploaded by staff."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from fpdf import FPDF
from pypdf import PdfReader
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Brochure

from ..conftest import post_form


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def designed_pdf(words: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=20)
    pdf.cell(0, 10, words)
    return bytes(pdf.output())


def test_brochures_page_lists_both_sectors_with_download_links(client, catalogue):
    html = client.get("/brochures").get_data(as_text=True)
    assert 'href="/brochures/voluntary.pdf"' in html
    assert 'href="/brochures/private.pdf"' in html
    assert "Voluntary sector" in html and "Private sector" in html
    assert "Last updated" in html


def test_voluntary_brochure_has_voluntary_prices_and_upcoming_dates(client, catalogue):
    response = client.get("/brochures/voluntary.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Living with ADHD" in text and "Emergency First Aid" in text
    assert "£25.00" in text and "Free" in text
    assert "£45.00" not in text and "£99.50" not in text
    assert "Chatham Hub" in text and "Rochester Hall" in text
    assert "Old Past Venue" not in text
    assert "Secret Draft Course" not in text
    assert "Voluntary sector" in text


def test_private_brochure_has_private_prices(client, catalogue):
    text = pdf_text(client.get("/brochures/private.pdf").data)
    assert "Living with ADHD" in text and "Emergency First Aid" in text
    assert "£45.00" in text and "£99.50" in text
    assert "£25.00" not in text and "Free" not in text
    assert "£77.77" not in text


def test_typographic_punctuation_is_printed_as_written(client, catalogue):
    text = pdf_text(client.get("/brochures/voluntary.pdf").data)
    assert "living with ADHD \u2013 for \u201cparents\u201d too." in text


def test_unknown_sector_has_no_brochure(client):
    assert client.get("/brochures/public.pdf").status_code == 404


def test_generated_brochure_is_cached_until_the_catalogue_changes(client, catalogue):
    cache = Path(current_app.instance_path) / "brochures-cache"
    for old in cache.glob("*.pdf"):
        old.unlink()
    first = client.get("/brochures/private.pdf").data
    cached = list(cache.glob("private-*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == first
    # A cached file is served as it is: prove it by marking it.
    cached[0].write_bytes(first + b"%cached")
    assert client.get("/brochures/private.pdf").data.endswith(b"%cached")

    adhd, _ = catalogue
    adhd.title = "Living Well with ADHD"
    db.session.commit()

    text = pdf_text(client.get("/brochures/private.pdf").data)
    assert "Living Well with ADHD" in text
    assert [p.name for p in cache.glob("private-*.pdf")] != [cached[0].name]


def test_cached_brochure_follows_price_date_and_publishing_changes_from_staff_screens(
    as_staff, catalogue
):
    adhd, first_aid = catalogue
    assert "£45.00" in pdf_text(as_staff.get("/brochures/private.pdf").data)

    edit = as_staff.get(f"/staff/courses/{adhd.id}/edit").get_data(as_text=True)
    assert 'value="45.00"' in edit
    form = {
        "title": adhd.title,
        "slug": adhd.slug,
        "summary": adhd.summary,
        "category": adhd.category,
        "price_voluntary": "25.00",
        "price_private": "47.50",
        "published": "y",
        "save": "Save course",
    }
    assert post_form(as_staff, f"/staff/courses/{adhd.id}/edit", form).status_code == 303
    text = pdf_text(as_staff.get("/brochures/private.pdf").data)
    assert "£47.50" in text and "£45.00" not in text

    chatham = next(s for s in adhd.sessions if s.venue_name == "Chatham Hub")
    moved = {
        "day": (chatham.starts_at + timedelta(days=7)).date().isoformat(),
        "starts": "10:00",
        "ends": "12:00",
        "venue_name": "Gillingham Library",
    }
    response = post_form(as_staff, f"/staff/sessions/{chatham.id}/reschedule", moved)
    assert response.status_code == 303
    text = pdf_text(as_staff.get("/brochures/private.pdf").data)
    assert "Gillingham Library" in text and "Chatham Hub" not in text

    rochester = first_aid.sessions[0]
    cancel = {"confirm": "y", "reason": "Trainer unwell"}
    assert post_form(as_staff, f"/staff/sessions/{rochester.id}/cancel", cancel).status_code == 303
    assert "Rochester Hall" not in pdf_text(as_staff.get("/brochures/private.pdf").data)

    post_form(
        as_staff, f"/staff/courses/{first_aid.id}/publish", {"published": "0"}, "/staff/courses"
    )
    assert "Emergency First Aid" not in pdf_text(as_staff.get("/brochures/private.pdf").data)


def upload(client, sector: str, content: bytes, name: str = "brochure.pdf"):
    return post_form(
        client,
        "/staff/brochures",
        {"sector": sector, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def brochure_count() -> int:
    return db.session.scalar(select(func.count(Brochure.id)))


def error_beside_file(response) -> str:
    html = response.get_data(as_text=True)
    return (
        html.split('id="file-error">', 1)[1].split("</p>", 1)[0]
        if 'id="file-error"' in html
        else ""
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html>not a pdf</html>", "not a PDF"),
        (b"%PDF-1.4\nthis is not really a PDF at all", "could not be read"),
        (b"", "empty"),
    ],
)
def test_upload_that_is_not_a_pdf_is_refused_beside_the_field(as_staff, content, message):
    response = upload(as_staff, "voluntary", content, "brochure.pdf")
    assert response.status_code == 400
    assert message in error_beside_file(response)
    assert brochure_count() == 0


def test_upload_without_a_file_is_refused(as_staff):
    response = post_form(
        as_staff, "/staff/brochures", {"sector": "private"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Choose a PDF file" in error_beside_file(response)


def test_upload_over_the_size_limit_is_refused(as_staff, monkeypatch):
    content = designed_pdf("Big brochure " * 50)
    monkeypatch.setitem(current_app.config, "BROCHURE_MAX_BYTES", len(content) - 1)
    response = upload(as_staff, "private", content)
    assert response.status_code == 400
    assert "too big" in error_beside_file(response)
    assert brochure_count() == 0


def test_upload_over_the_request_limit_is_refused_beside_the_field(as_staff, app, monkeypatch):
    content = designed_pdf("Big brochure " * 50)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", len(content) // 2)
    response = upload(as_staff, "private", content)

    assert response.status_code == 413
    assert "too big" in error_beside_file(response)
    assert "<h1>Brochures</h1>" in response.get_data(as_text=True)
    assert brochure_count() == 0


def test_upload_without_a_sector_is_refused(as_staff):
    response = upload(as_staff, "", designed_pdf("Designed"))
    assert response.status_code == 400
    assert "Choose which brochure" in response.get_data(as_text=True)
    assert brochure_count() == 0


def test_uploaded_brochure_is_served_and_earlier_versions_are_kept(as_staff, client, catalogue):
    first = designed_pdf("Designed voluntary brochure, spring")
    second = designed_pdf("Designed voluntary brochure, summer")

    assert upload(as_staff, "voluntary", first, "spring.pdf").status_code == 303
    assert client.get("/brochures/voluntary.pdf").data == first
    assert upload(as_staff, "voluntary", second, "summer.pdf").status_code == 303
    assert client.get("/brochures/voluntary.pdf").data == second
    # The other sector is still generated from the catalogue.
    assert "Living with ADHD" in pdf_text(client.get("/brochures/private.pdf").data)

    page = as_staff.get("/staff/brochures").get_data(as_text=True)
    assert "spring.pdf" in page and "summer.pdf" in page and "Earlier version" in page
    stored = db.session.scalars(select(Brochure).order_by(Brochure.id)).all()
    assert [b.original_name for b in stored] == ["spring.pdf", "summer.pdf"]
    assert stored[0].stored_name != "spring.pdf"
    upload_dir = Path(current_app.config["UPLOAD_DIR"]) / "brochures"
    assert (upload_dir / stored[0].stored_name).read_bytes() == first
    assert as_staff.get(f"/staff/brochures/{stored[0].id}.pdf").data == first


def test_withdrawing_an_upload_serves_the_previous_one_then_the_generated_one(
    as_staff, client, catalogue
):
    first, second = designed_pdf("First"), designed_pdf("Second")
    upload(as_staff, "private", first)
    upload(as_staff, "private", second)
    newest, older = db.session.scalars(select(Brochure).order_by(Brochure.id.desc())).all()

    post_form(as_staff, f"/staff/brochures/{newest.id}/withdraw", {}, form_page="/staff/brochures")
    assert client.get("/brochures/private.pdf").data == first

    post_form(as_staff, f"/staff/brochures/{older.id}/withdraw", {}, form_page="/staff/brochures")
    assert "Living with ADHD" in pdf_text(client.get("/brochures/private.pdf").data)

    post_form(
        as_staff,
        f"/staff/brochures/{newest.id}/withdraw",
        {"withdrawn": "0"},
        form_page="/staff/brochures",
    )
    assert client.get("/brochures/private.pdf").data == second
