"""Loading the demo programme into the database, once however often it runs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import cycle

from sqlalchemy import select

from ..accounts.queries import find_by_email
from ..accounts.service import create_user
from ..booking.service import reference_prefix
from ..enums import BookingStatus, Role, Sector, SessionStatus
from ..extensions import db
from ..models import Booking, Course, FeedbackResponse, NewsPost, Session, User, utcnow
from ..timefmt import from_local, to_local
from .data import (
    COURSES,
    DEMO_LEARNER,
    DEMO_PASSWORD,
    HELEN,
    NEWS,
    ONLINE_URL,
    PEOPLE,
    SAM,
    STAFF_EMAIL,
    VENUES,
    DemoCourse,
)
from .public import WAITING_COURSE, load_public_demo

DEMO_QUOTE = "I will ask the people I support what helps, rather than guessing."


def _local_instant(day: date, at: time) -> datetime:
    return from_local(datetime.combine(day, at))


def _ensure_people(echo) -> dict[str, User]:
    people = {}
    for email, name, role, sector, organisation in PEOPLE:
        user = find_by_email(email)
        if user is None:
            user = create_user(
                email, name, DEMO_PASSWORD, role=role, sector=sector, organisation=organisation
            )
            echo(f"Created {role} {email}")
        people[email] = user
    return people


def _add_sessions(course: Course, spec: DemoCourse, people: dict[str, User], next_learner) -> None:
    """The course's sessions and bookings; next_learner() says who books next."""
    today = to_local(utcnow()).date()
    demo_learner = people[DEMO_LEARNER]
    prefix = reference_prefix()
    for demo in spec.sessions:
        starts_at = _local_instant(today + timedelta(days=demo.days_from_today), demo.start)
        venue_name, venue_address = VENUES.get(demo.place, ("", ""))
        session = Session(
            course=course,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=demo.hours),
            venue_name=venue_name,
            venue_address=venue_address,
            online_url=ONLINE_URL if demo.place == "online" else "",
            capacity=demo.capacity,
            seats_taken=0,
            waitlist_last=0,
            trainer=people[demo.trainer],
            status=SessionStatus.SCHEDULED,
            revision=0,
        )
        db.session.add(session)
        past = demo.days_from_today < 0
        if demo.bookings == "full":
            confirmed = [next_learner() for _ in range(demo.capacity)]
            waiting = [next_learner() for _ in range(2)]
        elif past:
            # The demo learner attended every past session: My bookings offers certificates.
            confirmed, waiting = [demo_learner, next_learner()], []
        else:
            confirmed, waiting = [next_learner()], []
        if demo.demo_learner == BookingStatus.CONFIRMED:
            confirmed.append(demo_learner)
        elif demo.demo_learner == BookingStatus.WAITLISTED:
            waiting.insert(0, demo_learner)
        elif demo.demo_learner == BookingStatus.CANCELLED:
            _add_booking(session, demo_learner, prefix, BookingStatus.CANCELLED, None)
        for learner in confirmed:
            session.seats_taken += 1
            booking = _add_booking(session, learner, prefix, BookingStatus.CONFIRMED, None, past)
            if past and learner is not demo_learner:
                db.session.add(_feedback(booking))
        for learner in waiting:
            session.waitlist_last += 1
            _add_booking(session, learner, prefix, BookingStatus.WAITLISTED, session.waitlist_last)


def _add_booking(session, learner, prefix, status: BookingStatus, position, past=False):
    now = utcnow()
    booking = Booking(
        reference=Booking.new_reference(prefix),
        session=session,
        learner=learner,
        status=status,
        waiting_position=position,
        sector=learner.sector or Sector.VOLUNTARY,
        organisation=learner.organisation,
        price_pence=session.course.price_for(learner.sector),
        consent=True,
        attended=True if past else None,
        # The demo learner's cancelled booking had a place before it was cancelled.
        confirmed_at=now if status != BookingStatus.WAITLISTED else None,
        cancelled_at=now if status == BookingStatus.CANCELLED else None,
        created_at=now,
    )
    db.session.add(booking)
    return booking


def _feedback(booking: Booking) -> FeedbackResponse:
    """Another learner's answers for a past session, quoted on the course page."""
    return FeedbackResponse(
        booking=booking,
        rating=5,
        confidence_before=2,
        confidence_after=4,
        do_differently=DEMO_QUOTE,
        recommend=True,
        quote_permitted=True,
        quote_shown=True,
    )


def load_demo(echo=print) -> None:
    """Load the demo data; running it again changes nothing."""
    people = _ensure_people(echo)
    # Bookings go round the other learners, one after another.
    others = cycle(
        [u for u in people.values() if u.role == Role.LEARNER and u.email != DEMO_LEARNER]
    )
    next_learner = others.__next__
    programme = [*COURSES, WAITING_COURSE]
    existing = set(
        db.session.scalars(select(Course.slug).where(Course.slug.in_([c.slug for c in programme])))
    )
    added = 0
    for spec in programme:
        if spec.slug in existing:
            continue
        course = Course(
            slug=spec.slug,
            title=spec.title,
            category=spec.category,
            summary=spec.summary,
            description=spec.description,
            outcomes=spec.outcomes,
            audience=spec.audience,
            duration=spec.duration,
            price_voluntary_pence=spec.price_voluntary_pence,
            price_private_pence=spec.price_private_pence,
            published=True,
        )
        db.session.add(course)
        _add_sessions(course, spec, people, next_learner)
        added += 1
    titles = set(db.session.scalars(select(NewsPost.title)))
    for title, body, days_ago in NEWS:
        if title not in titles:
            db.session.add(
                NewsPost(title=title, body=body, published_at=utcnow() - timedelta(days=days_ago))
            )
    db.session.flush()
    load_public_demo(echo)
    echo(f"Demo courses: {added} added, {len(programme) - added} already there.")
    echo(f"Staff sign-in: {STAFF_EMAIL} / {DEMO_PASSWORD}")
    echo(f"Trainer sign-in: {SAM} / {DEMO_PASSWORD} (also {HELEN})")
    echo(f"Learner sign-in: {DEMO_LEARNER} / {DEMO_PASSWORD}")
