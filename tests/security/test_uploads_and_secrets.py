"""Uploaded brochures, the secret key file, and password reset answers."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from flask import current_app
from fpdf import FPDF
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Brochure

from ..conftest import login_as, post_form


def a_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=20)
    pdf.cell(0, 10, "Designed brochure")
    return bytes(pdf.output())


def upload(client, content: bytes, name: str):
    return post_form(
        client,
        "/staff/brochures",
        {"sector": "voluntary", "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    "name",
    ["../../../../tmp/evil.pdf", "..\\..\\evil.pdf", '<script>alert(1)</script>".pdf'],
)
def test_uploaded_file_name_never_chooses_where_it_is_stored(client, staff, tmp_path, name):
    login_as(client, staff)
    response = upload(client, a_pdf(), name)
    assert response.status_code == 303
    brochure = db.session.scalars(select(Brochure)).one()
    upload_dir = (Path(current_app.config["UPLOAD_DIR"]) / "brochures").resolve()
    stored = (upload_dir / brochure.stored_name).resolve()
    assert stored.parent == upload_dir and stored.is_file()
    assert "/" not in brochure.original_name
    assert not Path("/tmp/evil.pdf").exists()
    page = client.get("/staff/brochures").get_data(as_text=True)
    assert "<script>alert" not in page

    for path in (f"/staff/brochures/{brochure.id}.pdf", "/brochures/voluntary.pdf"):
        served = client.get(path)
        assert served.status_code == 200
        assert served.mimetype == "application/pdf"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        disposition = served.headers["Content-Disposition"]
        assert "\n" not in disposition and "<script>" not in disposition.split("filename*")[0]


def test_html_dressed_as_a_pdf_is_refused(client, staff):
    login_as(client, staff)
    response = upload(client, b"%PDF-1.4\n<html><script>alert(1)</script></html>", "x.pdf")
    assert response.status_code == 400
    assert db.session.scalars(select(Brochure)).first() is None


def test_generated_secret_key_file_is_private(app):
    key_file = Path(app.instance_path) / "secret_key"
    if os.environ.get("SECRET_KEY"):
        pytest.skip("SECRET_KEY comes from the environment here")
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 64


def test_password_reset_link_is_not_in_the_page_or_an_outgoing_referrer(client, owner):
    response = post_form(client, "/auth/reset", {"email": owner.email})
    assert response.status_code == 200
    assert "/auth/reset/" not in response.get_data(as_text=True)
    page = client.get("/auth/reset/anything")
    assert page.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
