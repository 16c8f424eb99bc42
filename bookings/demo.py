"""Demo data: courses a council for voluntary service runs, trainers, staff, sessions.

Everything is keyed on something natural (email, course slug, news title), so a
second run finds what the first made and adds nothing. A course's dates are made
with the course, relative to the day the demo is first loaded. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import cycle

from flask import current_app
from sqlalchemy import select

from .accounts.service import create_user, find_by_email
from .extensions import db
from .models import Booking, Course, NewsPost, Session, User, utcnow
from .timefmt import from_local, to_local

DEMO_PASSWORD = "medway-training-demo"
STAFF_EMAIL = "staff@example.org"
DEMO_LEARNER = "learner@example.org"

VENUES = {
    "chatham": ("Chatham Community Hub", "12 High Street, Chatham ME4 4DS"),
    "gillingham": ("Gillingham Library meeting room", "High Street, Gillingham ME7 1BG"),
    "rochester": ("Rochester Community Centre", "Corporation Street, Rochester ME1 1NH"),
    "maidstone": ("Maidstone Volunteer Centre", "39 Week Street, Maidstone ME14 1RF"),
}
ONLINE_URL = "https://meet.example.org/medway-training"

PEOPLE = [
    # email, name, role, sector, organisation
    (STAFF_EMAIL, "Dee Marsh", "staff", None, "Medway Volunteer Network"),
    ("sam.okafor@example.org", "Sam Okafor", "trainer", None, "Okafor Training"),
    ("helen.price@example.org", "Helen Price", "trainer", None, "Kent First Aid Associates"),
    (DEMO_LEARNER, "Alex Morgan", "learner", "voluntary", "Medway Carers Support"),
    ("jo.patel@example.org", "Jo Patel", "learner", "voluntary", "Strood Food Bank"),
    ("chris.evans@example.org", "Chris Evans", "learner", "private", "Evans Care Homes Ltd"),
    ("maria.silva@example.org", "Maria Silva", "learner", "voluntary", "Gillingham Youth Club"),
    ("tom.hughes@example.org", "Tom Hughes", "learner", "private", "Hughes & Co Accountants"),
    ("amina.yusuf@example.org", "Amina Yusuf", "learner", "voluntary", "Rochester Refugee Welcome"),
]


@dataclass
class DemoSession:
    days_from_today: int
    start: time
    hours: float
    place: str  # a key of VENUES, or "online"
    capacity: int
    trainer: str
    # "full": every place taken and two people waiting.
    bookings: str = ""
    # What the demo learner has here: "confirmed", "waiting", "cancelled" or nothing,
    # so signing in as them shows each part of My bookings and leaves dates to book.
    demo_learner: str = ""


@dataclass
class DemoCourse:
    slug: str
    title: str
    category: str
    summary: str
    description: str
    outcomes: str
    audience: str
    duration: str
    price_voluntary_pence: int
    price_private_pence: int
    sessions: list[DemoSession]


SAM = "sam.okafor@example.org"
HELEN = "helen.price@example.org"

COURSES = [
    DemoCourse(
        slug="living-with-adhd",
        title="Living with ADHD",
        category="Health and wellbeing",
        summary="Current information on living with ADHD, for people who support "
        "adults and young people with ADHD, and for anyone who has it.",
        description=(
            "This course gives **current information on living with ADHD** "
            "(attention deficit hyperactivity disorder): what it is and is not, how it "
            "is diagnosed in children and adults, and what helps day to day.\n\n"
            "We look at the latest guidance on assessment and treatment, the strengths "
            "many people with ADHD bring, and practical ways to make volunteering, work "
            "and services more ADHD-friendly.\n\n"
            "The session mixes short talks, discussion and case studies. It is led by "
            "a trainer with lived experience."
        ),
        outcomes=(
            "Describe the main features of ADHD in children and adults\n"
            "Explain how assessment and diagnosis work today\n"
            "Recognise common myths and the strengths of people with ADHD\n"
            "Adapt your service or team to be more ADHD-friendly\n"
            "Signpost people to local and national support"
        ),
        audience="Staff and volunteers in community groups, carers, parents, and "
        "anyone with an interest in ADHD. No previous knowledge needed.",
        duration="Half day (3 hours)",
        price_voluntary_pence=0,
        price_private_pence=6500,
        sessions=[
            DemoSession(-30, time(10), 3, "chatham", 16, SAM),
            DemoSession(9, time(10), 3, "chatham", 3, SAM, bookings="full", demo_learner="waiting"),
            DemoSession(37, time(13, 30), 3, "online", 20, SAM),
            DemoSession(120, time(10), 3, "gillingham", 16, SAM),
        ],
    ),
    DemoCourse(
        slug="safeguarding-adults",
        title="Safeguarding Adults",
        category="Safeguarding",
        summary="Recognise abuse and neglect of adults at risk and know what to do "
        "when you are worried.",
        description=(
            "Everyone who works or volunteers with adults has a part to play in "
            "keeping them safe. This course covers the **Care Act 2014**, the types and "
            "signs of abuse, making safeguarding personal, and how to raise a concern "
            "in Kent and Medway.\n\n"
            "Meets the Level 1-2 standard most funders ask for."
        ),
        outcomes=(
            "Name the types and signs of abuse and neglect\n"
            "Respond well when an adult tells you about abuse\n"
            "Record and report a concern using the Kent and Medway procedures\n"
            "Explain your organisation's safeguarding duties"
        ),
        audience="Staff, volunteers and trustees of groups working with adults.",
        duration="Half day (3 hours)",
        price_voluntary_pence=2500,
        price_private_pence=6500,
        sessions=[
            DemoSession(-14, time(9, 30), 3, "rochester", 18, HELEN),
            DemoSession(16, time(9, 30), 3, "rochester", 18, HELEN, demo_learner="confirmed"),
            DemoSession(58, time(18), 2.5, "online", 25, HELEN),
        ],
    ),
    DemoCourse(
        slug="safeguarding-children",
        title="Safeguarding Children and Young People",
        category="Safeguarding",
        summary="Keep children and young people safe: signs of harm, your duties, "
        "and how to share a concern.",
        description=(
            "A practical introduction to child protection for community and "
            "voluntary groups, following *Working Together to Safeguard Children*.\n\n"
            "We cover the categories of abuse, online safety, safer recruitment of "
            "volunteers, and the Medway Safeguarding Children Partnership's referral "
            "routes."
        ),
        outcomes=(
            "Recognise the signs of abuse, neglect and exploitation\n"
            "Know who to tell and how to record a concern\n"
            "Apply safer working practice in your group"
        ),
        audience="Anyone who works or volunteers with under-18s.",
        duration="Half day (3 hours)",
        price_voluntary_pence=2500,
        price_private_pence=6500,
        sessions=[
            DemoSession(23, time(10), 3, "gillingham", 18, HELEN),
            DemoSession(72, time(10), 3, "chatham", 18, HELEN),
        ],
    ),
    DemoCourse(
        slug="emergency-first-aid-at-work",
        title="Emergency First Aid at Work",
        category="First aid",
        summary="The one-day, HSE-compliant course for appointed first aiders in "
        "low-risk workplaces.",
        description=(
            "Covers the **Emergency First Aid at Work (EFAW)** syllabus: managing an "
            "incident, CPR and using a defibrillator, choking, bleeding, shock, burns "
            "and minor injuries.\n\n"
            "Assessment is continuous and practical. Certificates are valid for three "
            "years. Please wear comfortable clothes: you will practise on the floor."
        ),
        outcomes=(
            "Assess an incident and act safely, promptly and effectively\n"
            "Give CPR and use an automated external defibrillator\n"
            "Help a casualty who is choking, bleeding or in shock\n"
            "Keep simple and accurate records"
        ),
        audience="Staff and volunteers appointed as first aiders. Minimum age 16.",
        duration="1 day (9:30 to 16:30)",
        price_voluntary_pence=4500,
        price_private_pence=9500,
        sessions=[
            DemoSession(-45, time(9, 30), 7, "maidstone", 12, HELEN),
            DemoSession(12, time(9, 30), 7, "maidstone", 12, HELEN, demo_learner="cancelled"),
            DemoSession(44, time(9, 30), 7, "chatham", 12, HELEN),
        ],
    ),
    DemoCourse(
        slug="mental-health-awareness",
        title="Mental Health Awareness",
        category="Health and wellbeing",
        summary="Understand common mental health conditions and how to support "
        "someone who is struggling.",
        description=(
            "An introduction to mental health and wellbeing: the difference between "
            "mental health and mental illness, common conditions such as anxiety and "
            "depression, stigma, and how to start a supportive conversation.\n\n"
            "We finish with self-care for the people doing the supporting."
        ),
        outcomes=(
            "Describe common mental health conditions\n"
            "Start a supportive conversation and listen well\n"
            "Signpost to NHS and local services, including crisis support\n"
            "Look after your own wellbeing"
        ),
        audience="Anyone in a community, voluntary or workplace role.",
        duration="Half day (3 hours)",
        price_voluntary_pence=0,
        price_private_pence=5500,
        sessions=[
            DemoSession(19, time(13, 30), 3, "online", 30, SAM, demo_learner="confirmed"),
            DemoSession(65, time(10), 3, "rochester", 20, SAM),
        ],
    ),
    DemoCourse(
        slug="trustee-roles-and-responsibilities",
        title="Trustee Roles and Responsibilities",
        category="Governance",
        summary="What every charity trustee needs to know about their legal duties "
        "and good governance.",
        description=(
            "Based on the Charity Commission's guidance *The essential trustee* "
            "(CC3) and the Charity Governance Code. We cover the six main duties, "
            "conflicts of interest, managing risk and working well with staff."
        ),
        outcomes=(
            "Explain the six main duties of a charity trustee\n"
            "Manage conflicts of interest\n"
            "Use the Charity Governance Code to review your board"
        ),
        audience="New and experienced trustees, and staff who support boards.",
        duration="Evening (2 hours)",
        price_voluntary_pence=0,
        price_private_pence=4500,
        sessions=[
            DemoSession(-7, time(18, 30), 2, "online", 30, SAM),
            DemoSession(28, time(18, 30), 2, "online", 30, SAM),
        ],
    ),
    DemoCourse(
        slug="bid-writing",
        title="Bid Writing and Funding Applications",
        category="Funding",
        summary="Write funding applications that trusts, foundations and the "
        "National Lottery want to fund.",
        description=(
            "Learn how funders decide, how to find the right ones, and how to write "
            "a clear, evidenced case for support. We work on your own project, so "
            "bring an idea or a draft.\n\n"
            "Includes budgets, outcomes and monitoring, and what to do after a no."
        ),
        outcomes=(
            "Research and shortlist suitable funders\n"
            "Write a clear need, outcomes and budget\n"
            "Avoid the common reasons applications fail"
        ),
        audience="Staff, volunteers and trustees who raise money for small charities.",
        duration="1 day (10:00 to 15:30)",
        price_voluntary_pence=3000,
        price_private_pence=7500,
        sessions=[
            DemoSession(33, time(10), 5.5, "chatham", 16, SAM),
            DemoSession(90, time(10), 5.5, "maidstone", 16, SAM),
        ],
    ),
    DemoCourse(
        slug="volunteer-management",
        title="Volunteer Management",
        category="Volunteering",
        summary="Recruit, support and keep volunteers: good practice for volunteer coordinators.",
        description=(
            "From role descriptions to saying thank you: recruiting a diverse team, "
            "induction, supervision, expenses, and handling difficult situations. "
            "Follows the *Investing in Volunteers* standard."
        ),
        outcomes=(
            "Write volunteer role descriptions that attract people\n"
            "Plan induction, support and supervision\n"
            "Deal fairly with problems"
        ),
        audience="Volunteer coordinators and managers, paid or unpaid.",
        duration="Half day (3 hours)",
        price_voluntary_pence=2000,
        price_private_pence=5500,
        sessions=[DemoSession(40, time(10), 3, "gillingham", 16, SAM)],
    ),
    DemoCourse(
        slug="gdpr-for-small-charities",
        title="GDPR for Small Charities",
        category="Governance",
        summary="Data protection made practical for small charities and community groups.",
        description=(
            "What UK GDPR and the Data Protection Act 2018 mean for a small group: "
            "lawful bases, consent, privacy notices, keeping data safe, subject "
            "access requests and what to do after a breach."
        ),
        outcomes=(
            "Choose the right lawful basis\n"
            "Write a plain-English privacy notice\n"
            "Respond to a subject access request on time"
        ),
        audience="Anyone who handles personal data for a charity or group.",
        duration="Half day (3 hours)",
        price_voluntary_pence=2000,
        price_private_pence=5000,
        sessions=[
            DemoSession(-60, time(10), 3, "online", 30, SAM),
            DemoSession(51, time(10), 3, "online", 30, SAM),
        ],
    ),
    DemoCourse(
        slug="social-media-for-charities",
        title="Social Media for Charities",
        category="Communications",
        summary="Plan, write and measure social media posts that reach the people "
        "your charity serves.",
        description=(
            "Choose the platforms that suit your audience, plan a simple content "
            "calendar, write accessible posts (alt text, plain English, camel-case "
            "hashtags) and read the numbers that matter."
        ),
        outcomes=(
            "Pick the right platforms for your audience\n"
            "Plan a month of posts in an hour\n"
            "Make posts accessible to everyone"
        ),
        audience="Staff and volunteers who run a group's social media.",
        duration="Half day (3 hours)",
        price_voluntary_pence=1500,
        price_private_pence=4500,
        sessions=[DemoSession(26, time(13, 30), 3, "rochester", 16, SAM)],
    ),
]

NEWS = [
    (
        "New dates for Living with ADHD",
        "We have added new dates for **Living with ADHD**, including an online "
        "session. It is free for voluntary sector groups.",
        2,
    ),
    (
        "The new brochures are out",
        "Download the voluntary sector and private sector brochures from the "
        "[brochures page](/brochures) and share them with your team.",
        10,
    ),
    (
        "First aid certificates: check your renewal date",
        "Emergency First Aid at Work certificates last three years. Book a place "
        "before yours runs out so your group stays covered.",
        24,
    ),
]


def reference_prefix() -> str:
    """Initials of the organisation's name: 'MVN' for Medway Volunteer Network."""
    words = current_app.config["ORG_NAME"].split()
    return "".join(w[0] for w in words if w[0].isalpha()).upper() or "TB"


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
            status="scheduled",
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
        if demo.demo_learner == "confirmed":
            confirmed.append(demo_learner)
        elif demo.demo_learner == "waiting":
            waiting.insert(0, demo_learner)
        elif demo.demo_learner == "cancelled":
            _add_booking(session, demo_learner, prefix, "cancelled", None)
        for learner in confirmed:
            session.seats_taken += 1
            _add_booking(session, learner, prefix, "confirmed", None, past=past)
        for learner in waiting:
            session.waitlist_last += 1
            _add_booking(session, learner, prefix, "waitlisted", session.waitlist_last)


