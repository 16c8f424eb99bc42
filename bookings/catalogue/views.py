"""Public pages: home, catalogue, course pages, health check."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from ..feedback import queries as feedback_queries
from ..interest import queries as interest_queries
from ..interest.forms import InterestForm, OneClickInterestForm
from ..models import utcnow
from ..pagecache import kept_for_visitors
from . import queries
from .cards import course_card, search_form
from .forms import CatalogueSearchForm
from .importer import SLUG_RE

bp = Blueprint("catalogue", __name__)
bp.add_app_template_global(course_card, "course_card")
bp.add_app_template_global(search_form, "search_form")

FILTERS = ("q", "category", "sector", "month", "available")


@bp.get("/")
@kept_for_visitors
def home():
    return render_template(
        "catalogue/home.html",
        sessions=queries.upcoming_with_places(6),
        news=queries.latest_news(3),
    )


@bp.get("/courses")
@kept_for_visitors
def courses():
    form = CatalogueSearchForm(formdata=request.args)
    form.set_categories(queries.categories())
    sector = request.args.get("sector", "")
    if not form.validate():
        return render_template("catalogue/courses.html", form=form, page=None, sector=""), 400
    page = queries.search_courses(
        form.search(),
        page=queries.clamp_page(request.args.get("page")),
        per_page=current_app.config["PER_PAGE"],
    )
    # Pagination links keep the filters the visitor chose.
    filters = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    return render_template(
        "catalogue/courses.html", form=form, page=page, sector=sector, filters=filters
    )


@bp.get("/courses/<slug>")
@kept_for_visitors
def course(slug):
    if not SLUG_RE.match(slug):
        abort(404)
    course = queries.course_by_slug(
        slug, include_unpublished=current_user.is_authenticated and current_user.is_staff
    )
    if course is None:
        abort(404)
    now = utcnow()
    upcoming, past = queries.course_sessions(course, now)
    outcomes = [line.strip(" -*\t") for line in course.outcomes.splitlines() if line.strip()]
    # Nothing to book (no dates, or all full or closed): offer to hear about new ones.
    bookable = any(s.is_open_for_booking(now) and s.places_left > 0 for s in upcoming)
    # The form only when offered: making one draws a CSRF token, which writes the
    # visitor's session, so a course with dates to book sets no cookie.
    if bookable:
        form = None
    elif current_user.is_authenticated:
        form = OneClickInterestForm()
    else:
        form = InterestForm()
    return render_template(
        "catalogue/course.html",
        course=course,
        upcoming=upcoming,
        past=past,
        outcomes=outcomes,
        now=now,
        quotes=feedback_queries.course_quotes(course.id),
        offer_new_dates=not bookable,
        interest=interest_queries.signed_up(course, current_user),
        form=form,
    )


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
