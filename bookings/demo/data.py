"""The demo programme: people, courses with their dates, news.

Dates are days from the day the demo is first loaded; `loader` turns them into rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from ..enums import BookingStatus, Role, Sector

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

# Short names keep the tables below one person, or one session, a line.
LEARNER, TRAINER, STAFF = Role.LEARNER, Role.TRAINER, Role.STAFF
VOLUNTARY, PRIVATE = Sector.VOLUNTARY, Sector.PRIVATE
CONFIRMED, WAITING, CANCELLED = (
    BookingStatus.CONFIRMED,
    BookingStatus.WAITLISTED,
    BookingStatus.CANCELLED,
)

PEOPLE = [
    # email, name, role, sector, organisation
    (STAFF_EMAIL, "Dee Marsh", STAFF, None, "Medway Volunteer Network"),
    ("sam.okafor@example.org", "Sam Okafor", TRAINER, None, "Okafor Training"),
    ("helen.price@example.org", "Helen Price", TRAINER, None, "Kent First Aid Associates"),
    (DEMO_LEARNER, "Alex Morgan", LEARNER, VOLUNTARY, "Medway Carers Support"),
    ("jo.patel@example.org", "Jo Patel", LEARNER, VOLUNTARY, "Strood Food Bank"),
    ("chris.evans@example.org", "Chris Evans", LEARNER, PRIVATE, "Evans Care Homes Ltd"),
    ("maria.silva@example.org", "Maria Silva", LEARNER, VOLUNTARY, "Gillingham Youth Club"),
    ("tom.hughes@example.org", "Tom Hughes", LEARNER, PRIVATE, "Hughes & Co Accountants"),
    ("amina.yusuf@example.org", "Amina Yusuf", LEARNER, VOLUNTARY, "Rochester Refugee Welcome"),
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
    # What the demo learner has here (a booking status, or None for nothing), so
    # signing in as them shows each part of My bookings and leaves dates to book.
    demo_learner: BookingStatus | None = None


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
            DemoSession(9, time(10), 3, "chatham", 3, SAM, bookings="full", demo_learner=WAITING),
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
            DemoSession(16, time(9, 30), 3, "rochester", 18, HELEN, demo_learner=CONFIRMED),
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
            DemoSession(12, time(9, 30), 7, "maidstone", 12, HELEN, demo_learner=CANCELLED),
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
            DemoSession(19, time(13, 30), 3, "online", 30, SAM, demo_learner=CONFIRMED),
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
