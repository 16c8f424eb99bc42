"""Sector brochures: staff uploads, or a PDF generated from the published catalogue.

A generated brochure is cached on disk under a name that fingerprints the
catalogue, so it is rebuilt only when a course or session changes (or the day
turns, since past dates drop out).
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import tempfile
from datetime import datetime
from pathlib import Path

from flask import current_app

from .. import timefmt
from ..audit import service as audit
from ..enums import SECTOR_LABELS, SECTORS, AuditAction
from ..errors import BrochureRejected
from ..extensions import db
from ..models import Brochure, User, utcnow
from ..pdf import Document
from .queries import brochure_courses, catalogue_changes

PDF_MAGIC = b"%PDF-"


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "brochures"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    path = Path(current_app.instance_path) / "brochures-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(brochure: Brochure) -> Path:
    return upload_dir() / brochure.stored_name


def check_pdf(content: bytes) -> None:
    """Raise BrochureRejected unless content is a readable PDF within the size limit."""
    limit = current_app.config["BROCHURE_MAX_BYTES"]
    if len(content) > limit:
        raise BrochureRejected(
            f"The file is too big: the limit is {limit // (1024 * 1024) or 1} MB."
        )
    if not content:
        raise BrochureRejected("The file is empty.")
    if not content.startswith(PDF_MAGIC):
        raise BrochureRejected("The file is not a PDF.")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if len(reader.pages) < 1:
            raise BrochureRejected("The PDF has no pages.")
    except PyPdfError as exc:
        raise BrochureRejected("The PDF could not be read; it may be damaged.") from exc
    except (ValueError, KeyError, TypeError, IndexError, OSError) as exc:
        raise BrochureRejected("The PDF could not be read; it may be damaged.") from exc


def store_upload(sector: str, content: bytes, original_name: str, by: User | None) -> Brochure:
    """Check and keep an uploaded PDF under a generated name; earlier uploads stay."""
    if sector not in SECTORS:
        raise BrochureRejected("Choose a sector.")
    check_pdf(content)
    stored_name = f"{sector}-{utcnow():%Y%m%d%H%M%S}-{secrets.token_hex(6)}.pdf"
    _write_atomically(upload_dir() / stored_name, content)
    brochure = Brochure(
        sector=sector,
        stored_name=stored_name,
        original_name=os.path.basename(original_name or "")[:255],
        size_bytes=len(content),
        uploaded_by_id=by.id if by else None,
    )
    db.session.add(brochure)
    db.session.flush()
    audit.record(
        AuditAction.BROCHURE_UPLOADED,
        by=by,
        subject=brochure,
        summary=f"{SECTOR_LABELS[sector]}: {brochure.original_name or stored_name}, "
        f"{len(content):,} bytes.",
    )
    return brochure


def set_withdrawn(brochure_id: int, withdrawn: bool, by: User | None = None) -> Brochure | None:
    brochure = db.session.get(Brochure, brochure_id)
    if brochure is not None and brochure.withdrawn != withdrawn:
        brochure.withdrawn = withdrawn
        db.session.flush()
        action = AuditAction.BROCHURE_WITHDRAWN if withdrawn else AuditAction.BROCHURE_RESTORED
        audit.record(action, by=by, subject=brochure)
    return brochure


def _write_atomically(path: Path, content: bytes) -> None:
    # Several app servers may write the same file; readers only ever see a whole one.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def catalogue_fingerprint(sector: str, now: datetime | None = None) -> str:
    """Changes whenever anything the sector's brochure shows may have changed."""
    now = now or utcnow()
    parts = [
        sector,
        current_app.config["ORG_NAME"],
        timefmt.to_local(now).date().isoformat(),
        *(str(v) for v in catalogue_changes()),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def generate_pdf(sector: str, now: datetime | None = None) -> bytes:
    """The sector's brochure built from the published catalogue."""
    org = current_app.config["ORG_NAME"]
    label = SECTOR_LABELS[sector]
    pdf = Document(f"Training brochure: {label.lower()}", org)
    pdf.add_page()
    pdf.heading(f"{org}: training brochure", size=22)
    pdf.paragraph(f"{label} prices. Programme as at {timefmt.long_day(now or utcnow())}.")
    pdf.paragraph(f"Book online at {current_app.config['SITE_URL'].rstrip('/')}/courses")
    pdf.ln(4)
    entries = brochure_courses(now)
    if not entries:
        pdf.paragraph("New courses are being planned. Please check the website for dates.")
    category = None
    for entry in entries:
        course = entry.course
        if course.category and course.category != category:
            category = course.category
            pdf.ln(2)
            pdf.set_text_color(29, 79, 145)
            pdf.heading(category, size=15)
            pdf.set_text_color(0, 0, 0)
        pdf.heading(course.title, size=13)
        if course.summary:
            pdf.paragraph(course.summary, size=10)
        facts = [f"Price: {timefmt.money(course.price_for(sector))}"]
        if course.duration:
            facts.append(f"Duration: {course.duration}")
        pdf.paragraph("   ".join(facts), size=10, style="B")
        if entry.sessions:
            for session in entry.sessions:
                pdf.paragraph(
                    f"- {timefmt.when(session.starts_at, session.ends_at)}: "
                    f"{session.public_location}",
                    size=10,
                )
        else:
            pdf.paragraph("Dates to be announced.", size=10, style="I")
        pdf.ln(3)
    return pdf.to_bytes()


def generated_pdf(sector: str) -> bytes:
    """The generated brochure, from the cache while the catalogue is unchanged."""
    path = cache_dir() / f"{sector}-{catalogue_fingerprint(sector)}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    content = generate_pdf(sector)
    for stale in cache_dir().glob(f"{sector}-*.pdf"):
        stale.unlink(missing_ok=True)
    _write_atomically(path, content)
    return content
