"""Statuses, roles and sectors: the values stored in the database, named once.

Each is a StrEnum whose values are the stored strings, so a member compares equal to
the string it stands for. CHECK constraints are built from these (see `check_in`).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Sector(StrEnum):
    VOLUNTARY = "voluntary"
    PRIVATE = "private"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = {Sector.VOLUNTARY.value: "Voluntary sector", Sector.PRIVATE.value: "Private sector"}


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def check_in(column: str, enum: type[StrEnum], *, nullable: bool = False) -> str:
    """SQL for a CHECK constraint: column holds one of enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    clause = f"{column} IN ({values})"
    return f"{column} IS NULL OR {clause}" if nullable else clause


# The stored values as tuples, for `in` tests on plain strings and for choices.
ROLES = tuple(member.value for member in Role)
SECTORS = tuple(member.value for member in Sector)
SESSION_STATUSES = tuple(member.value for member in SessionStatus)
BOOKING_STATUSES = tuple(member.value for member in BookingStatus)
OUTBOX_STATUSES = tuple(member.value for member in OutboxStatus)


class Payer(StrEnum):
    """Who pays for a priced place."""

    ORGANISATION = "organisation"  # send an invoice to the learner's organisation
    SELF = "self"  # the learner pays themselves


class InvoiceStatus(StrEnum):
    """Where an invoice stands; overdue is an issued invoice past its due date.

    A payment provider, when one is added, moves an invoice to paid as a staff
    member marking it does.
    """

    ISSUED = "issued"
    PAID = "paid"
    CREDITED = "credited"  # credited in full: nothing is owed


class CreditReason(StrEnum):
    CANCELLED = "cancelled"  # the learner or staff cancelled the booking
    REFILLED = "refilled"  # cancelled late, but the place went to the waiting list
    SESSION_CANCELLED = "session_cancelled"
    WAIVED = "waived"  # staff waived a cancellation charge
    REPRICED = "repriced"  # moved to a session at another price


class PaymentMethod(StrEnum):
    """How an invoice was paid, as staff record it."""

    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CHEQUE = "cheque"
    CASH = "cash"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PAYMENT_METHOD_LABELS[self]


PAYMENT_METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER.value: "Bank transfer",
    PaymentMethod.CARD.value: "Card",
    PaymentMethod.CHEQUE.value: "Cheque",
    PaymentMethod.CASH.value: "Cash",
    PaymentMethod.OTHER.value: "Other",
}
PAYERS = tuple(member.value for member in Payer)

# What a credit note says about why it was issued.
CREDIT_REASON_LABELS = {
    CreditReason.CANCELLED.value: "Booking cancelled",
    CreditReason.REFILLED.value: "Booking cancelled; the place went to someone on the waiting list",
    CreditReason.SESSION_CANCELLED.value: "Session cancelled",
    CreditReason.WAIVED.value: "Cancellation charge waived",
    CreditReason.REPRICED.value: "Booking moved to a session at another price",
}


class InvoiceList(StrEnum):
    """The lists of the staff invoices page; outstanding includes the overdue."""

    OUTSTANDING = "outstanding"
    OVERDUE = "overdue"
    PAID = "paid"
    CREDITED = "credited"

    @property
    def label(self) -> str:
        return self.value.capitalize()


INVOICE_LISTS = tuple(member.value for member in InvoiceList)


