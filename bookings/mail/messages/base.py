"""What every email is made of: the Email record, rendering, the booking email frame."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app, render_template

from ...booking.queries import queue_place
from ...calendar import ics
from ...models import (
    Booking,
)


@dataclass
class Email:
    kind: str
    recipient: str
    subject: str
    body_text: str
    body_html: str = ""
    ics: str | None = None
    ics_method: str | None = None
    booking_id: int | None = None
    user_id: int | None = None
    # A document to attach when the email is sent, e.g. "invoice:INV-2026-00001".
    attachment: str | None = None
    reply_to: str = ""
    unsubscribe_url: str = ""

    def with_text_for(self, placeholder: str, value: str) -> Email:
        """The same email with value wherever placeholder was written (a number drawn
        after the email was rendered)."""

        def put(text: str | None) -> str | None:
            return text.replace(placeholder, value) if text else text

        return replace(
            self,
            subject=put(self.subject),
            body_text=put(self.body_text),
            body_html=put(self.body_html),
            attachment=put(self.attachment),
        )


def _render(kind: str, **context) -> tuple[str, str]:
    context.setdefault("org_name", current_app.config["ORG_NAME"])
    context.setdefault("org_email", current_app.config["ORG_EMAIL"])
    context.setdefault("site_url", ics.site_url("/"))
    text = render_template(f"mail/{kind}.txt", **context)
    html = render_template(f"mail/{kind}.html", **context)
    return text.strip() + "\n", html


def _booking_email(
    kind: str,
    booking: Booking,
    subject: str,
    *,
    method: str | None,
    **context,
) -> Email:
    session = booking.session
    context.update(
        # How many are ahead, plus one: stored positions only grow, so they overstate it.
        queue_place=queue_place(booking),
        booking=booking,
        session=session,
        course=session.course,
        learner=booking.learner,
        manage_url=ics.site_url("/account/bookings"),
        account_url=ics.site_url("/auth/reset"),
        course_url=ics.site_url(f"/courses/{session.course.slug}"),
        calendar_url=ics.site_url(f"/bookings/{booking.reference}.ics"),
        has_invite=method is not None,
    )
    text, html = _render(kind, **context)
    return Email(
        kind=kind,
        recipient=booking.learner.email,
        subject=f"{subject}: {session.course.title}",
        body_text=text,
        body_html=html,
        ics=ics.invitation(booking, method) if method else None,
        ics_method=method,
        booking_id=booking.id,
        user_id=booking.learner_id,
    )
