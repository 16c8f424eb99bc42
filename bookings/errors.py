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
    INVOICE_NOT_OPEN = "This invoice is not awaiting payment, so it cannot be marked paid."
    PAID_BEFORE_ISSUE = "The payment date cannot be before the invoice was issued."
    PAID_IN_FUTURE = "The payment date cannot be in the future."
    INVOICE_NOT_OVERDUE = "This invoice is not overdue, so no reminder was sent."
    NOTHING_TO_WAIVE = "There is no cancellation charge left to waive on this line."
    WAIVE_NEEDS_REASON = "Give the reason for waiving the charge."
    NOT_YOUR_BOOKING_TO_CHANGE = (
        "Only the person who booked this place, the person coming, or staff can change it."
    )
    SUBSTITUTE_CONFIRMED_ONLY = "Only a confirmed place can be passed to someone else."
    STARTED_NO_SUBSTITUTE = "The session has started, so the place can no longer be passed on."
    SAME_PERSON = "That person already has this place."
    SUBSTITUTE_ALREADY_BOOKED = "This person is already booked on this session."
    ATTENDEE_ALREADY_BOOKED = "This person is already booked on this session."
    EMAIL_TWICE = "This email address is given twice. Each person needs their own address."
    NOBODY_CHOSEN = "Choose who is coming: yourself, other people, or both."
    TEAM_TOO_BIG = "You can book for at most {limit} people at once."
    OUTCOME_NEEDS_PLACE = "Only a learner with a confirmed place can be marked attended or absent."
    OUTCOME_NOT_FOR_WAITING = "A learner on the waiting list has no attendance to record."
    FEEDBACK_LINK_INVALID = (
        "This feedback link is not one of ours, or part of it is missing. Please use the "
        "link in your email as it is, or find the session under My bookings."
    )
    FEEDBACK_LINK_EXPIRED = (
        "This feedback link has expired. If you still want to tell us how the course went, "
        "sign in and find the session under My bookings."
    )
    FEEDBACK_NOT_ATTENDED = "Feedback is asked of learners who attended the session."
    FEEDBACK_NOT_YET = "You can give feedback once the session is over."
    FEEDBACK_CLOSED = "Feedback for this session has closed."
    FEEDBACK_EDIT_CLOSED = (
        "Your feedback can no longer be changed: answers can be changed for {days} days "
        "after they are given. Thank you for it."
    )
    QUOTE_NOT_PERMITTED = "The learner did not give permission to quote this answer."
    CERTIFICATE_NEEDS_ATTENDANCE = "A certificate is available once your attendance is recorded."
    CERTIFICATE_AFTER_SESSION = "A certificate is available after the session."


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


class InvoiceRefused(DomainError):
    """A change to an invoice that its state does not allow (paid already, not overdue)."""


class SubstitutionRefused(BookingError):
    """The place cannot be passed to someone else (not confirmed, started, not yours)."""


class TeamBookingError(BookingError):
    """A team booking that cannot be made as asked; field names the attendee's field."""


class WeakPassword(AccountError):
    """A new password that is too easy to guess; the message carries the advice."""

    field = "password"


class TwoFactorRefused(AccountError):
    """A two-factor code that is wrong, already used, or asked for where none is set up."""

    field = "code"


class OutcomeRefused(DomainError):
    """An attendance outcome that does not fit the booking (attended, but on the waiting list)."""


class FeedbackRefused(DomainError):
    """Feedback cannot be given or changed now (not attended, not over, closed, too late)."""


class FeedbackLinkInvalid(DomainError):
    """A feedback link that is not ours, was altered, or has expired."""

    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.expired = expired


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
