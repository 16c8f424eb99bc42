"""Domain errors: services raise them when a rule says no; views turn them into messages."""


class DomainError(Exception):
    """A rule of the product refused the request; str() is the message for the user."""


class NotFound(DomainError):
    pass


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
