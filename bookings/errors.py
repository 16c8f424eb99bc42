"""Domain errors, and the one catalogue of what each refusal says.

One module for the whole app rather than one per area: the errors are small, the
request helper (`web.committing`) and the CLI catch them by their common base, and a
person changing a message finds every wording of the product on one page.

A service raises a DomainError when a rule says no; str() is the message for the
user, and `field` names the form field it belongs beside (None: top of the page).
"""

from __future__ import annotations


class Refusal:
    """What the user reads when a rule says no; each wording lives only here."""

    NO_SUCH_SESSION = "There is no such session."
    NO_SUCH_BOOKING = "There is no such booking."
    SESSION_CANCELLED = "This session is cancelled, so it cannot be booked."
    BOOKING_CLOSED = "Booking has closed for this session."
    ALREADY_BOOKED = "You have already booked this session."
    LEARNER_ALREADY_BOOKED = "The learner has already booked that session."
    ALREADY_FOR_SESSION = "The booking is already for that session."
    MOVE_SAME_COURSE = "A booking can only move to another session of the same course."
    NOT_YOUR_BOOKING = "You can only cancel your own bookings."
    ALREADY_CANCELLED = "This booking is already cancelled."
    STARTED_NO_CANCEL = "The session has started, so the booking can no longer be cancelled online."
    ENDS_BEFORE_START = "The session must end after it starts."
    CANCELLED_NO_MOVE = "This session is cancelled; it cannot be moved."
    SESSION_ALREADY_CANCELLED = "This session is already cancelled."


class DomainError(Exception):
    """A rule of the product refused the request; str() is the message for the user."""

    field: str | None = None

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field


class NoSuchRecord(DomainError):
    """The thing asked for does not exist (or is not for this user to see)."""


class InvalidField(DomainError):
    """A value the form let through that a rule refuses; field names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)


class BookingError(DomainError):
    pass


class BookingClosed(BookingError):
    """The session no longer takes bookings (deadline passed, started, or cancelled)."""


class AlreadyBooked(BookingError):
    """The learner already has an active booking for this session."""

    def __init__(self, message: str, booking=None):
        super().__init__(message)
        self.booking = booking


class CancellationRefused(BookingError):
    """The booking cannot be cancelled (already cancelled, or the session has started)."""


class ScheduleError(DomainError):
    """A session change that cannot be made (ends before it starts, already cancelled)."""


class AccountError(DomainError):
    pass


class EmailTaken(AccountError):
    pass


class ImportRowError(DomainError):
    """A catalogue CSV row that cannot be imported; the message says why."""


class ImportFileError(DomainError):
    """A catalogue CSV file that cannot be imported at all (empty, not UTF-8, no header)."""


class BrochureRejected(DomainError):
    """An uploaded brochure that is not a usable PDF; the message says why."""


class NotYourSession(DomainError):
    """A trainer asked for a session they do not deliver."""


class RegisterNotOpen(DomainError):
    """Attendance cannot be marked yet (the session has not started)."""


class NoCertificate(DomainError):
    """No certificate for this booking (the learner has not attended)."""


class EnquiryRefusal:
    """What the contact form and the staff inbox say when they cannot do as asked."""

    FORM_EXPIRED = (
        "This form was opened more than a day ago, so we could not send it. Your message "
        "is still below: please check it and press “Send message” again."
    )
    TOO_QUICK = (
        "That was quicker than we expected, so your message has not been sent yet. "
        "Please check it below and press “Send message” again."
    )
    TOO_MANY = (
        "You have sent several messages in a short time, so we cannot take this one yet. "
        "Your message is still below: please try again in an hour, or email us at {email}."
    )
    TOO_MANY_LINKS = (
        "Please include no more than {limit} web links. You can send us more once we reply."
    )
    NOT_SPAM = "This enquiry is not in the spam folder."
    ALREADY_SPAM = "This enquiry is already marked as spam."
    ALREADY_ANSWERED = "This enquiry is already marked as answered."
    NOT_ANSWERED = "This enquiry is not marked as answered."
