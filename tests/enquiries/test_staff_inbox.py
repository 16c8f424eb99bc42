"""The staff inbox: new, answered and spam folders, search, and releasing spam."""

from __future__ import annotations

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Enquiry, OutboxMessage

from ..conftest import login_as, post_form
from ..factories import make_user


def enquiry(subject="Dates?", status="new", **fields) -> Enquiry:
    values = {"name": "Ann Lee", "email": "ann@example.org", "message": "When next?"}
    values.update(fields)
    item = Enquiry(subject=subject, status=status, **values)
    db.session.add(item)
    db.session.commit()
    return item


def as_staff(client):
    staff = make_user("staff")
    login_as(client, staff)
    return staff


def test_folders_show_their_enquiries_with_counts_and_search(client):
    as_staff(client)
    enquiry("Invoice question", message="About INV-2027-0004")
    enquiry("Room access", email="bo@example.org", name="Bo")
    enquiry("Cheap pills", status="spam", spam_reason="Filled in the hidden field.")

    new = client.get("/staff/enquiries").get_data(as_text=True)
    assert "Invoice question" in new and "Room access" in new and "Cheap pills" not in new
    assert "New (2)" in new and "Spam (1)" in new and "Answered (0)" in new
    spam = client.get("/staff/enquiries?show=spam").get_data(as_text=True)
    assert "Cheap pills" in spam and "Filled in the hidden field." in spam

    found = client.get("/staff/enquiries?q=inv-2027").get_data(as_text=True)
    assert "Invoice question" in found and "Room access" not in found
    assert "New (1)" in found
    by_address = client.get("/staff/enquiries?q=BO@EXAMPLE").get_data(as_text=True)
    assert "Room access" in by_address and "Invoice question" not in by_address
    assert client.get(f"/staff/enquiries?q={'x' * 201}").status_code == 400
    empty = client.get("/staff/enquiries?show=spam&q=zzz").get_data(as_text=True)
    assert "No spam enquiries contain “zzz”." in empty


def test_releasing_spam_delivers_it_as_a_new_enquiry(client, app):
    as_staff(client)
    caught = enquiry("Real question", status="spam", spam_reason="Filled in the hidden field.")

    page = client.get(f"/staff/enquiries/{caught.id}").get_data(as_text=True)
    assert "Not spam: release this enquiry" in page
    response = post_form(client, f"/staff/enquiries/{caught.id}/release", {}, form_page="/account")

    assert response.status_code == 303
    db.session.expire_all()
    assert (caught.status, caught.spam_reason) == ("new", "")
    sent = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.recipient, m.reply_to) for m in sent] == [
        (app.config["ORG_EMAIL"], "Ann Lee <ann@example.org>"),
        ("ann@example.org", ""),
    ]
    # Releasing again is refused, and sends nothing more.
    post_form(client, f"/staff/enquiries/{caught.id}/release", {}, form_page="/account")
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2
    assert "not in the spam folder" in client.get(f"/staff/enquiries/{caught.id}").get_data(
        as_text=True
    )


def test_mark_answered_reopen_and_move_to_spam(client):
    staff = as_staff(client)
    item = enquiry()

    def do(action):
        return post_form(client, f"/staff/enquiries/{item.id}/{action}", {}, form_page="/account")

    assert do("answered").status_code == 303
    db.session.expire_all()
    assert (item.status, item.answered_by_id) == ("answered", staff.id)
    assert "Answered (1)" in client.get("/staff/enquiries").get_data(as_text=True)
    do("reopen")
    db.session.expire_all()
    assert (item.status, item.answered_at) == ("new", None)
    do("spam")
    db.session.expire_all()
    assert (item.status, item.spam_reason) == ("spam", "Marked as spam by staff.")
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_an_enquiry_page_shows_the_message_safely_with_a_reply_link(client):
    as_staff(client)
    item = enquiry("<b>Hi</b>", message="Line one\n<script>alert(1)</script>")
    page = client.get(f"/staff/enquiries/{item.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'href="mailto:ann@example.org?subject=Re%3A%20%3Cb%3EHi%3C/b%3E"' in page
    assert client.get("/staff/enquiries/999999").status_code == 404


def test_an_unknown_action_is_not_found(client):
    as_staff(client)
    item = enquiry()
    response = post_form(client, f"/staff/enquiries/{item.id}/delete", {}, form_page="/account")
    assert response.status_code == 404
