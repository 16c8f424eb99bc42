"""Certificates of attendance: when one is due, issuing its code, withdrawing it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from .. import timefmt
from ..errors import NoCertificate, Refusal
from ..extensions import db
from ..models import Booking, Certificate, Session, utcnow
from .queries import for_booking

CODE_ATTEMPTS = 5


def check_certificate(booking: Booking, now: datetime | None = None) -> None:
    """Raise NoCertificate unless the learner was marked attended at a session now over."""
    now = now or utcnow()
    session = booking.session
    if not booking.has_place or booking.attended is not True:
        raise NoCertificate(Refusal.CERTIFICATE_NEEDS_ATTENDANCE)
    if not session.is_scheduled or session.ends_at > now:
        raise NoCertificate(Refusal.CERTIFICATE_AFTER_SESSION)


def issue(booking: Booking, now: datetime | None = None) -> Certificate:
    """The booking's certificate, given its verification code the first time it is asked
    for; raises NoCertificate when none is due."""
    check_certificate(booking, now)
    certificate = for_booking(booking.id)
    if certificate is not None:
        return certificate
    for _ in range(CODE_ATTEMPTS):
        try:
            with db.session.begin_nested():
                certificate = Certificate(booking=booking, code=Certificate.new_code())
                db.session.add(certificate)
            return certificate
        except IntegrityError:
            # Asked for twice at once: the other request's certificate stands.
            certificate = for_booking(booking.id)
            if certificate is not None:
                return certificate
    raise RuntimeError("could not find a free certificate code")


def attendance_changed(booking: Booking, now: datetime | None = None) -> None:
    """Withdraw the booking's certificate when the learner is no longer marked attended;
    restore it when they are again, so the code on the paper copy holds once more."""
    certificate = for_booking(booking.id)
    if certificate is None:
        return
    if booking.attended is True:
        certificate.withdrawn_at = None
    elif certificate.withdrawn_at is None:
        certificate.withdrawn_at = now or utcnow()


def attended_on(session: Session) -> str:
    """'Thursday 5 October 2017', or the first and last days of a longer session."""
    first, last = timefmt.long_day(session.starts_at), timefmt.long_day(session.ends_at)
    return first if first == last else f"{first} to {last}"
