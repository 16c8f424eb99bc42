"""Every staff and trainer write, personal-data download and sign-in leaves one audit row."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fpdf import FPDF
from sqlalchemy import select

from bookings.booking import service as booking_service
from bookings.catalogue.importer import COLUMNS
from bookings.enums import AuditAction
from bookings.extensions import db
from bookings.models import AuditEntry, Booking, Brochure, Course, NewsPost, OutboxMessage, Session
from bookings.payments import service as payments

from ..conftest import login_as, post_form
from ..factories import PASSWORD, make_booking, make_course, make_session, make_user
from ..two_factor_helpers import code, password_step, second_step, set_up, turn_on

COURSE = {
    "title": "First Aid at Work",
    "slug": "first-aid-at-work",
    "summary": "Three days.",
    "description": "Learn **first aid**.",
    "outcomes": "Recovery position",
    "audience": "Everyone",
    "category": "Health and safety",
    "duration": "3 days",
    "price_voluntary": "45",
    "price_private": "120",
    "published": "y",
    "save": "Save course",
}


def entries(action: AuditAction) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def only(action: AuditAction) -> AuditEntry:
    (entry,) = entries(action)
    return entry


def a_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=20)
    pdf.cell(0, 10, "Our programme")
    return bytes(pdf.output())


def catalogue_csv(course_slug: str) -> bytes:
    row = {name: "" for name in COLUMNS}
    row.update(
        course_slug=course_slug,
        course_title="Imported course",
        price_voluntary="0",
        price_private="10",
        starts_at="2031-03-04T10:00",
        ends_at="2031-03-04T13:00",
        venue="Chatham Hub, 1 High Street",
        capacity="10",
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode()


def test_one_walk_through_every_listed_action_finds_each_audit_row(
    app, client, runner, tmp_path, staff, trainer, learner, course, session_of
):
    login_as(client, staff)

    # Courses: create, edit, unpublish and publish.
    assert post_form(client, "/staff/courses/new", COURSE).status_code == 303
    new_course = db.session.scalar(select(Course).where(Course.slug == "first-aid-at-work"))
    edit = {**COURSE, "title": "First Aid at Work (3 days)"}
    assert post_form(client, f"/staff/courses/{new_course.id}/edit", edit).status_code == 303
    publish = f"/staff/courses/{new_course.id}/publish"
    post_form(client, publish, {"published": "0"}, form_page="/staff/courses")
    post_form(client, publish, {"published": "1"}, form_page="/staff/courses")

    # Sessions: create, edit, reschedule (cancel comes last).
    new_session = {
        "course_id": str(course.id),
        "day": "2030-07-01",
        "starts": "10:00",
        "ends": "13:30",
        "venue_name": "Community Hub",
        "venue_address": "1 High Street, Chatham",
        "online_url": "",
        "capacity": "12",
        "trainer_id": str(trainer.id),
        "deadline_day": "",
        "deadline_time": "",
        "notes": "",
    }
    assert post_form(client, "/staff/sessions/new", new_session).status_code == 303
    session = db.session.scalar(select(Session).where(Session.course_id == course.id))
    details = {"capacity": "20", "trainer_id": str(trainer.id), "notes": "Bring lunch"}
    assert post_form(client, f"/staff/sessions/{session.id}/edit", details).status_code == 303
    moved_to = {"day": "2030-07-08", "starts": "10:00", "ends": "13:00", "venue_name": "Hall"}
    assert (
        post_form(client, f"/staff/sessions/{session.id}/reschedule", moved_to).status_code == 303
    )

    # Bookings: on a learner's behalf, moved, cancelled.
    on_behalf = {"session_id": str(session.id), "learner_email": learner.email, "consent": "y"}
    assert post_form(client, "/staff/bookings/new", on_behalf).status_code == 303
    booking = db.session.scalar(select(Booking).where(Booking.learner_id == learner.id))
    other = session_of(trainer, starts_in=timedelta(days=40))
    move = {"session_id": str(other.id)}
    assert post_form(client, f"/staff/bookings/{booking.id}/move", move).status_code == 303
    moved = db.session.scalar(select(Booking).where(Booking.session_id == other.id))
    assert post_form(client, f"/staff/bookings/{moved.id}/cancel", {}).status_code == 303
    cancel = {"reason": "Trainer ill", "confirm": "y"}
    assert post_form(client, f"/staff/sessions/{session.id}/cancel", cancel).status_code == 303

    # Attendance, and the trainer's downloads of personal data.
    past = session_of(trainer, starts_in=timedelta(hours=-2))
    attended = make_booking(past, make_user(name="Ada Attended"))
    teacher = app.test_client()
    login_as(teacher, trainer)
    register = f"/trainer/sessions/{past.id}"
    marks = {f"booking_{attended.id}": "attended"}
    response = post_form(teacher, f"{register}/attendance", marks, form_page=register)
    assert response.status_code == 303
    assert teacher.get(f"{register}.csv").status_code == 200
    assert teacher.get(f"{register}/register.pdf").status_code == 200

    # People: role and active.
    user_page = f"/staff/users/{learner.id}"
    post_form(client, f"{user_page}/role", {"role": "trainer"}, form_page=user_page)
    post_form(client, f"{user_page}/active", {"active": "0"}, form_page=user_page)
    post_form(client, f"{user_page}/active", {"active": "1"}, form_page=user_page)

    # Brochures: upload, withdraw, restore.
    upload = {"sector": "voluntary", "file": (io.BytesIO(a_pdf()), "programme.pdf")}
    response = post_form(client, "/staff/brochures", upload, content_type="multipart/form-data")
    assert response.status_code == 303
    brochure = db.session.scalar(select(Brochure))
    withdraw = f"/staff/brochures/{brochure.id}/withdraw"
    post_form(client, withdraw, {"withdrawn": "1"}, form_page="/staff/brochures")
    post_form(client, withdraw, {"withdrawn": "0"}, form_page="/staff/brochures")

    # Imports (a page and the command line) and the staff exports.
    csv_upload = {"file": (io.BytesIO(catalogue_csv("from-the-page")), "catalogue.csv")}
    response = post_form(client, "/staff/import", csv_upload, content_type="multipart/form-data")
    assert response.status_code == 200
    (tmp_path / "catalogue.csv").write_bytes(catalogue_csv("from-the-command-line"))
    assert (
        runner.invoke(args=["catalogue", "import", str(tmp_path / "catalogue.csv")]).exit_code == 0
    )
    export = client.get("/staff/exports?date_from=2020-01-01&date_to=2040-01-01&course=0")
    assert export.status_code == 200
    assert client.get("/staff/audit.csv").status_code == 200

    # News and the email outbox.
    news = {"title": "Spring", "published_on": "2030-01-01", "body": "New dates.", "published": "y"}
    assert post_form(client, "/staff/news/new", news).status_code == 303
    post = db.session.scalar(select(NewsPost))
    assert post_form(client, f"/staff/news/{post.id}/delete", {}).status_code == 303
    failed = [
        OutboxMessage(
            kind="test",
            message_id=f"<m{n}@example.org>",
            recipient="a@example.org",
            subject="Hello",
            body_text="Hi",
            status="failed",
        )
        for n in range(2)
    ]
    db.session.add_all(failed)
    db.session.commit()
    post_form(client, f"/staff/outbox/{failed[0].id}/retry", {}, form_page="/staff/outbox")
    post_form(client, "/staff/outbox/retry-all", {}, form_page="/staff/outbox")

    # Invoices: a reminder, a payment and a waived charge, from the staff pages.
    priced = make_course(price_voluntary_pence=4000, price_private_pence=4000)
    payer = make_user(name="Pat Payer")
    held = booking_service.book(make_session(priced).id, payer, booking_service.Needs(consent=True))
    late = booking_service.book(
        make_session(priced, starts_in=timedelta(days=2)).id,
        payer,
        booking_service.Needs(consent=True),
    )
    db.session.commit()
    booking_service.cancel(late.id, payer)
    db.session.commit()
    owed = payments.live_line(held.id).invoice
    owed.issued_on -= timedelta(days=40)
    owed.due_on = payments.today() - timedelta(days=3)
    db.session.commit()
    invoice_page = f"/staff/invoices/{owed.number}"
    post_form(client, f"{invoice_page}/reminder", {}, form_page=invoice_page)
    paid = {"paid_on": payments.today().isoformat(), "method": "card", "reference": ""}
    assert (
        post_form(client, f"{invoice_page}/paid", paid, form_page=invoice_page).status_code == 303
    )
    charged_line = payments.live_line(late.id)
    charged_page = f"/staff/invoices/{charged_line.invoice.number}"
    waive = {f"line-{charged_line.id}-reason": "Illness"}
    response = post_form(
        client, f"{charged_page}/lines/{charged_line.id}/waive", waive, form_page=charged_page
    )
    assert response.status_code == 303

    # Two-factor changes and the password of a staff account, sign-ins and failures.
    secret, _, _ = set_up(client)
    codes = {"recovery-code": code(secret, 1)}
    post_form(client, "/account/two-factor/recovery-codes", codes, form_page="/account/two-factor")
    new_password = "quiet violet ladder"
    change = {"current_password": PASSWORD, "password": new_password, "confirm": new_password}
    assert post_form(client, "/account/password", change, form_page="/account").status_code == 302
    assert runner.invoke(args=["users", "reset-two-factor", staff.email]).exit_code == 0
    visitor = app.test_client()
    assert password_step(visitor, staff, password="not the password").status_code == 400
    assert password_step(visitor, staff, password=new_password).status_code == 302
    db.session.expire_all()
    again = app.test_client()
    login_as(again, staff)
    secret, _, _ = set_up(again)
    off = {"off-password": new_password, "off-code": code(secret, 1)}
    response = post_form(again, "/account/two-factor/off", off, form_page="/account/two-factor")
    assert response.status_code == 303
    turn_on(staff)
    stranger = app.test_client()
    password_step(stranger, staff, password=new_password)
    assert second_step(stranger, "000000").status_code == 400

    db.session.expire_all()
    sam = f"{staff.name} <{staff.email}>"
    expected = {
        AuditAction.COURSE_CREATED: ("course", new_course.id, sam),
        AuditAction.COURSE_EDITED: ("course", new_course.id, sam),
        AuditAction.COURSE_PUBLISHED: ("course", new_course.id, sam),
        AuditAction.COURSE_UNPUBLISHED: ("course", new_course.id, sam),
        AuditAction.SESSION_CREATED: ("session", session.id, sam),
        AuditAction.SESSION_EDITED: ("session", session.id, sam),
        AuditAction.SESSION_RESCHEDULED: ("session", session.id, sam),
        AuditAction.SESSION_CANCELLED: ("session", session.id, sam),
        AuditAction.BOOKED_ON_BEHALF: ("booking", booking.id, sam),
        AuditAction.BOOKING_MOVED: ("booking", booking.id, sam),
        AuditAction.BOOKING_CANCELLED: ("booking", moved.id, sam),
        AuditAction.ATTENDANCE_MARKED: ("session", past.id, f"{trainer.name} <{trainer.email}>"),
        AuditAction.ROLE_CHANGED: ("user", learner.id, sam),
        AuditAction.ACCOUNT_DEACTIVATED: ("user", learner.id, sam),
        AuditAction.ACCOUNT_ACTIVATED: ("user", learner.id, sam),
        AuditAction.BROCHURE_UPLOADED: ("brochure", brochure.id, sam),
        AuditAction.BROCHURE_WITHDRAWN: ("brochure", brochure.id, sam),
        AuditAction.BROCHURE_RESTORED: ("brochure", brochure.id, sam),
        AuditAction.NEWS_SAVED: ("news", post.id, sam),
        AuditAction.NEWS_DELETED: ("news", post.id, sam),
        AuditAction.TWO_FACTOR_ENABLED: ("user", staff.id, sam),
        AuditAction.RECOVERY_CODES_REPLACED: ("user", staff.id, sam),
        AuditAction.TWO_FACTOR_DISABLED: ("user", staff.id, sam),
        AuditAction.TWO_FACTOR_RESET: ("user", staff.id, "Command line or system"),
        AuditAction.PASSWORD_CHANGED: ("user", staff.id, sam),
        AuditAction.INVOICE_REMINDED: ("invoice", owed.id, sam),
        AuditAction.INVOICE_PAID: ("invoice", owed.id, sam),
        AuditAction.INVOICE_CHARGE_WAIVED: ("invoice", charged_line.invoice_id, sam),
    }
    for action, (kind, object_id, actor) in expected.items():
        found = [(e.object_type, e.object_id, e.actor) for e in entries(action)]
        assert (kind, object_id, actor) in found, action

    imports = entries(AuditAction.CATALOGUE_IMPORTED)
    assert [e.actor for e in imports] == [sam, "Command line or system"]
    assert all("1 row: 1 course created" in e.summary for e in imports)
    exports = entries(AuditAction.DATA_EXPORTED)
    assert [(e.actor, e.object_type, e.object_label) for e in exports] == [
        (f"{trainer.name} <{trainer.email}>", "session", exports[0].object_label),
        (f"{trainer.name} <{trainer.email}>", "session", exports[1].object_label),
        (sam, "export", "Bookings CSV"),
        (sam, "export", "Audit trail CSV"),
    ]
    requeued = entries(AuditAction.EMAIL_REQUEUED)
    assert [(e.object_type, e.object_id) for e in requeued] == [
        ("email", failed[0].id),
        ("email", None),
    ]
    sign_ins = entries(AuditAction.SIGNED_IN)
    assert [e.summary for e in sign_ins] == ["With password."]
    failures = [e.summary for e in entries(AuditAction.SIGN_IN_FAILED)]
    assert failures[0] == "Wrong password."
    assert failures[1].startswith("Right password, refused second step")
    # Summaries say what changed.
    assert (
        "'First Aid at Work' → 'First Aid at Work (3 days)'"
        in only(AuditAction.COURSE_EDITED).summary
    )
    assert "capacity: '12' → '20'" in only(AuditAction.SESSION_EDITED).summary
    assert "Reason: Trainer ill" in only(AuditAction.SESSION_CANCELLED).summary
    assert "Ada Attended" in only(AuditAction.ATTENDANCE_MARKED).summary
    assert only(AuditAction.ROLE_CHANGED).summary == "Role: learner → trainer."
    assert only(AuditAction.BOOKING_MOVED).summary.endswith(f"now {moved.reference}, confirmed.")
    # Web actions carry the address they came from; the command line none.
    assert only(AuditAction.COURSE_CREATED).ip_address == "127.0.0.1"
    assert only(AuditAction.TWO_FACTOR_RESET).ip_address == ""
    # Nothing listed was missed: every kind of action has its row.
    recorded = set(db.session.scalars(select(AuditEntry.action).distinct()))
    assert recorded == {action.value for action in AuditAction}
