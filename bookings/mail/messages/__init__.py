"""Build the emails the service sends, one function per event, grouped by audience.

Each message has a plain-text and an HTML body from templates/mail/, and booking
messages carry the calendar file that keeps the learner's calendar right. Callers use
`messages.<event>(...)` from this package.
"""

from .accounts import password_changed, password_reset, two_factor_changed
from .base import Email
from .learners import (
    added_to_waiting_list,
    booking_cancelled,
    booking_confirmed,
    feedback_request,
    promoted,
    reminder,
    session_cancelled,
    session_rescheduled,
    substituted_in,
    substituted_out,
    team_booked,
)
from .money import credit_note_issued, invoice_issued, invoice_reminder
from .public import enquiry_acknowledged, enquiry_received, interest_confirmation, new_dates
from .trainers import (
    trainer_assigned,
    trainer_rescheduled,
    trainer_session_cancelled,
    trainer_unassigned,
)

__all__ = [
    "Email",
    "added_to_waiting_list",
    "booking_cancelled",
    "booking_confirmed",
    "credit_note_issued",
    "enquiry_acknowledged",
    "enquiry_received",
    "feedback_request",
    "interest_confirmation",
    "invoice_issued",
    "invoice_reminder",
    "new_dates",
    "password_changed",
    "password_reset",
    "promoted",
    "reminder",
    "session_cancelled",
    "session_rescheduled",
    "substituted_in",
    "substituted_out",
    "team_booked",
    "trainer_assigned",
    "trainer_rescheduled",
    "trainer_session_cancelled",
    "trainer_unassigned",
    "two_factor_changed",
]
