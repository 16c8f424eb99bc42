"""The data model: users, courses, sessions, bookings, brochures, news, outbox.

Instants are timezone-aware UTC in Python and naive UTC in the database; money
is integer pence. The database guards the invariants through named constraints.
One module per part of the product; import the models from here.
"""

from .audit import AuditEntry, AuditTrailIsAppendOnly
from .base import UTCDateTime, utcnow
from .booking import REFERENCE_ALPHABET, Booking
from .catalogue import ONLINE_WITHOUT_LINK, Brochure, Course, NewsPost, Session
from .documents import BrochureIntroduction, Certificate
from .enquiry import Enquiry
from .feedback import FeedbackResponse
from .interest import CourseInterest
from .money import (
    CreditNote,
    DocumentCount,
    Invoice,
    InvoiceLine,
    InvoiceTotal,
    NumberSequence,
)
from .outbox import OutboxMessage
from .people import User, is_staff
from .two_factor import RecoveryCode, TwoFactor

__all__ = [
    "AuditEntry",
    "AuditTrailIsAppendOnly",
    "RecoveryCode",
    "TwoFactor",
    "ONLINE_WITHOUT_LINK",
    "REFERENCE_ALPHABET",
    "Booking",
    "Brochure",
    "BrochureIntroduction",
    "Certificate",
    "Course",
    "CourseInterest",
    "CreditNote",
    "DocumentCount",
    "Enquiry",
    "Invoice",
    "InvoiceLine",
    "InvoiceTotal",
    "NumberSequence",
    "NewsPost",
    "OutboxMessage",
    "Session",
    "UTCDateTime",
    "User",
    "is_staff",
    "utcnow",
    "FeedbackResponse",
]
