"""Accounts: create users, check credentials, reset passwords, edit profiles."""

from __future__ import annotations

import secrets

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from .. import timefmt
from ..audit import service as audit
from ..booking import service as booking_service
from ..enums import ROLES, SECTORS, AuditAction, OutboxStatus, Role
from ..errors import AccountError, EmailTaken
from ..extensions import db
from ..feedback import queries as feedback_queries
from ..interest import queries as interest_queries
from ..mail import messages, outbox
from ..models import (
    Booking,
    FeedbackResponse,
    OutboxMessage,
    RecoveryCode,
    TwoFactor,
    User,
    utcnow,
)
from ..payments.queries import invoices_of
from .passwords import check_strength
from .queries import emails_to, find_by_email, normalise_email, upcoming_sessions_taught

MIN_PASSWORD_LENGTH = 10
RESET_SALT = "password-reset"
EMAIL_TAKEN = "An account with that email address already exists."
# Compared against when no account matches, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method="scrypt")


def create_user(
    email: str,
    name: str,
    password: str,
    *,
    role: str = Role.LEARNER,
    sector: str | None = None,
    organisation: str = "",
) -> User:
    """Add a user to the current transaction; raises EmailTaken when the address is in use."""
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.", field="role")
    if sector is not None and sector not in SECTORS:
        raise AccountError(f"Sector must be one of {', '.join(SECTORS)}.", field="sector")
    if find_by_email(email):
        raise EmailTaken(EMAIL_TAKEN, field="email")
    check_strength(password, name, email)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        sector=sector,
        organisation=organisation.strip(),
    )
    user.set_password(password)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError as exc:
        # Someone registered the same address a moment ago: the unique index decides.
        raise EmailTaken(EMAIL_TAKEN, field="email") from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password these are, or None (active or not)."""
    user = find_by_email(email)
    if user is None or not user.password_hash:
        # Spend the same time as a real check so response times do not reveal accounts.
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    return user if user.check_password(password) else None


def record_sign_in(user: User, method: str = "password") -> None:
    """Note when the user signed in; trainers' and staff sign-ins go in the audit trail."""
    user.last_login_at = utcnow()
    if audit.watched(user):
        audit.record(AuditAction.SIGNED_IN, by=user, subject=user, summary=f"With {method}.")


def record_failed_sign_in(email: str, reason: str) -> None:
    """A refused sign-in to a trainer's or staff account goes in the audit trail.

    Attempts on unknown addresses and learners' accounts are only rate-limited: the
    trail is about the accounts that can see other people's details.
    """
    user = find_by_email(email)
    if audit.watched(user):
        audit.record(AuditAction.SIGN_IN_FAILED, by=user, subject=user, summary=reason)


def update_profile(user: User, *, name: str, organisation: str, sector: str) -> None:
    if sector not in SECTORS:
        raise AccountError(f"Sector must be one of {', '.join(SECTORS)}.", field="sector")
    user.name = name.strip()
    user.organisation = organisation.strip()
    user.sector = sector


def replace_calendar_token(user: User) -> str:
    """Give the user a new private calendar feed address; the old one stops working."""
    user.calendar_token = secrets.token_urlsafe(24)
    return user.calendar_token


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "pw": user.password_fingerprint})


def user_for_reset_token(token: str) -> User | None:
    """The user a reset token is for, if it is genuine, unexpired and unused."""
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.active or data.get("pw") != user.password_fingerprint:
        return None
    return user


def request_password_reset(email: str) -> bool:
    """Queue a reset email when an active account has this address; True when one was queued.

    Callers must answer the same either way, so the page does not disclose accounts.
    """
    user = find_by_email(email)
    if user is None or not user.active:
        return False
    path = url_for("accounts.reset_password", token=reset_token(user))
    link = current_app.config["SITE_URL"].rstrip("/") + path
    outbox.enqueue(messages.password_reset(user, link))
    return True


def set_new_password(user: User, password: str, how: str = "changed at /account") -> None:
    """Change the password; reset links issued before stop working, and every session,
    remember-me cookie and remembered device of the account ends (each carries the
    password's fingerprint). The person is told by email, in case it was not them.

    Raises WeakPassword when the password is too easy to guess.
    """
    check_strength(password, user.name, user.email)
    user.set_password(password)
    outbox.enqueue(messages.password_changed(user))
    if audit.watched(user):
        audit.record(
            AuditAction.PASSWORD_CHANGED, by=user, subject=user, summary=f"Password {how}."
        )