def _add_booking(session, learner, prefix, status, position, past=False) -> None:
    now = utcnow()
    db.session.add(
        Booking(
            reference=Booking.new_reference(prefix),
            session=session,
            learner=learner,
            status=status,
            waiting_position=position,
            sector=learner.sector or "voluntary",
            organisation=learner.organisation,
            price_pence=session.course.price_for(learner.sector),
            consent=True,
            attended=True if past else None,
            confirmed_at=now if status in ("confirmed", "cancelled") else None,
            cancelled_at=now if status == "cancelled" else None,
            created_at=now,
        )
    )


def load_demo(echo=print) -> None:
    """Load the demo data; running it again changes nothing."""
    people = _ensure_people(echo)
    # Bookings go round the other learners, one after another.
    others = cycle([u for u in people.values() if u.role == "learner" and u.email != DEMO_LEARNER])
    next_learner = others.__next__
    existing = set(
        db.session.scalars(select(Course.slug).where(Course.slug.in_([c.slug for c in COURSES])))
    )
    added = 0
    for spec in COURSES:
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
    echo(f"Demo courses: {added} added, {len(COURSES) - added} already there.")
    echo(f"Staff sign-in: {STAFF_EMAIL} / {DEMO_PASSWORD}")
    echo(f"Trainer sign-in: {SAM} / {DEMO_PASSWORD} (also {HELEN})")
    echo(f"Learner sign-in: {DEMO_LEARNER} / {DEMO_PASSWORD}")
