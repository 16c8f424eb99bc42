"""Sector brochures: staff uploads, or a PDF generated from the published catalogue.

A generated brochure is cached on disk under a name that fingerprints the
catalogue, so it is rebuilt only when a course or session changes, when staff edit
the introduction, or when the day turns, since past dates drop out. Bookings do not
rebuild it: the places left it prints are those when it was made, and it says when.
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
from ..enums import SECTOR_LABELS, SECTORS, AuditAction, Sector
from ..errors import BrochureRejected, InvalidField
from ..extensions import db
from ..models import Brochure, BrochureIntroduction, User, utcnow
from .layout import brochure_pdf
from .queries import brochure_courses, catalogue_changes, introduction

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


# Part of every cached brochure's name: a new layout replaces brochures made with the old.
LAYOUT_VERSION = "2"
# Settings the brochure prints: a change to any of them makes a new one.
PRINTED_SETTINGS = (
    "ORG_NAME",
    "ORG_EMAIL",
    "ORG_ADDRESS",
    "CHARITY_NUMBER",
    "SITE_URL",
    "CANCELLATION_FREE_DAYS",
    "CANCELLATION_CHARGE_PERCENT",
)
STANDARD_AUDIENCE = {
    Sector.VOLUNTARY.value: "charities, community groups and their volunteers",
    Sector.PRIVATE.value: "businesses and their staff",
}


def standard_introduction(sector: str) -> str:
    """The cover's introduction until staff write their own."""
    return (
        f"Welcome to the {current_app.config['ORG_NAME']} training programme. Our courses "
        "are practical, friendly and led by experienced trainers, and priced for "
        f"{STANDARD_AUDIENCE[sector]}. Book a place online in a few minutes, or get in "
        "touch to arrange a course for your own team."
    )


def introduction_text(sector: str) -> str:
    """The introduction the sector's brochure opens with."""
    return introduction(sector) or standard_introduction(sector)


def save_introductions(texts: dict[str, str], by: User | None) -> None:
    """Keep staff's introduction for each sector; an empty one restores the standard."""
    for sector, text in texts.items():
        if sector not in SECTORS:
            raise InvalidField(sector, "Choose a sector.")
        row = db.session.get(BrochureIntroduction, sector)
        if row is None:
            row = BrochureIntroduction(sector=sector)
            db.session.add(row)
        if row.text != text:
            row.text = text
            row.updated_by_id = by.id if by else None
    db.session.flush()


def catalogue_fingerprint(sector: str, now: datetime | None = None) -> str:
    """Changes whenever anything the sector's brochure shows may have changed."""
    now = now or utcnow()
    config = current_app.config
    parts = [
        LAYOUT_VERSION,
        sector,
        *(str(config[name]) for name in PRINTED_SETTINGS),
        timefmt.to_local(now).date().isoformat(),
        introduction_text(sector),
        *(str(v) for v in catalogue_changes()),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def generate_pdf(sector: str, now: datetime | None = None) -> bytes:
    """The sector's brochure built from the published catalogue."""
    now = now or utcnow()
    return brochure_pdf(sector, brochure_courses(now), introduction_text(sector), now)


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
