"""Staff pages for courses: list, add, edit (with a preview), publish."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import timefmt
from ...extensions import db
from ...models import Course
from ...web import committing
from .. import queries, service
from ..forms import ActionForm, CourseForm
from .base import FormPage, bp


@bp.get("/courses")
def courses():
    return render_template("staff/courses.html", courses=queries.courses(), action=ActionForm())


def _save_course(form: CourseForm, course: Course | None):
    page = FormPage("staff/course_form.html", form, course=course, preview=None)
    if not form.validate_on_submit():
        return page.shown()
    if form.preview.data:
        return page.shown(200, preview=form.description.data or "")
    with committing(form) as outcome:
        saved = service.save_course(form.values(), course, by=current_user)
    if outcome.refused:
        return page.shown()
    flash(f"Saved {saved.title}.", "success")
    return redirect(url_for("staff.courses"), 303)


@bp.route("/courses/new", methods=["GET", "POST"])
def course_new():
    form = CourseForm()
    if request.method == "GET":
        form.price_voluntary.data = form.price_voluntary.data or "0.00"
        form.price_private.data = form.price_private.data or "0.00"
    return _save_course(form, None)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
def course_edit(course_id: int):
    course = db.get_or_404(Course, course_id)
    form = CourseForm(obj=course)
    if request.method == "GET":
        form.price_voluntary.data = timefmt.pounds(course.price_voluntary_pence)
        form.price_private.data = timefmt.pounds(course.price_private_pence)
    return _save_course(form, course)


@bp.post("/courses/<int:course_id>/publish")
def course_publish(course_id: int):
    course = db.get_or_404(Course, course_id)
    if ActionForm().validate_on_submit():
        publish = request.form.get("published") == "1"
        with committing():
            service.set_published(course, publish, by=current_user)
        flash(f"{course.title} is {'published' if publish else 'unpublished'}.", "success")
    return redirect(url_for("staff.courses"), 303)