class AuditAction(StrEnum):
    """What a row of the audit trail records. Stored as text with no CHECK constraint, so
    a new action (invoices, say) needs a member here and no migration."""

    COURSE_CREATED = "course.created"
    COURSE_EDITED = "course.edited"
    COURSE_PUBLISHED = "course.published"
    COURSE_UNPUBLISHED = "course.unpublished"
    SESSION_CREATED = "session.created"
    SESSION_EDITED = "session.edited"
    SESSION_RESCHEDULED = "session.rescheduled"
    SESSION_CANCELLED = "session.cancelled"
    BOOKED_ON_BEHALF = "booking.booked_on_behalf"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_MOVED = "booking.moved"
    ATTENDANCE_MARKED = "attendance.marked"
    ROLE_CHANGED = "user.role_changed"
    ACCOUNT_ACTIVATED = "user.activated"
    ACCOUNT_DEACTIVATED = "user.deactivated"
    BROCHURE_UPLOADED = "brochure.uploaded"
    BROCHURE_WITHDRAWN = "brochure.withdrawn"
    BROCHURE_RESTORED = "brochure.restored"
    CATALOGUE_IMPORTED = "catalogue.imported"
    DATA_EXPORTED = "data.exported"
    NEWS_SAVED = "news.saved"
    NEWS_DELETED = "news.deleted"
    EMAIL_REQUEUED = "email.requeued"
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    RECOVERY_CODES_REPLACED = "two_factor.recovery_codes_replaced"
    TWO_FACTOR_RESET = "two_factor.reset"
    PASSWORD_CHANGED = "password.changed"
    SIGNED_IN = "sign_in.succeeded"
    SIGN_IN_FAILED = "sign_in.failed"
    INVOICE_PAID = "invoice.paid"
    INVOICE_REMINDED = "invoice.reminded"
    INVOICE_CHARGE_WAIVED = "invoice.charge_waived"

    @property
    def label(self) -> str:
        return AUDIT_ACTION_LABELS.get(self.value, self.value)


AUDIT_ACTION_LABELS = {
    "course.created": "Course created",
    "course.edited": "Course edited",
    "course.published": "Course published",
    "course.unpublished": "Course unpublished",
    "session.created": "Session created",
    "session.edited": "Session edited",
    "session.rescheduled": "Session rescheduled",
    "session.cancelled": "Session cancelled",
    "booking.booked_on_behalf": "Booked on a learner's behalf",
    "booking.cancelled": "Booking cancelled",
    "booking.moved": "Booking moved",
    "attendance.marked": "Attendance marked",
    "user.role_changed": "Role changed",
    "user.activated": "Account activated",
    "user.deactivated": "Account deactivated",
    "brochure.uploaded": "Brochure uploaded",
    "brochure.withdrawn": "Brochure withdrawn",
    "brochure.restored": "Brochure restored",
    "catalogue.imported": "Catalogue imported",
    "data.exported": "Personal data exported",
    "news.saved": "News post saved",
    "news.deleted": "News post deleted",
    "email.requeued": "Email queued again",
    "two_factor.enabled": "Two-factor sign-in turned on",
    "two_factor.disabled": "Two-factor sign-in turned off",
    "two_factor.recovery_codes_replaced": "New recovery codes made",
    "two_factor.reset": "Two-factor sign-in reset",
    "password.changed": "Password changed",
    "sign_in.succeeded": "Signed in",
    "sign_in.failed": "Sign-in failed",
    "invoice.paid": "Invoice marked paid",
    "invoice.reminded": "Invoice reminder sent",
    "invoice.charge_waived": "Cancellation charge waived",
}


class AttendanceOutcome(StrEnum):
    """What became of a place: taken on the register, or recorded when it was cancelled.

    Stored beside Booking.attended, which keeps answering "was the learner there?"
    (certificates ask it): True for attended, False for the other two.
    """

    ATTENDED = "attended"
    ABSENT = "absent"  # a no-show: kept the place, did not come and did not say
    LATE_CANCELLATION = "late_cancellation"  # told us too late for the place to go to anyone

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.value]


OUTCOME_LABELS = {
    AttendanceOutcome.ATTENDED.value: "Attended",
    AttendanceOutcome.ABSENT.value: "Absent (no-show)",
    AttendanceOutcome.LATE_CANCELLATION.value: "Late cancellation",
}
ATTENDANCE_OUTCOMES = tuple(member.value for member in AttendanceOutcome)


class EnquiryStatus(StrEnum):
    """Where an enquiry from the contact form stands in the staff inbox."""

    NEW = "new"
    ANSWERED = "answered"
    SPAM = "spam"  # suspected spam: kept so staff can release it, deleted after 30 days

    @property
    def label(self) -> str:
        return self.value.capitalize()
