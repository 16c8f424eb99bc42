"""Book a place, join the waiting list, cancel, promote, move.

Capacity is decided in the database: every change to a session's places starts
with an UPDATE of its row, so that row is locked (PostgreSQL) or the database is
write-locked (SQLite) for the rest of the transaction, and the seat counter only
moves through conditional updates the check constraint also guards. The reads
for friendly messages happen before that first write and decide nothing.

On SQLite the write must come first: pysqlite opens the transaction at the
first INSERT/UPDATE, and a transaction that read before it wrote cannot wait
for the write lock (it fails with "database is locked" instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from .. import timefmt
from ..audit import service as audit
from ..enums import AuditAction, BookingStatus, Payer, Sector
from ..errors import AlreadyBooked, BookingClosed, CancellationRefused, NoSuchRecord, Refusal
from ..extensions import db
from ..mail import messages, outbox
from ..models import Booking, Session, User, utcnow
from ..models.base import write_row
from ..payments import issuing
from ..payments import service as payments
from ..payments.service import Billing
from . import seats
from .queries import active_booking

REFERENCE_ATTEMPTS = 5
NEEDS_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Needs:
    """What the learner tells us when booking."""

    access: str = ""
    dietary: str = ""
    consent: bool = False


def reference_prefix() -> str:
    """Initials of the organisation: 'Medway Volunteer Network' gives 'MVN'."""
    words = re.findall(r"[A-Za-z]+", current_app.config["ORG_NAME"])
    initials = "".join(w[0] for w in words).upper()[:4]
    return initials or "BK"


_REFERENCE_TAKEN = select(Booking.id).where(Booking.reference == bindparam("reference"))


def bookable(session: Session | None, placed_by: User | None) -> Session:
    """The session, when it can be booked now; else raise the rule's refusal."""
    if session is None:
        raise NoSuchRecord(Refusal.NO_SUCH_SESSION)
    refusal = session.booking_refusal(placed_by)
    if refusal is not None:
        raise refusal
    return session


def new_reference() -> str:
    prefix = reference_prefix()
    for _ in range(REFERENCE_ATTEMPTS):
        reference = Booking.new_reference(prefix)
        taken = db.session.scalar(_REFERENCE_TAKEN, {"reference": reference})
        if taken is None:
            return reference
    raise RuntimeError("could not find a free booking reference")


def book(
    session_id: int,
    learner: User,
    needs: Needs,
    booked_by: User | None = None,
    billing: Billing | None = None,
) -> Booking:
    """Confirm a place, or add the learner to the waiting list when the session is full.

    A priced place is billed as billing says (else as the learner's profile
    remembers), and invoiced as soon as it is confirmed. Adds to the current
    transaction; the caller commits. Raises NoSuchRecord, BookingClosed, or
    AlreadyBooked (carrying the existing booking).
    """
    session = bookable(db.session.get(Session, session_id), booked_by)
    learner_id = learner.id
    # Neither an existing booking nor a taken reference is looked for first: the unique
    # indexes answer both, and looking would cost every booking two queries.
    for _ in range(REFERENCE_ATTEMPTS):
        try:
            reference = Booking.new_reference(reference_prefix())
            booking = place(
                session, learner, needs, booked_by, billing, reference=reference, invoice=True
            )
            if booked_by is not None and booked_by.id != learner_id:
                audit.record(
                    AuditAction.BOOKED_ON_BEHALF,
                    by=booked_by,
                    subject=booking,
                    summary=f"{_placed(booking)} on {_session_words(booking.session)}.",
                )
            return booking
        except IntegrityError:
            # The partial unique index caught a second booking (a double submit), or,
            # rarely, two bookings drew the same reference. Nothing of this attempt stays.
            db.session.rollback()
            existing = active_booking(session_id, learner_id)
            if existing is not None:
                raise AlreadyBooked(Refusal.ALREADY_BOOKED, existing) from None
    raise RuntimeError("could not store the booking")