def personal_data(user: User) -> dict:
    """Everything we hold about a person, for them to download."""

    def instant(value):
        return timefmt.to_local(value).isoformat() if value else None

    return {
        "account": {
            "name": user.name,
            "email": user.email,
            "organisation": user.organisation,
            "sector": user.sector,
            "role": user.role,
            "created_at": instant(user.created_at),
            "last_sign_in_at": instant(user.last_login_at),
            "who_pays": user.payer,
            "invoice_email": user.invoice_email,
            "invoice_organisation": user.invoice_organisation,
            "invoice_address": user.invoice_address,
        },
        "bookings": [
            {
                "reference": b.reference,
                "course": b.session.course.title,
                "starts_at": instant(b.session.starts_at),
                "ends_at": instant(b.session.ends_at),
                "place": b.location,
                "status": b.status,
                "waiting_position": b.waiting_position,
                "sector": b.sector,
                "organisation": b.organisation,
                "price": timefmt.pounds(b.price_pence),
                "access_needs": b.access_needs,
                "dietary_needs": b.dietary_needs,
                "consent_to_keep_details": b.consent,
                "attended": b.attended,
                "booked_at": instant(b.created_at),
                "cancelled_at": instant(b.cancelled_at),
            }
            for b in sorted(user.bookings, key=lambda b: b.created_at)
        ],
        "invoices": [
            {
                "number": invoice.number,
                "issued_on": invoice.issued_on.isoformat(),
                "billed_to": invoice.buyer,
                "email": invoice.buyer_email,
                "total": timefmt.pounds(invoice.total_pence),
                "credit_notes": [note.number for note in invoice.credit_notes],
            }
            for invoice in invoices_of(user.id)
        ],
        # The emails we keep a copy of (see the outbox): what, to whom, when.
        "emails": [
            {
                "subject": m.subject,
                "to": m.recipient,
                "status": m.status,
                "queued_at": instant(m.created_at),
                "sent_at": instant(m.sent_at),
            }
            for m in emails_to(user)
        ],
        "feedback": [
            {
                "booking": r.booking.reference,
                "rating": r.rating,
                "confidence_before": r.confidence_before,
                "confidence_after": r.confidence_after,
                "do_differently": r.do_differently,
                "recommend": r.recommend,
                "may_quote": r.quote_permitted,
                "given_at": instant(r.created_at),
            }
            for r in feedback_queries.responses_for(user.bookings).values()
        ],
        # Courses the person asked to hear about new dates of.
        "new_date_alerts": [
            {
                "course": i.course.title,
                "email": i.email,
                "signed_up_at": instant(i.created_at),
                "confirmed_at": instant(i.confirmed_at),
            }
            for i in interest_queries.of_person(user)
        ],
    }


def erase_account(user: User) -> None:
    """Close an account and remove the person's details (caller commits).

    Upcoming places are cancelled first, so each goes to the next waiting learner and
    the person's calendar loses the event. Past bookings stay, without personal
    details, so attendance figures still add up.
    """

    if user.is_staff:
        raise AccountError("Staff accounts are closed by another member of staff.")
    now = utcnow()
    teaching = upcoming_sessions_taught(user, now)
    if teaching:
        raise AccountError(
            f"You are the trainer for {teaching} upcoming session{'s' if teaching != 1 else ''}. "
            "Please ask us to give them to another trainer before you close your account."
        )
    for booking in list(user.bookings):
        if booking.is_active and booking.session.starts_at > now:
            booking_service.cancel(booking.id, by=user)
    db.session.execute(
        update(Booking)
        .where(Booking.learner_id == user.id)
        .values(
            access_needs="",
            dietary_needs="",
            organisation="",
            invoice_email="",
            invoice_organisation="",
            invoice_address="",
            po_number="",
        )
    )
    # Ratings stay for the figures; what the person wrote goes, and any quote of it.
    db.session.execute(
        update(FeedbackResponse)
        .where(
            FeedbackResponse.booking_id.in_(
                select(Booking.id).where(Booking.learner_id == user.id).scalar_subquery()
            )
        )
        .values(do_differently="", quote_permitted=False, quote_shown=False)
    )
    # Delivered messages hold the person's name and address; queued ones still go out.
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.user_id == user.id, OutboxMessage.status != OutboxStatus.PENDING
        )
    )
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    interest_queries.forget_person(user)
    user.name = "Erased account"
    user.email = f"erased-{user.id}-{secrets.token_hex(4)}@erased.invalid"
    user.organisation = ""
    # Invoices already issued keep their copy of the buyer: the law says how long.
    user.payer = None
    user.invoice_email = user.invoice_organisation = user.invoice_address = ""
    user.password_hash = None
    user.active = False
    user.calendar_token = secrets.token_urlsafe(24)
    db.session.flush()


def replace_staff_calendar_token(user: User) -> str:
    """Give a staff member a new address for the programme feed; the old one stops working."""
    user.staff_calendar_token = secrets.token_urlsafe(24)
    return user.staff_calendar_token
