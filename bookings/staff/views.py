"""Staff area: programme, bookings, users, news, outbox, brochures, reports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import timefmt
from ..auth import staff_required
from ..booking import queries as booking_queries
from ..booking import schedule
from ..booking import service as booking_service
from ..brochures import service as brochures
from ..catalogue import importer
from ..enums import SECTOR_LABELS
from ..errors import DomainError
from ..extensions import db
from ..mail import outbox as mail_outbox
from ..models import (
    Booking,
    Brochure,
    Course,
    NewsPost,
    OutboxMessage,
    Session,
    User,
)
from ..trainer.service import waiting_counts
from . import service
from .forms import (
    ActionForm,
    BookingFilterForm,
    BookOnBehalfForm,
    BrochureUploadForm,
    CancelSessionForm,
    CourseForm,
    ExportForm,
    ImportForm,
    MoveBookingForm,
    NewsForm,
    OutboxSearchForm,
    RescheduleForm,
    SessionEditForm,
    SessionForm,
    UserFilterForm,
    UserRoleForm,
    options,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
@staff_required
def _staff_only():
    """Every page here is for staff; role_required answers everyone else."""


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(exc: RequestEntityTooLarge):
    """Say so beside the file field rather than on a bare error page."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    if request.endpoint == "staff.brochure_upload":
        form = BrochureUploadForm(formdata=None)
        form.file.errors = [
            f"The file is too big: the limit is "
            f"{current_app.config['BROCHURE_MAX_BYTES'] // (1024 * 1024) or 1} MB."
        ]
        return _brochures_page(form, 413)
    if request.endpoint == "staff.catalogue_import":
        form = ImportForm(formdata=None)
        return _refuse_import(form, f"The file is too big: the limit is {limit} MB.", 413)
    return render_template("errors/error.html", error=exc), 413


