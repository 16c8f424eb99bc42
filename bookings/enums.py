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


class EnquiryStatus(StrEnum):
    """Where an enquiry from the contact form stands in the staff inbox."""

    NEW = "new"
    ANSWERED = "answered"
    SPAM = "spam"  # suspected spam: kept so staff can release it, deleted after 30 days

    @property
    def label(self) -> str:
        return self.value.capitalize()