def place(
    session: Session,
    learner: User,
    needs: Needs,
    booked_by: User | None,
    billing: Billing | None = None,
    *,
    organiser: User | None = None,
    reference: str | None = None,
    invoice: bool = False,
) -> Booking:
    """Take a place (or a waiting-list position) for learner and write the booking.

    The sector, organisation and price come from organiser's profile when someone
    books for a team, else from the learner's. With invoice, a confirmed priced place
    is invoiced too. The caller has checked the session is bookable and the learner
    not already booked; the database decides the place.

    The seat update locks the session (PostgreSQL) or the database (SQLite) until
    commit, and every other booking of the session waits for that. So all that can be
    made before it is made first, from the session as read: the booking, its email,
    and the invoice with its email but for the number. The update returns the session
    as it now stands; when the place or the session is not what was read (the last
    place went meanwhile, or a reschedule was committed), they are made again from it.
    """
    # Drawn before the seat update: the lookup need not hold up other bookings. On
    # SQLite a read outside a transaction opens none, so the update stays first.
    reference = reference or new_reference()
    # Nothing is written until the end: the booking joins the transaction last.
    with db.session.no_autoflush:
        booking = _new_booking(session, learner, needs, booked_by, billing, organiser, reference)
        confirmed = session.seats_taken < session.capacity
        prepared = _prepared(booking, invoice) if confirmed else None
        # First statement of the transaction: the conditional update of the seat counter.
        standing = seats.take_seat(session.id)
        confirmed = standing is not None
        position = None
        if not confirmed:
            standing = seats.join_waiting_list(session.id)
            if standing is None:
                raise BookingClosed(Refusal.SESSION_CANCELLED)
            position = standing.waitlist_last
        edited = seats.caught_up(session, standing)
        _settle(booking, confirmed, position)
        if prepared is None or not confirmed or edited:
            prepared = _prepared(booking, invoice)
        email, invoice_draft = prepared
        db.session.add(write_row(db.session, booking))
        outbox.enqueue(email, booking_id=booking.id)
        if invoice_draft is not None:
            issuing.issue(invoice_draft)
    return booking


def _new_booking(
    session: Session,
    learner: User,
    needs: Needs,
    booked_by: User | None,
    billing: Billing | None,
    organiser: User | None,
    reference: str,
) -> Booking:
    """The booking, confirmed for now and not yet in the transaction."""
    profile = organiser or learner
    sector = profile.sector or Sector.VOLUNTARY
    booking = Booking(
        reference=reference,
        session_id=session.id,
        learner_id=learner.id,
        sector=sector,
        organisation=profile.organisation or "",
        price_pence=session.course.price_for(sector),
        access_needs=needs.access.strip(),
        dietary_needs=needs.dietary.strip(),
        consent=needs.consent,
        booked_by_id=(booked_by or learner).id,
    )
    # Set as loaded, not assigned: assigning would also add the booking to the
    # session's and the learner's lists of bookings before it is written.
    set_committed_value(booking, "session", session)
    set_committed_value(booking, "learner", learner)
    set_committed_value(booking, "booked_by", booked_by or learner)
    _settle(booking, confirmed=True, position=None)
    if booking.price_pence > 0:
        (billing or Billing.remembered(profile)).apply_to(booking)
    return booking


def _settle(booking: Booking, confirmed: bool, position: int | None) -> None:
    booking.status = BookingStatus.CONFIRMED if confirmed else BookingStatus.WAITLISTED
    booking.waiting_position = position
    booking.confirmed_at = utcnow() if confirmed else None


def _prepared(
    booking: Booking, invoice: bool
) -> tuple[messages.Email, issuing.DraftInvoice | None]:
    """The booking's email, and with invoice the draft invoice of a priced place."""
    if not booking.has_place:
        return messages.added_to_waiting_list(booking), None
    draft = issuing.draft_invoice([booking]) if invoice and booking.price_pence > 0 else None
    return messages.booking_confirmed(booking), draft


def promote_first_waiting(session_id: int) -> Booking | None:
    """Give a free place to the first learner on the waiting list, if there is both.

    Locks the session row first (the seat update), so concurrent cancellations
    promote waiting learners one at a time, in order.
    """
    if not seats.take_seat(session_id):
        return None
    first = db.session.scalar(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waiting_position)
        .limit(1)
        .with_for_update()
    )
    if first is None:
        seats.free_seat(session_id)
        return None
    seats.reload(first.session)
    first.status = BookingStatus.CONFIRMED
    first.waiting_position = None
    first.confirmed_at = utcnow()
    db.session.flush()
    outbox.enqueue(messages.promoted(first))
    # Billed from the moment the place is theirs, in the same transaction.
    payments.invoice_places([first])
    return first


def fill_from_waiting_list(session_id: int) -> list[Booking]:
    """Promote waiting learners while places are free (after capacity goes up, say).

    Only before the session starts: nobody is told a place is theirs for a session
    already under way. Adds to the current transaction; the caller commits.
    """
    session = db.session.get(Session, session_id)
    if session is None or not session.is_scheduled or utcnow() >= session.starts_at:
        return []
    promoted = []
    while (booking := promote_first_waiting(session_id)) is not None:
        promoted.append(booking)
    if promoted:
        seats.refresh_counters(session)
    return promoted


def _cancellable(booking: Booking | None, by: User | None) -> Booking:
    """The booking, when `by` may cancel it now; else raise the rule's refusal."""
    if booking is None:
        raise NoSuchRecord(Refusal.NO_SUCH_BOOKING)
    refusal = booking.cancellation_refusal(by)
    if refusal is not None:
        raise refusal
    return booking


