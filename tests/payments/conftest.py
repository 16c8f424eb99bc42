"""Money fixtures: a priced course, learners who pay for it, staff, and the settings."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bookings.booking import service
from bookings.booking.service import Needs
from bookings.enums import Payer
from bookings.extensions import db
from bookings.models import CreditNote, Invoice
from bookings.payments.service import Billing

from ..factories import make_course, make_session, make_user

YEAR = datetime.now(UTC).year
MONEY_SETTINGS = (
    "VAT_RATE",
    "VAT_NUMBER",
    "CHARITY_NUMBER",
    "ORG_ADDRESS",
    "INVOICE_PAYMENT_DETAILS",
    "CANCELLATION_CHARGE_PERCENT",
    "INVOICE_REMINDER_DAYS",
    "XERO_SALES_ACCOUNT",
)
ACME = Billing(
    Payer.ORGANISATION,
    "accounts@acme.example",
    "Acme Care Ltd",
    "Unit 4, Riverside Park\nChatham\nKent\nME4 4AA",
    "PO-7781",
)


@pytest.fixture
def money_config(app):
    """Lets a test change the money settings; restores them afterwards."""
    saved = {name: app.config[name] for name in MONEY_SETTINGS}
    yield app.config
    app.config.update(saved)


@pytest.fixture
def course():
    return make_course(
        title="Living with ADHD",
        slug="living-with-adhd",
        price_voluntary_pence=0,
        price_private_pence=6500,
    )


@pytest.fixture
def priced_session(course):
    return make_session(course, starts_in=timedelta(days=30), capacity=10)


@pytest.fixture
def learner():
    return make_user(name="Ada Lovelace", email="ada@example.org", sector="private")


@pytest.fixture
def staff():
    return make_user("staff", name="Sam Staff", email="sam@example.org")


def book(session, learner, billing: Billing | None = None):
    """A place booked through the service, committed."""
    booking = service.book(session.id, learner, Needs(consent=True), billing=billing)
    db.session.commit()
    return booking


def invoices() -> list[Invoice]:
    db.session.expire_all()
    return list(db.session.scalars(select(Invoice).order_by(Invoice.id)))


def credit_notes() -> list[CreditNote]:
    db.session.expire_all()
    return list(db.session.scalars(select(CreditNote).order_by(CreditNote.id)))


def pdf_text(data: bytes) -> str:
    """Everything a PDF says, as pypdf reads it back."""
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def field_error(html: str, field_id: str) -> str:
    """The error message shown beside a field ('' when none), as the reader sees it."""
    marker = f'<p class="error-message" id="{field_id}-error">'
    if marker not in html:
        return ""
    return unescape(html.split(marker, 1)[1].split("</p>", 1)[0])