def _get(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _field_error(form, exc: service.InvalidField) -> None:
    form[exc.field].errors = [*form[exc.field].errors, str(exc)]


def _filter_args(form) -> dict:
    """The filters the visitor chose, for page links: only the form's own fields, so a
    crafted address cannot feed url_for's options (_external, _anchor, _method...)."""
    return {name: request.args[name] for name in form._fields if request.args.get(name)}


def _page(query):
    # A page number past any real list (or too big for the database) shows an empty page.
    number = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    return db.paginate(query, page=number, per_page=50, error_out=False)


# Dashboard


@bp.get("")
def dashboard():
    return render_template("staff/dashboard.html", board=service.dashboard())


# Courses


@bp.get("/courses")
def courses():
    return render_template("staff/courses.html", courses=service.courses(), action=ActionForm())


def _course_form_page(form, course=None, preview=None, status=200):
    return (
        render_template("staff/course_form.html", form=form, course=course, preview=preview),
        status,
    )


def _save_course(form: CourseForm, course: Course | None):
    if not form.validate_on_submit():
        return _course_form_page(form, course, status=400)
    if form.preview.data:
        return _course_form_page(form, course, preview=form.description.data or "")
    try:
        saved = service.save_course(form.values(), course)
    except service.InvalidField as exc:
        db.session.rollback()
        _field_error(form, exc)
        return _course_form_page(form, course, status=400)
    db.session.commit()
    flash(f"Saved {saved.title}.", "success")
    return redirect(url_for("staff.courses"), 303)


@bp.route("/courses/new", methods=["GET", "POST"])
def course_new():
    form = CourseForm()
    if request.method == "GET":
        form.price_voluntary.data = form.price_voluntary.data or "0.00"
        form.price_private.data = form.price_private.data or "0.00"
        return _course_form_page(form)
    return _save_course(form, None)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
def course_edit(course_id: int):
    course = _get(Course, course_id)
    form = CourseForm(obj=course)
    if request.method == "GET":
        form.price_voluntary.data = timefmt.pounds(course.price_voluntary_pence)
        form.price_private.data = timefmt.pounds(course.price_private_pence)
        return _course_form_page(form, course)
    return _save_course(form, course)


@bp.post("/courses/<int:course_id>/publish")
def course_publish(course_id: int):
    course = _get(Course, course_id)
    if ActionForm().validate_on_submit():
        publish = request.form.get("published") == "1"
        service.set_published(course, publish)
        db.session.commit()
        flash(f"{course.title} is {'published' if publish else 'unpublished'}.", "success")
    return redirect(url_for("staff.courses"), 303)


# Sessions


def _session_choices(form, session: Session | None = None) -> None:
    if hasattr(form, "course_id"):
        form.course_id.choices = options([(c.id, c.title) for c in service.courses()])
    trainers = list(service.trainers())
    if session is not None and session.trainer and session.trainer not in trainers:
        trainers.append(session.trainer)  # keep a deactivated trainer selectable
    form.trainer_id.choices = options(
        [(0, "No trainer yet")] + [(t.id, f"{t.name} ({t.email})") for t in trainers]
    )


@bp.get("/sessions")
def sessions():
    show = "past" if request.args.get("show") == "past" else "upcoming"
    course_id = request.args.get("course", type=int) or 0
    page = _page(service.sessions_query(course_id, show))
    return render_template(
        "staff/sessions.html",
        page=page,
        show=show,
        course_id=course_id,
        courses=service.courses(),
        waiting=waiting_counts([s.id for s in page.items]),
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
def session_new():
    form = SessionForm()
    _session_choices(form)
    if request.method == "GET":
        form.course_id.data = request.args.get("course", type=int)
        form.capacity.data = form.capacity.data if form.capacity.data is not None else 12
        return render_template("staff/session_form.html", form=form)
    if not form.validate_on_submit():
        return render_template("staff/session_form.html", form=form), 400
    try:
        session = service.create_session(
            course_id=form.course_id.data,
            starts_at=form.starts_at,
            ends_at=form.ends_at,
            capacity=form.capacity.data,
            trainer_id=form.trainer_id.data,
            booking_deadline=form.booking_deadline,
            notes=form.notes.data or "",
            **form.place(),
        )
    except service.InvalidField as exc:
        db.session.rollback()
        _field_error(form, exc)
        return render_template("staff/session_form.html", form=form), 400
    db.session.commit()
    flash(f"Added {service.session_label(session)}.", "success")
    return redirect(url_for("staff.sessions"), 303)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def session_edit(session_id: int):
    session = _get(Session, session_id)
    form = SessionEditForm(obj=session)
    form.confirmed = session.seats_taken
    form.starts_at = session.starts_at
    _session_choices(form, session)
    if request.method == "GET":
        form.trainer_id.data = session.trainer_id or 0
        if session.booking_deadline:
            local = timefmt.to_local(session.booking_deadline)
            form.deadline_day.data, form.deadline_time.data = local.date(), local.time()
        return render_template("staff/session_edit.html", form=form, session=session)
    if not form.validate_on_submit():
        return render_template("staff/session_edit.html", form=form, session=session), 400
    try:
        promoted = service.update_session_details(
            session,
            capacity=form.capacity.data,
            trainer_id=form.trainer_id.data,
            booking_deadline=form.booking_deadline,
            notes=form.notes.data or "",
        )
    except service.InvalidField as exc:
        db.session.rollback()
        _field_error(form, exc)
        return render_template("staff/session_edit.html", form=form, session=session), 400
    db.session.commit()
    if promoted:
        count = len(promoted)
        flash(
            f"Session saved. {count} learner{'s' if count != 1 else ''} on the waiting list "
            f"{'have' if count != 1 else 'has'} been given a place and emailed.",
            "success",
        )
    else:
        flash("Session saved.", "success")
    return redirect(url_for("staff.sessions"), 303)


@bp.route("/sessions/<int:session_id>/reschedule", methods=["GET", "POST"])
def session_reschedule(session_id: int):
    session = _get(Session, session_id)
    form = RescheduleForm(obj=session)
    page = "staff/session_reschedule.html"
    if request.method == "GET":
        start, end = timefmt.to_local(session.starts_at), timefmt.to_local(session.ends_at)
        form.day.data, form.starts.data, form.ends.data = start.date(), start.time(), end.time()
        return render_template(page, form=form, session=session)
    if not form.validate_on_submit():
        return render_template(page, form=form, session=session), 400

    try:
        schedule.reschedule_session(
            session.id,
            starts_at=form.starts_at,
            ends_at=form.ends_at,
            by=current_user,
            **form.place(),
        )
    except DomainError as exc:
        db.session.rollback()
        form.day.errors = [*form.day.errors, str(exc)]
        return render_template(page, form=form, session=session), 400
    db.session.commit()
    flash("Session rescheduled; everyone booked has been sent the new details.", "success")
    return redirect(url_for("staff.sessions"), 303)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
def session_cancel(session_id: int):
    session = _get(Session, session_id)
    form = CancelSessionForm()
    page = "staff/session_cancel.html"
    if request.method == "GET":
        return render_template(page, form=form, session=session)
    if not form.validate_on_submit():
        return render_template(page, form=form, session=session), 400

    try:
        schedule.cancel_session(session.id, by=current_user, reason=form.reason.data or "")
    except DomainError as exc:
        db.session.rollback()
        form.confirm.errors = [*form.confirm.errors, str(exc)]
        return render_template(page, form=form, session=session), 400
    db.session.commit()
    flash("Session cancelled; everyone booked or waiting has been told.", "success")
    return redirect(url_for("staff.sessions"), 303)


# Bookings


def _usable(field, empty):
    """A filter's value, or empty when it did not validate."""
    return empty if field.errors else (field.data or empty)


@bp.get("/bookings")
def bookings():
    form = BookingFilterForm(request.args)
    form.course.choices = options(
        [(0, "Any course")] + [(c.id, c.title) for c in service.courses()]
    )
    course_id = form.course.data if isinstance(form.course.data, int) else 0
    form.session.choices = options(
        [(0, "Any session")]
        + [(s.id, service.session_label(s)) for s in service.filter_sessions(course_id)]
    )
    status = 200 if form.validate() else 400
    query = service.bookings_query(
        course_id=_usable(form.course, 0),
        session_id=_usable(form.session, 0),
        status=_usable(form.status, ""),
        search=_usable(form.q, ""),
    )
    args = _filter_args(form)
    page = _page(query)
    return (
        render_template(
            "staff/bookings.html",
            form=form,
            page=page,
            args=args,
            action=ActionForm(),
            # The place in the queue as the learner sees it, not the stored position.
            queue_places=booking_queries.queue_places(page.items),
        ),
        status,
    )


@bp.route("/bookings/new", methods=["GET", "POST"])
def booking_new():
    form = BookOnBehalfForm()
    form.session_id.choices = options(
        [(s.id, service.session_label(s)) for s in service.bookable_sessions()]
    )
    page = "staff/booking_new.html"
    if request.method == "GET":
        form.session_id.data = request.args.get("session", type=int)
        return render_template(page, form=form)
    if not form.validate_on_submit():
        return render_template(page, form=form), 400

    needs = booking_service.Needs(
        access=form.access_needs.data or "",
        dietary=form.dietary_needs.data or "",
        consent=bool(form.consent.data),
    )
    try:
        booking = booking_service.book(
            form.session_id.data, form.learner, needs, booked_by=current_user
        )
    except DomainError as exc:
        db.session.rollback()
        form.session_id.errors = [*form.session_id.errors, str(exc)]
        return render_template(page, form=form), 400
    db.session.commit()
    where = "booked on" if booking.status == "confirmed" else "added to the waiting list for"
    flash(f"{form.learner.name} is {where} the session ({booking.reference}).", "success")
    return redirect(url_for("staff.bookings", q=booking.reference), 303)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
def booking_cancel(booking_id: int):
    booking = _get(Booking, booking_id)
    form = ActionForm()
    page = "staff/booking_cancel.html"
    if request.method == "GET":
        return render_template(page, form=form, booking=booking)
    if not form.validate_on_submit():
        return render_template(page, form=form, booking=booking), 400

    try:
        _, promoted = booking_service.cancel_and_promote(booking.id, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        return render_template(page, form=form, booking=booking, error=str(exc)), 400
    db.session.commit()
    message = f"Booking {booking.reference} cancelled."
    if promoted is not None:
        message += (
            f" The place has gone to {promoted.learner.name} ({promoted.reference}), "
            "first on the waiting list, who has been emailed."
        )
    flash(message, "success")
    return redirect(url_for("staff.bookings", q=booking.reference), 303)


@bp.route("/bookings/<int:booking_id>/move", methods=["GET", "POST"])
def booking_move(booking_id: int):
    booking = _get(Booking, booking_id)
    form = MoveBookingForm()
    form.session_id.choices = options(
        [
            (s.id, f"{service.session_label(s)} ({s.places_left} places left)")
            for s in service.bookable_sessions(
                booking.session.course_id, exclude_id=booking.session_id
            )
        ]
    )
    page = "staff/booking_move.html"
    if request.method == "GET":
        return render_template(page, form=form, booking=booking)
    if not form.validate_on_submit():
        return render_template(page, form=form, booking=booking), 400

    try:
        moved = booking_service.move(booking.id, form.session_id.data, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        form.session_id.errors = [*form.session_id.errors, str(exc)]
        return render_template(page, form=form, booking=booking), 400
    db.session.commit()
    reference = getattr(moved, "reference", booking.reference)
    if getattr(moved, "status", "confirmed") == "waitlisted":
        flash(
            f"Booking {reference} moved. That session is full, so {booking.learner.name} "
            f"is number {booking_queries.queue_place(moved)} on its waiting list.",
            "success",
        )
    else:
        flash(f"Booking {reference} moved.", "success")
    return redirect(url_for("staff.bookings", q=reference), 303)


# Users


@bp.get("/users")
def users():
    form = UserFilterForm(request.args)
    status = 200 if form.validate() else 400
    query = service.users_query(
        "" if form.q.errors else form.q.data or "", "" if form.role.errors else form.role.data
    )
    args = _filter_args(form)
    return (
        render_template(
            "staff/users.html", form=form, page=_page(query), args=args, action=ActionForm()
        ),
        status,
    )


def _user_page(user, role_form=None, status=200, error=None):
    role_form = role_form or UserRoleForm(role=user.role)
    return (
        render_template(
            "staff/user.html", user=user, role_form=role_form, action=ActionForm(), error=error
        ),
        status,
    )


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _user_page(_get(User, user_id))


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int):
    user = _get(User, user_id)
    form = UserRoleForm()
    if not form.validate_on_submit():
        return _user_page(user, form, 400)
    try:
        service.set_role(user, form.role.data, current_user)
    except service.InvalidField as exc:
        db.session.rollback()
        _field_error(form, exc)
        return _user_page(user, form, 400)
    db.session.commit()
    flash(f"{user.name} is now {user.role}.", "success")
    return redirect(url_for("staff.user", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    user = _get(User, user_id)
    if not ActionForm().validate_on_submit():
        return _user_page(user, status=400, error="Your form expired. Please try again.")
    active = request.form.get("active") == "1"
    try:
        service.set_active(user, active, current_user)
    except DomainError as exc:
        db.session.rollback()
        return _user_page(user, status=400, error=str(exc))
    db.session.commit()
    flash(f"{user.name}'s account is {'active' if active else 'deactivated'}.", "success")
    return redirect(url_for("staff.user", user_id=user.id), 303)


# News


@bp.get("/news")
def news():
    return render_template("staff/news.html", posts=service.news_posts())


def _save_news(form: NewsForm, post: NewsPost | None):
    page = "staff/news_form.html"
    if not form.validate_on_submit():
        return render_template(page, form=form, post=post), 400
    service.save_news(
        title=form.title.data,
        body=form.body.data,
        published_at=form.published_at,
        published=bool(form.published.data),
        post=post,
    )
    db.session.commit()
    flash("News post saved.", "success")
    return redirect(url_for("staff.news"), 303)


@bp.route("/news/new", methods=["GET", "POST"])
def news_new():
    form = NewsForm()
    if request.method == "GET":
        form.published_on.data = timefmt.to_local(service.utcnow()).date()
        return render_template("staff/news_form.html", form=form, post=None)
    return _save_news(form, None)


@bp.route("/news/<int:post_id>/edit", methods=["GET", "POST"])
def news_edit(post_id: int):
    post = _get(NewsPost, post_id)
    form = NewsForm(obj=post)
    if request.method == "GET":
        form.published_on.data = timefmt.to_local(post.published_at).date()
        return render_template("staff/news_form.html", form=form, post=post)
    return _save_news(form, post)


@bp.route("/news/<int:post_id>/delete", methods=["GET", "POST"])
def news_delete(post_id: int):
    post = _get(NewsPost, post_id)
    form = ActionForm()
    if request.method == "GET":
        return render_template("staff/news_delete.html", form=form, post=post)
    if not form.validate_on_submit():
        return render_template("staff/news_delete.html", form=form, post=post), 400
    service.delete_news(post)
    db.session.commit()
    flash("News post deleted.", "success")
    return redirect(url_for("staff.news"), 303)


# Outbox


OUTBOX_TABS = {"failed": "Failed", "pending": "Waiting to be sent", "sent": "Sent"}


@bp.get("/outbox")
def outbox():
    """One list at a time (failed, waiting, sent), paginated, searchable by recipient."""
    form = OutboxSearchForm(request.args)
    status = 200 if form.validate() else 400
    search = _usable(form.q, "")
    counts = service.outbox_counts(search)
    show = request.args.get("show")
    if show not in OUTBOX_TABS:
        # Open on what needs attention: failures first, then the queue.
        show = next((tab for tab in ("failed", "pending") if counts[tab]), "sent")
    args = {"show": show, **({"q": search} if search else {})}
    return (
        render_template(
            "staff/outbox.html",
            form=form,
            tabs=OUTBOX_TABS,
            show=show,
            counts=counts,
            search=search,
            page=_page(service.outbox_query(show, search)),
            args=args,
            action=ActionForm(),
        ),
        status,
    )


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int):
    message = _get(OutboxMessage, message_id)
    if ActionForm().validate_on_submit():
        requeued = mail_outbox.retry(message.id)
        db.session.commit()
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
        count = mail_outbox.retry_all_failed()
        db.session.commit()
        if count:
            plural = "message" if count == 1 else "messages"
            flash(f"{count} failed {plural} will be sent again.", "success")
        else:
            flash("There are no failed messages to retry.", "error")
    return redirect(url_for("staff.outbox"), 303)


# Catalogue import


def _import_file_problem(text: str, header_problem) -> str | None:
    """Why the whole file cannot be imported (empty, or the wrong first line), or None."""
    if not text.strip():
        return "The file is empty. Choose the CSV file of courses and sessions."
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        header = []
    problem = header_problem(header)
    if problem:
        return (
            f"The first line of the file must name the columns; it has {problem}. "
            "The columns are listed below."
        )
    return None


def _import_page(form, report=None, status=200):

    return render_template(
        "staff/import.html", form=form, report=report, columns=importer.COLUMNS
    ), status


def _refuse_import(form, message: str, status=400):
    form.file.errors = [*form.file.errors, message]
    return _import_page(form, status=status)


@bp.route("/import", methods=["GET", "POST"])
def catalogue_import():
    form = ImportForm()
    if request.method == "GET":
        return _import_page(form)
    if not form.validate_on_submit():
        return _import_page(form, status=400)
    raw = form.file.data.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _refuse_import(form, "The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8'.")

    problem = _import_file_problem(text, importer.header_problem)
    if problem:
        return _refuse_import(form, problem)
    try:
        report = importer.import_csv(io.StringIO(text, newline=""), progress=False)
    except (DomainError, ValueError, csv.Error) as exc:
        db.session.rollback()
        return _refuse_import(form, f"The file could not be imported: {exc}")
    db.session.commit()
    return _import_page(ImportForm(formdata=None), report)


# Exports


@bp.get("/exports")
def exports():
    if request.args:
        form = ExportForm(request.args)
    else:
        today = timefmt.to_local(service.utcnow()).date()
        form = ExportForm(
            formdata=None, date_from=today.replace(day=1), date_to=today + timedelta(days=90)
        )
    form.course.choices = options(
        [(0, "All courses")] + [(c.id, c.title) for c in service.courses()]
    )
    if not request.args:
        return render_template("staff/exports.html", form=form)
    if not form.validate():
        return render_template("staff/exports.html", form=form), 400
    body = service.export_bookings_csv(form.date_from.data, form.date_to.data, form.course.data)
    filename = f"bookings-{form.date_from.data.isoformat()}-to-{form.date_to.data.isoformat()}.csv"
    response = Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Brochures


def _brochures_page(form, status=200):
    return (
        render_template(
            "staff/brochures.html",
            form=form,
            uploads=brochures.uploads(),
            current={s: brochures.current_upload(s) for s in SECTOR_LABELS},
            action=ActionForm(formdata=None),
        ),
        status,
    )


@bp.get("/brochures")
def brochures_index():
    return _brochures_page(BrochureUploadForm())


@bp.post("/brochures")
def brochure_upload():
    form = BrochureUploadForm()
    if not form.validate_on_submit():
        return _brochures_page(form, 400)
    upload = form.file.data
    limit = current_app.config["BROCHURE_MAX_BYTES"]
    content = upload.read(limit + 1)
    try:
        brochure = brochures.store_upload(
            form.sector.data, content, upload.filename or "", current_user
        )
    except brochures.BrochureRejected as exc:
        db.session.rollback()
        form.file.errors = [*form.file.errors, str(exc)]
        return _brochures_page(form, 400)
    db.session.commit()
    flash(f"Uploaded the {SECTOR_LABELS[brochure.sector].lower()} brochure.", "success")
    return redirect(url_for("staff.brochures_index"), 303)


@bp.get("/brochures/<int:brochure_id>.pdf")
def brochure_file(brochure_id: int):
    brochure = _get(Brochure, brochure_id)
    path = brochures.upload_path(brochure)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=brochure.original_name or brochure.stored_name,
    )


@bp.post("/brochures/<int:brochure_id>/withdraw")
def brochure_withdraw(brochure_id: int):
    brochure = _get(Brochure, brochure_id)
    if ActionForm().validate_on_submit():
        withdrawn = request.form.get("withdrawn", "1") == "1"
        brochures.set_withdrawn(brochure.id, withdrawn)
        db.session.commit()
        flash("Brochure withdrawn." if withdrawn else "Brochure restored.", "success")
    return redirect(url_for("staff.brochures_index"), 303)
