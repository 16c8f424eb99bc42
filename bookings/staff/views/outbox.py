"""The email outbox for staff: failed, waiting and sent messages; retry failures."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...enums import OutboxStatus
from ...extensions import db
from ...mail import outbox as mail_outbox
from ...models import OutboxMessage
from ...web import committing
from .. import queries
from ..forms import ActionForm, OutboxSearchForm
from .base import bp, page_of, usable

OUTBOX_TABS = {
    OutboxStatus.FAILED: "Failed",
    OutboxStatus.PENDING: "Waiting to be sent",
    OutboxStatus.SENT: "Sent",
}


@bp.get("/outbox")
def outbox():
    """One list at a time (failed, waiting, sent), paginated, searchable by recipient."""
    form = OutboxSearchForm(request.args)
    status = 200 if form.validate() else 400
    search = usable(form.q, "")
    counts = queries.outbox_counts(search)
    show = request.args.get("show")
    if show not in OUTBOX_TABS:
        # Open on what needs attention: failures first, then the queue.
        needs_attention = (OutboxStatus.FAILED, OutboxStatus.PENDING)
        show = next((tab for tab in needs_attention if counts[tab]), OutboxStatus.SENT)
    args = {"show": show, **({"q": search} if search else {})}
    return (
        render_template(
            "staff/outbox.html",
            form=form,
            tabs=OUTBOX_TABS,
            statuses=OutboxStatus,
            show=show,
            counts=counts,
            search=search,
            page=page_of(
                queries.outbox_query(show, search),
                queries.outbox_order(show),
                name=f"outbox:{show}",
                count=counts[show],  # the tabs carry the counts
            ),
            args=args,
            action=ActionForm(),
        ),
        status,
    )


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if ActionForm().validate_on_submit():
        with committing():
            requeued = mail_outbox.retry(message.id, by=current_user)
        if requeued:
            flash(f"The message to {message.recipient} will be sent again.", "success")
        else:
            flash(
                f"The message to {message.recipient} has not failed (it may have been "
                "retried already), so there is nothing to retry.",
                "error",
            )
    return redirect(url_for("staff.outbox"), 303)


@bp.post("/outbox/retry-all")
def outbox_retry_all():
    if ActionForm().validate_on_submit():
        with committing():
            count = mail_outbox.retry_all_failed(by=current_user)
        if count:
            plural = "message" if count == 1 else "messages"
            flash(f"{count} failed {plural} will be sent again.", "success")
        else:
            flash("There are no failed messages to retry.", "error")
    return redirect(url_for("staff.outbox"), 303)
