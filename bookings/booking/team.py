"""Booking for a team, and sending a substitute in someone's place.

A team booking is one transaction for the whole group: each attendee takes a place,
or the next waiting-list position, in the order given, through the same conditional
updates of the session row as a single booking, so two organisers booking at once are
served one after the other, in the order their transactions take the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.queries import find_by_email
from ..enums import BookingStatus, Role
from ..errors import AlreadyBooked, NoSuchRecord, Refusal, TeamBookingError
from ..extensions import db
from ..mail import messages, outbox
from ..models import Booking, Session, User
from ..payments import service as payments
from ..payments.service import Billing
from .queries import active_booking
from .service import Needs, bookable, new_reference, place

TEAM_LIMIT = 20


@dataclass(frozen=True)
class Attendee:
    """One person a team booking is for."""

    name: str
    email: str
    access: str = ""
    dietary: str = ""


def _key(email: str) -> str:
    return email.strip().lower()


def check_team(
    session_id: int,
    organiser: User,
    attendees: list[Attendee],
    *,
    with_organiser: bool,
) -> None:
    """Refuse a team that cannot be booked, naming the attendee's field.

    Fields are named as the form names them: attendees-<n>-email.
    """
    count = len(attendees) + (1 if with_organiser else 0)
    if count == 0:
        raise TeamBookingError(Refusal.NOBODY_CHOSEN, field="attendees")
    if count > TEAM_LIMIT:
        raise TeamBookingError(Refusal.TEAM_TOO_BIG.format(limit=TEAM_LIMIT), field="attendees")
    seen = {_key(organiser.email)} if with_organiser else set()
    for index, person in enumerate(attendees):
        if _key(person.email) in seen:
            raise TeamBookingError(Refusal.EMAIL_TWICE, field=f"attendees-{index}-email")
        seen.add(_key(person.email))
    booked = set(
        db.session.scalars(
            select(func.lower(User.email))
            .join(Booking, Booking.learner_id == User.id)
            .where(
                Booking.session_id == session_id,
                Booking.status != BookingStatus.CANCELLED,
                func.lower(User.email).in_(seen),
            )
        )
    )
    if with_organiser and _key(organiser.email) in booked:
        raise TeamBookingError(Refusal.ALREADY_BOOKED, field="with_organiser")
    for index, person in enumerate(attendees):
        if _key(person.email) in booked:
            raise TeamBookingError(
                Refusal.ATTENDEE_ALREADY_BOOKED, field=f"attendees-{index}-email"
            )


def person_for(name: str, email: str, organiser: User) -> User:
    """The account with this address, or a new one without a password (the attendee
    sets one through the password reset link their email carries), in the organiser's
    organisation and sector."""
    existing = find_by_email(email)
    if existing is not None:
        return existing
    user = User(
        email=email.strip(),
        name=" ".join(name.split()),
        role=Role.LEARNER,
        sector=organiser.sector,
        organisation=organiser.organisation,
        password_hash=None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        # Made a moment ago by someone else: the unique index decided; use theirs.
        return find_by_email(email)
    return user


def book_team(
    session_id: int,
    organiser: User,
    attendees: list[Attendee],
    *,
    with_organiser: bool,
    organiser_needs: Needs | None = None,
    billing: Billing | None = None,
    placed_by: User | None = None,
) -> list[Booking]:
    """Book places for a group in one transaction: confirmed while places last, then
    the waiting list in order. Each attendee gets their own booking and email; the
    organiser one summary and, for priced places, one invoice with a line each.

    placed_by is staff booking on the organiser's behalf. Adds to the current
    transaction; the caller commits.
    """
    session = bookable(db.session.get(Session, session_id), placed_by)
    check_team(session_id, organiser, attendees, with_organiser=with_organiser)
    people = [(organiser, organiser_needs or Needs(consent=True))] if with_organiser else []
    for person in attendees:
        user = person_for(person.name, person.email, organiser)
        people.append((user, Needs(person.access, person.dietary, consent=True)))
    references = [new_reference() for _ in people]
    try:
        bookings = [
            place(
                session,
                user,
                needs,
                organiser,
                billing,
                organiser=organiser,
                reference=reference,
            )
            for (user, needs), reference in zip(people, references, strict=True)
        ]
    except IntegrityError:
        db.session.rollback()
        # Someone in the group was booked by another request a moment ago.
        raise AlreadyBooked(Refusal.ATTENDEE_ALREADY_BOOKED) from None
    payments.invoice_places(bookings, organiser, placed_now=True)
    outbox.enqueue(messages.team_booked(organiser, bookings))
    return bookings


def substitute(booking_id: int, name: str, email: str, by: User | None) -> Booking:
    """Send someone else in the attendee's place: same place, reference and price.

    The old attendee's calendar entry is cancelled and the new attendee invited with a
    UID of their own; the waiting list is not touched. Adds to the current
    transaction; the caller commits.
    """
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NoSuchRecord(Refusal.NO_SUCH_BOOKING)
    refusal = booking.substitution_refusal(by)
    if refusal is not None:
        raise refusal
    if _key(email) == _key(booking.learner.email):
        raise TeamBookingError(Refusal.SAME_PERSON, field="email")
    organiser = booking.organiser
    newcomer = person_for(name, email, organiser)
    if active_booking(booking.session_id, newcomer.id) is not None:
        raise TeamBookingError(Refusal.SUBSTITUTE_ALREADY_BOOKED, field="email")
    old_learner_id = booking.learner_id
    # Only the transaction that still sees this attendee on a confirmed place changes it.
    try:
        with db.session.begin_nested():
            changed = db.session.execute(
                update(Booking)
                .where(
                    Booking.id == booking.id,
                    Booking.learner_id == old_learner_id,
                    Booking.status == BookingStatus.CONFIRMED,
                )
                .values(substitutions=Booking.substitutions)
                .execution_options(synchronize_session=False)
            ).rowcount
    except IntegrityError:
        raise TeamBookingError(Refusal.SUBSTITUTE_ALREADY_BOOKED, field="email") from None
    if changed != 1:
        raise TeamBookingError(Refusal.SUBSTITUTE_CONFIRMED_ONLY)
    db.session.refresh(booking)
    # Written while the booking still names the old attendee and their UID.
    outbox.enqueue(messages.substituted_out(booking, newcomer, by))
    booking.learner_id = newcomer.id
    booking.substitutions += 1
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise TeamBookingError(Refusal.SUBSTITUTE_ALREADY_BOOKED, field="email") from None
    db.session.refresh(booking)
    outbox.enqueue(messages.substituted_in(booking))
    return booking
