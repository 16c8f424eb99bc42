"""Staff read feedback by course and session, and pick comments to quote."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ...extensions import db
from ...feedback import queries as feedback_queries
from ...feedback import service as feedback_service
from ...feedback.forms import QuoteForm
from ...models import Course, FeedbackResponse
from ...web import committing
from .base import bp, page_of


@bp.get("/feedback")
def feedback():
    return render_template("staff/feedback.html", courses=feedback_queries.courses_results())


@bp.get("/feedback/courses/<int:course_id>")
def feedback_course(course_id: int):
    course = db.get_or_404(Course, course_id)
    return render_template(
        "staff/feedback_course.html",
        course=course,
        results=feedback_queries.course_results(course.id),
        sessions=feedback_queries.course_sessions_results(course.id),
        comments=page_of(
            feedback_queries.comments_query(course_id=course.id),
            feedback_queries.COMMENTS_ORDER,
        ),
    )


@bp.post("/feedback/responses/<int:response_id>/quote")
def feedback_quote(response_id: int):
    response = db.get_or_404(FeedbackResponse, response_id)
    course_id = response.booking.session.course_id
    form = QuoteForm()
    back = url_for("staff.feedback_course", course_id=course_id, _anchor=f"response-{response.id}")
    if not form.validate_on_submit():
        flash("Choose whether to show the quote, and try again.", "error")
        return redirect(back, 303)
    shown = form.show.data == "yes"
    with committing() as outcome:
        feedback_service.show_quote(response.id, shown)
    if not outcome.refused:
        flash(
            "The quote is now shown on the course page."
            if shown
            else "The quote is no longer shown on the course page.",
            "success",
        )
    return redirect(back, 303)