def cancel(booking_id: int, by: User | None) -> Booking:
    """Cancel a booking; a confirmed place goes to the first waiting learner.

    by is who asks: the learner, staff (who may also cancel after the start), or
    None for the system. Adds to the current transaction; the caller commits.
    """
    return cancel_and_promote(booking_id, by)[0]


def cancel_and_promote(booking_id: int, by: User | None) -> tuple[Booking, Booking | None]:
    """cancel, also returning the waiting booking that was given the freed place, if any."""
    booking = _cancellable(db.session.get(Booking, booking_id), by)
    promoted = _cancel_locked(booking, by, promote=True)
    payments.settle_cancellation(booking, refilled=promoted is not None, by=by)
    # A learner cancelling their own place is theirs to do; anyone else's hand is recorded.
    if by is None or by.id != booking.learner_id:
        summary = f"Cancelled on {_session_words(booking.session)}."
        if promoted is not None:
            summary += f" The place went to {promoted.learner.name} ({promoted.reference})."
        audit.record(AuditAction.BOOKING_CANCELLED, by=by, subject=booking, summary=summary)
    return booking, promoted


def _session_words(session: Session) -> str:
    return f"{session.course.title}, {timefmt.when(session.starts_at, session.ends_at)}"


def _placed(booking: Booking) -> str:
    return "Confirmed" if booking.has_place else "On the waiting list"


def _cancel_locked(
    booking: Booking, by: User | None, *, promote: bool, record_outcome: bool = True
) -> Booking | None:
    session_id = booking.session_id
    was = booking.status
    if was == BookingStatus.CONFIRMED:
        seats.free_seat(session_id)
    else:
        seats.lock_session(session_id)
    seats.reload(booking.session)
    # Decided on the session as it stands once locked; a move is no late cancellation.
    outcome = booking.cancellation_outcome(by) if record_outcome else None
    # Only the transaction that still sees the old status cancels it: two clicks, one effect.
    changed = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == was)
        .values(
            status=BookingStatus.CANCELLED,
            waiting_position=None,
            cancelled_at=utcnow(),
            outcome=outcome,
            attended=None if outcome is None else False,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise CancellationRefused(Refusal.ALREADY_CANCELLED)
    db.session.refresh(booking)
    outbox.enqueue(messages.booking_cancelled(booking, by=by))
    promoted = None
    if was == BookingStatus.CONFIRMED and promote and utcnow() < booking.session.starts_at:
        promoted = promote_first_waiting(session_id)
    seats.refresh_counters(booking.session)
    return promoted


def move(booking_id: int, new_session_id: int, by: User) -> Booking:
    """Move a booking to another session of the same course (staff).

    Cancels the old booking (its place goes to the first waiting learner there) and
    books the new session, confirmed or waiting, in one transaction.
    """
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NoSuchRecord(Refusal.NO_SUCH_BOOKING)
    if booking.is_cancelled:
        raise CancellationRefused(Refusal.ALREADY_CANCELLED)
    if booking.session_id == new_session_id:
        raise AlreadyBooked(Refusal.ALREADY_FOR_SESSION, booking)
    new_session = bookable(db.session.get(Session, new_session_id), by)
    if new_session.course_id != booking.session.course_id:
        raise BookingClosed(Refusal.MOVE_SAME_COURSE)
    existing = active_booking(new_session_id, booking.learner_id)
    if existing is not None:
        raise AlreadyBooked(Refusal.LEARNER_ALREADY_BOOKED, existing)
    learner = booking.learner
    needs = Needs(booking.access_needs, booking.dietary_needs, booking.consent)
    billing = Billing(
        booking.payer or Payer.SELF,
        booking.invoice_email,
        booking.invoice_organisation,
        booking.invoice_address,
        booking.po_number,
    )
    # Lock both sessions in id order, so two opposite moves cannot deadlock.
    for session_id in sorted((booking.session_id, new_session_id)):
        seats.lock_session(session_id)
    _cancel_locked(booking, by, promote=True, record_outcome=False)
    try:
        moved = place(new_session, learner, needs, by, billing)
        payments.settle_move(booking, moved)
        audit.record(
            AuditAction.BOOKING_MOVED,
            by=by,
            subject=booking,
            summary=(
                f"From {_session_words(booking.session)} to {_session_words(new_session)}: "
                f"now {moved.reference}, {_placed(moved).lower()}."
            ),
        )
        return moved
    except IntegrityError:
        db.session.rollback()
        existing = active_booking(new_session_id, learner.id)
        raise AlreadyBooked(Refusal.LEARNER_ALREADY_BOOKED, existing) from None
