"""Enquiries: take one in, deliver it through the outbox, and move it between the
inbox's folders. Each adds to the caller's transaction."""

from __future__ import annotations

from ..enums import EnquiryStatus
from ..errors import DomainError, EnquiryRefusal
from ..extensions import db
from ..mail import messages, outbox
from ..models import Enquiry, User, utcnow

MARKED_BY_STAFF = "Marked as spam by staff."


def _deliver(enquiry: Enquiry) -> None:
    """To the organisation (replies go to the sender) and a note to the sender."""
    outbox.enqueue(messages.enquiry_received(enquiry))
    outbox.enqueue(messages.enquiry_acknowledged(enquiry))


def submit(
    *,
    name: str,
    email: str,
    subject: str,
    message: str,
    course_id: int | None = None,
    spam_reason: str = "",
) -> Enquiry:
    """Store an enquiry; deliver it unless it is suspected spam, which is only kept."""
    enquiry = Enquiry(
        name=name,
        email=email,
        subject=subject,
        message=message,
        course_id=course_id,
        status=EnquiryStatus.SPAM if spam_reason else EnquiryStatus.NEW,
        spam_reason=spam_reason,
    )
    db.session.add(enquiry)
    db.session.flush()
    if not spam_reason:
        _deliver(enquiry)
    return enquiry


def release(enquiry: Enquiry) -> None:
    """Not spam after all: back to the new enquiries, delivered as if it had just come."""
    if not enquiry.is_spam:
        raise DomainError(EnquiryRefusal.NOT_SPAM)
    enquiry.status = EnquiryStatus.NEW
    enquiry.spam_reason = ""
    db.session.flush()
    _deliver(enquiry)


def mark_spam(enquiry: Enquiry) -> None:
    if enquiry.is_spam:
        raise DomainError(EnquiryRefusal.ALREADY_SPAM)
    enquiry.status = EnquiryStatus.SPAM
    enquiry.spam_reason = MARKED_BY_STAFF
    db.session.flush()


def mark_answered(enquiry: Enquiry, by: User) -> None:
    if enquiry.is_answered:
        raise DomainError(EnquiryRefusal.ALREADY_ANSWERED)
    enquiry.status = EnquiryStatus.ANSWERED
    enquiry.answered_at = utcnow()
    enquiry.answered_by_id = by.id
    db.session.flush()


def reopen(enquiry: Enquiry) -> None:
    """Back to the new enquiries, for one that needs more work after all."""
    if not enquiry.is_answered:
        raise DomainError(EnquiryRefusal.NOT_ANSWERED)
    enquiry.status = EnquiryStatus.NEW
    enquiry.answered_at = None
    enquiry.answered_by_id = None
    db.session.flush()
