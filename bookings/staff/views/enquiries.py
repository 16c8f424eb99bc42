"""The staff inbox of enquiries: new, answered and spam, searchable; release spam."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...enquiries import queries, service
from ...enquiries.forms import EnquirySearchForm
from ...enums import EnquiryStatus
from ...extensions import db
from ...models import Enquiry
from ...web import committing
from ..forms import ActionForm
from .base import bp, page_of, usable

TABS = {
    EnquiryStatus.NEW: "New",
    EnquiryStatus.ANSWERED: "Answered",
    EnquiryStatus.SPAM: "Spam",
}


@bp.get("/enquiries")
def enquiries():
    form = EnquirySearchForm(request.args)
    status = 200 if form.validate() else 400
    search = usable(form.q, "")
    show = request.args.get("show")
    if show not in TABS:
        show = EnquiryStatus.NEW
    counts = queries.inbox_counts(search)
    return (
        render_template(
            "staff/enquiries.html",
            form=form,
            tabs=TABS,
            show=show,
            search=search,
            counts=counts,
            page=page_of(
                queries.inbox_query(show, search),
                queries.INBOX_ORDER,
                name=f"enquiries:{show}",
                count=counts[show],  # the tabs carry the counts
            ),
            args={"show": show, **({"q": search} if search else {})},
        ),
        status,
    )


@bp.get("/enquiries/<int:enquiry_id>")
def enquiry(enquiry_id: int):
    return render_template(
        "staff/enquiry.html", enquiry=db.get_or_404(Enquiry, enquiry_id), action=ActionForm()
    )


# Each button: what it does, and what staff are told once it is done.
ACTIONS = {
    "answered": (lambda e: service.mark_answered(e, current_user), "Marked as answered."),
    "reopen": (service.reopen, "Moved back to the new enquiries."),
    "spam": (service.mark_spam, "Moved to spam."),
    "release": (
        service.release,
        "Released from spam: it is with the new enquiries and has been emailed to the "
        "organisation, and the sender has been told it arrived.",
    ),
}


@bp.post("/enquiries/<int:enquiry_id>/<action>")
def enquiry_action(enquiry_id: int, action: str):
    enquiry = db.get_or_404(Enquiry, enquiry_id)
    if action not in ACTIONS:
        abort(404)
    if ActionForm().validate_on_submit():
        change, done = ACTIONS[action]
        with committing() as outcome:
            change(enquiry)
        if not outcome.refused:
            flash(done, "success")
    return redirect(url_for("staff.enquiry", enquiry_id=enquiry.id), 303)
